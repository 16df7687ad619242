// Appending to the audit trail. `record` resolves once the entry is committed, so a request
// awaits it before answering (nothing lost on a crash). Concurrent calls are grouped into one
// multi-row INSERT (group commit): under load, one round trip carries many entries, and no
// lock is taken — the chain is built afterwards by the sealer (./sealer.ts).
import type { Queryable } from '../store/database.ts';
import type { AuditEntryInput } from './audit-entry.ts';

const MAX_BATCH = 500;
const COLUMNS = 15;

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
    null,
  ];
}

/** One INSERT for many entries. */
export async function insertAuditEntries(db: Queryable, entries: AuditEntryInput[]): Promise<void> {
  for (let start = 0; start < entries.length; start += MAX_BATCH) {
    const batch = entries.slice(start, start + MAX_BATCH);
    const params: unknown[] = [];
    const rows = batch.map((e, i) => {
      params.push(...values(e));
      return `(${Array.from({ length: COLUMNS }, (_, c) => `$${i * COLUMNS + c + 1}`).join(', ')})`;
    });
    await db.query(
      `INSERT INTO audit_entry (recorded_at, action, outcome, agent_kind, agent_id, agent_role, agent_facility, patient_id,
                                entity_type, entity_id, query, source_ip, reason, detail, hash)
       VALUES ${rows.join(', ')}`,
      params,
    );
  }
}

/** An AuditLog that batches concurrent records (at most `maxInFlight` INSERTs at a time). */
export function createAuditLog(db: Queryable, maxInFlight = 4): AuditLog {
  let queue: Array<{ entry: AuditEntryInput; resolve: () => void; reject: (e: unknown) => void }> = [];
  let inFlight = 0;

  function flush(): void {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      inFlight++;
      insertAuditEntries(db, batch.map((b) => b.entry))
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
        // Entries arriving in the same tick share the INSERT.
        if (queue.length === 1) queueMicrotask(flush);
      });
    },
    async recordMany(entries) {
      await Promise.all(entries.map((e) => this.record(e)));
    },
  };
}
