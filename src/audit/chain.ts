// The hash chain: hash(n) = SHA-256(hash(n-1) || canonical entry n), starting from 32 zero bytes.
// Entries live in two tables (migration 420): audit_row, one row per entry (written inside write
// transactions, chained by the sealer), and audit_pack, one row per batch of the server's chained
// log. Chain positions run across both.
import { hash } from 'node:crypto';
import { canonicalEntry, type AuditEntry } from './audit-entry.ts';

export const GENESIS_HASH = Buffer.alloc(32);

/** The advisory lock under which entries get their place in the chain (sealer and chained log alike). */
export const CHAIN_LOCK = 'hssk:audit-seal';

/** The newest chained entry of either table: its position (`pos`) and hash. */
export const HEAD_SQL = `SELECT pos, hash FROM (
    (SELECT chain_pos AS pos, hash FROM audit_row WHERE chain_pos IS NOT NULL ORDER BY chain_pos DESC LIMIT 1)
    UNION ALL
    (SELECT first_pos + n - 1, substring(hashes FROM length(hashes) - 31) FROM audit_pack ORDER BY first_pos DESC LIMIT 1)
  ) h ORDER BY pos DESC LIMIT 1`;

export function chainHash(previous: Buffer, entry: AuditEntry): Buffer {
  return hashCanonical(previous, canonicalEntry(entry));
}

/** The same, from the entry's canonical form (audit-entry.ts, canonicalEntry). */
export function hashCanonical(previous: Buffer, canonical: string): Buffer {
  // One-shot over one buffer: a fifth cheaper than a Hash object per entry, and every read has one.
  const bytes = Buffer.allocUnsafe(32 + Buffer.byteLength(canonical));
  previous.copy(bytes, 0);
  bytes.write(canonical, 32, 'utf8');
  return hash('sha256', bytes, 'buffer');
}
