// Searching the trail, newest first, with keyset paging (the cursor is the last entry's seq).
// Residents are limited to entries about their own (and their proxies') records.
// Entries live in two tables (migration 420): audit_row, searched by its indexes, and
// audit_pack, whose batches are found by their keys (GIN) and unpacked here; the two are merged.
import type { Queryable } from '../store/database.ts';
import { AUDIT_COLUMNS, entryFromCanonical, entryFromRow, type AuditAction, type AuditEntry, type AuditRow } from './audit-entry.ts';

export interface AuditQuery {
  patientId?: string;
  entityType?: string;
  entityId?: string;
  agentId?: string;
  action?: AuditAction;
  /** recorded_at >= from */
  from?: Date;
  /** recorded_at < to */
  to?: Date;
  /** Page size (1–1000, default 50). */
  count?: number;
  /** Cursor from the previous page: entries older than this seq. */
  before?: number;
}

export type AuditScope = { kind: 'all' } | { kind: 'patients'; patientIds: string[] };

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass as `before` for the next page; absent on the last page. */
  next?: number;
}

function pageSize(query: AuditQuery): number {
  return Math.max(1, Math.min(query.count ?? 50, 1000));
}

/** The page query of audit_row (text and bind values): one more row than the page, newest first. */
export function auditSearchSql(query: AuditQuery, scope: AuditScope): { text: string; values: unknown[]; count: number } {
  const where: string[] = [];
  const values: unknown[] = [];
  const bind = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (scope.kind === 'patients') where.push(`patient_id = ANY(${bind(scope.patientIds)}::text[])`);
  if (query.patientId) where.push(`patient_id = ${bind(query.patientId)}`);
  if (query.entityType) where.push(`entity_type = ${bind(query.entityType)}`);
  if (query.entityId) {
    // The entity index leaves out a patient's own record (filed under the patient index): the
    // first branch repeats that index's predicate so that the planner may use it.
    const id = bind(query.entityId);
    where.push(`((entity_id = ${id} AND entity_id IS NOT NULL AND entity_id IS DISTINCT FROM patient_id) OR (patient_id = ${id} AND entity_id = ${id}))`);
  }
  if (query.agentId) where.push(`agent_id = ${bind(query.agentId)}`);
  if (query.action) where.push(`action = ${bind(query.action)}`);
  if (query.from) where.push(`recorded_at >= ${bind(query.from)}`);
  if (query.to) where.push(`recorded_at < ${bind(query.to)}`);
  if (query.before !== undefined) where.push(`seq < ${bind(query.before)}`);
  const count = pageSize(query);
  const text = `SELECT ${AUDIT_COLUMNS} FROM audit_row ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${bind(count + 1)}`;
  return { text, values, count };
}

/** Whether a packed entry answers the query (the pack's keys only narrowed the packs down). */
function matches(e: AuditEntry, query: AuditQuery, scope: AuditScope): boolean {
  if (scope.kind === 'patients' && !(e.patientId !== undefined && scope.patientIds.includes(e.patientId))) return false;
  if (query.patientId && e.patientId !== query.patientId) return false;
  if (query.entityType && e.entityType !== query.entityType) return false;
  if (query.entityId && e.entityId !== query.entityId) return false;
  if (query.agentId && e.agentId !== query.agentId) return false;
  if (query.action && e.action !== query.action) return false;
  if (query.from && e.recordedAt < query.from) return false;
  if (query.to && e.recordedAt >= query.to) return false;
  if (query.before !== undefined && e.seq >= query.before) return false;
  return true;
}

/**
 * The newest `want` packed entries that answer the query. Packs are read by descending max_seq
 * in growing chunks: once `want` entries at or above the last chunk's smallest max_seq are found,
 * no unread pack (all of whose entries are older) can hold a newer one.
 */
async function searchPacks(db: Queryable, query: AuditQuery, scope: AuditScope, want: number): Promise<AuditEntry[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  const bind = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  const required: string[] = [];
  if (query.patientId) required.push(`p:${query.patientId}`);
  if (query.agentId) required.push(`a:${query.agentId}`);
  if (query.action) required.push(`x:${query.action}`);
  if (required.length > 0) where.push(`keys @> ${bind(required)}::text[]`);
  // A patient's own Patient record is keyed under the patient (chained-audit-log.ts, packKeys).
  if (query.entityId) where.push(`keys && ${bind([`e:${query.entityId}`, `p:${query.entityId}`])}::text[]`);
  if (scope.kind === 'patients') where.push(`keys && ${bind(scope.patientIds.map((id) => `p:${id}`))}::text[]`);
  if (query.from) where.push(`last_recorded >= ${bind(query.from)}`);
  if (query.to) where.push(`first_recorded < ${bind(query.to)}`);
  if (query.before !== undefined) where.push(`min_seq < ${bind(query.before)}`);
  const cursorParam = bind(null);
  const limitParam = bind(0);
  const text = `SELECT first_pos, max_seq, entries FROM audit_pack
     WHERE ${[...where, `(${cursorParam}::bigint IS NULL OR max_seq < ${cursorParam}::bigint)`].join(' AND ')}
     ORDER BY max_seq DESC LIMIT ${limitParam}`;
  const found: AuditEntry[] = [];
  let cursor: number | null = null;
  for (let chunk = 20; ; chunk = Math.min(chunk * 4, 5000)) {
    values[values.length - 2] = cursor;
    values[values.length - 1] = chunk;
    const { rows } = await db.query<{ first_pos: number; max_seq: number; entries: string }>(text, values);
    for (const pack of rows) {
      (JSON.parse(pack.entries) as unknown[]).forEach((c, i) => {
        const e = entryFromCanonical(c);
        if (!matches(e, query, scope)) return;
        e.chainPos = pack.first_pos + i;
        found.push(e);
      });
    }
    if (rows.length < chunk) break;
    cursor = rows[rows.length - 1]!.max_seq;
    if (found.filter((e) => e.seq >= cursor!).length >= want) break;
  }
  return found.sort((a, b) => b.seq - a.seq).slice(0, want);
}

export async function searchAudit(db: Queryable, query: AuditQuery, scope: AuditScope): Promise<AuditPage> {
  const { text, values, count } = auditSearchSql(query, scope);
  const [{ rows }, packed] = await Promise.all([db.query<AuditRow>(text, values), searchPacks(db, query, scope, count + 1)]);
  const all = [...rows.map(entryFromRow), ...packed].sort((a, b) => b.seq - a.seq).slice(0, count + 1);
  const entries = all.slice(0, count);
  return all.length > count ? { entries, next: entries[entries.length - 1]!.seq } : { entries };
}
