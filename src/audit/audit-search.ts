// Searching the trail, newest first, with keyset paging (the cursor is the last entry's seq).
// Residents are limited to entries about their own (and their proxies') records.
import type { Queryable } from '../store/database.ts';
import { AUDIT_COLUMNS, entryFromRow, type AuditAction, type AuditEntry, type AuditRow } from './audit-entry.ts';

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

/** The page query of a search (text and bind values): one more row than the page, newest first. */
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
  const count = Math.max(1, Math.min(query.count ?? 50, 1000));
  const text = `SELECT ${AUDIT_COLUMNS} FROM audit_entry ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${bind(count + 1)}`;
  return { text, values, count };
}

export async function searchAudit(db: Queryable, query: AuditQuery, scope: AuditScope): Promise<AuditPage> {
  const { text, values, count } = auditSearchSql(query, scope);
  const { rows } = await db.query<AuditRow>(text, values);
  const entries = rows.slice(0, count).map(entryFromRow);
  return rows.length > count ? { entries, next: entries[entries.length - 1]!.seq } : { entries };
}
