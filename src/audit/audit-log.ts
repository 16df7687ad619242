// Appending to the audit trail. `record` resolves once the entry is committed, so a request
// awaits it before answering (nothing lost on a crash). Concurrent calls are grouped into one
// multi-row INSERT (group commit): under load, one round trip carries many entries, and no
// lock is taken — the chain is built afterwards by the sealer (./sealer.ts).
import { preparedQuery, type Queryable } from '../store/database.ts';
import type { AuditEntryInput } from './audit-entry.ts';

const MAX_BATCH = 500;

export interface AuditLog {
  record(entry: AuditEntryInput): Promise<void>;
  recordMany(entries: AuditEntryInput[]): Promise<void>;
}

function values(e: AuditEntryInput): unknown[] {
  return [
    e.recordedAt ?? new Date(),
    e.action,
    e.outcome,
    e.agentKind,
    e.agentId ?? null,
    e.agentRole ?? null,
    e.agentFacility ?? null,
    e.patientId ?? null,
    e.entityType ?? null,
    e.entityId ?? null,
    e.query ?? null,
    e.sourceIp ?? null,
    e.reason ?? null,
    e.detail ? JSON.stringify(e.detail) : null,
  ];
}

/** The columns an entry fills, with the array type each is sent as (one array per column). */
const INSERT_COLUMNS: ReadonlyArray<[string, string]> = [
  ['recorded_at', 'timestamptz'],
  ['action', 'text'],
  ['outcome', 'text'],
  ['agent_kind', 'text'],
  ['agent_id', 'text'],
  ['agent_role', 'text'],
  ['agent_facility', 'text'],
  ['patient_id', 'text'],
  ['entity_type', 'text'],
  ['entity_id', 'text'],
  ['query', 'text'],
  ['source_ip', 'text'],
  ['reason', 'text'],
  ['detail', 'jsonb'],
];

// One statement text whatever the batch size (columns as arrays), so every connection parses
// and plans it once: the audit trail is written on every request that touches personal data.
const INSERT_SQL = `INSERT INTO audit_entry (${INSERT_COLUMNS.map(([c]) => c).join(', ')})
  SELECT * FROM unnest(${INSERT_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;

/** One INSERT for many entries. */
export async function insertAuditEntries(db: Queryable, entries: AuditEntryInput[]): Promise<void> {
  for (let start = 0; start < entries.length; start += MAX_BATCH) {
    const batch = entries.slice(start, start + MAX_BATCH);
    const columns: unknown[][] = INSERT_COLUMNS.map(() => []);
    for (const e of batch) values(e).forEach((v, c) => columns[c]!.push(v));
    await db.query(preparedQuery(INSERT_SQL, columns));
  }
}

/**
 * An AuditLog that groups concurrent records into batches handed to `write` (at most
 * `maxInFlight` batches at a time): entries arriving in the same tick, or while earlier batches
 * are in flight, share one batch. `record` resolves once `write` has committed its batch.
 */
export function batchingAuditLog(write: (entries: AuditEntryInput[]) => Promise<void>, maxInFlight: number, maxBatch = MAX_BATCH): AuditLog {
  let queue: Array<{ entry: AuditEntryInput; resolve: () => void; reject: (e: unknown) => void }> = [];
  let inFlight = 0;

  function flush(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      write(batch.map((b) => b.entry))
        .then(
          () => batch.forEach((b) => b.resolve()),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        )
        .finally(() => {
          inFlight--;
          flush();
        });
    }
  }

  return {
    record(entry) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ entry: { ...entry, recordedAt: entry.recordedAt ?? new Date() }, resolve, reject });
        if (queue.length === 1) queueMicrotask(flush);
      });
    },
    async recordMany(entries) {
      await Promise.all(entries.map((e) => this.record(e)));
    },
  };
}

/** Plain multi-row INSERTs, chained later by the sealer (at most `maxInFlight` at a time). */
export function createAuditLog(db: Queryable, maxInFlight = 4): AuditLog {
  return batchingAuditLog((entries) => insertAuditEntries(db, entries), maxInFlight);
}
