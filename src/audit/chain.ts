// The hash chain: hash(n) = SHA-256(hash(n-1) || canonical entry n), starting from 32 zero bytes.
import { createHash } from 'node:crypto';
import { canonicalEntry, type AuditEntry } from './audit-entry.ts';

export const GENESIS_HASH = Buffer.alloc(32);

/** The advisory lock under which entries get their place in the chain (sealer and chained log alike). */
export const CHAIN_LOCK = 'hssk:audit-seal';

export function chainHash(previous: Buffer, entry: AuditEntry): Buffer {
  return createHash('sha256').update(previous).update(canonicalEntry(entry)).digest();
}
