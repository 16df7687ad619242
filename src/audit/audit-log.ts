// Appending to the audit trail. `record` resolves once the entry is committed, so a request
// awaits it before answering (nothing lost on a crash). Concurrent calls are grouped into one
// multi-row INSERT (group commit): under load, one round trip carries many entries, and no
// lock is taken — the chain is built afterwards by the sealer (./sealer.ts).
import { preparedQuery, type Queryable } from '../store/database.ts';
import type { AuditEntryInput } from './audit-entry.ts';
import { ENTRY_COLUMNS, entryValues, rowsFromJson } from './audit-rows.ts';

const MAX_BATCH = 500;

export interface AuditLog {
  record(entry: AuditEntryInput): Promise<void>;
  recordMany(entries: AuditEntryInput[]): Promise<void>;
  /** Resolves once every entry recorded before the call is in PostgreSQL (or has failed). */
  flush(): Promise<void>;
}

// One statement text whatever the batch size, so every connection parses and plans it once: the
// audit trail is written on every request that touches personal data.
const INSERT_SQL = `INSERT INTO audit_row (${ENTRY_COLUMNS.map(([c]) => c).join(', ')}) ${rowsFromJson(ENTRY_COLUMNS, '$1')}`;

/** One INSERT for many entries. */
export async function insertAuditEntries(db: Queryable, entries: AuditEntryInput[]): Promise<void> {
  for (let start = 0; start < entries.length; start += MAX_BATCH) {
    const rows = entries
      .slice(start, start + MAX_BATCH)
      .map((e) => entryValues(e, e.recordedAt ?? new Date(), e.detail ? JSON.stringify(e.detail) : null));
    await db.query(preparedQuery(INSERT_SQL, [JSON.stringify(rows)]));
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
  let scheduled = false;
  let idle: Array<() => void> = [];

  // A batch leaves at the end of the event loop's current I/O phase (setImmediate), not at the
  // first microtask checkpoint: every request whose read completed in the same phase joins it.
  // Node could not run the batch's reply callback any sooner, and a statement per request
  // instead of per phase costs each request the fixed cost of a round trip and a commit.
  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  }

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
          if (queue.length > 0) schedule();
          else if (inFlight === 0) {
            const waiting = idle;
            idle = [];
            waiting.forEach((resolve) => resolve());
          }
        });
    }
  }

  return {
    record(entry) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ entry: { ...entry, recordedAt: entry.recordedAt ?? new Date() }, resolve, reject });
        schedule();
      });
    },
    async recordMany(entries) {
      await Promise.all(entries.map((e) => this.record(e)));
    },
    flush() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

/** Plain multi-row INSERTs, chained later by the sealer (at most `maxInFlight` at a time). */
export function createAuditLog(db: Queryable, maxInFlight = 4): AuditLog {
  return batchingAuditLog((entries) => insertAuditEntries(db, entries), maxInFlight);
}
