// How a batch of audit entries travels to PostgreSQL: one JSON text parameter, an array of rows
// (each row an array of the column values, absent as null), unpacked in SQL by
// jsonb_array_elements (jsonb, not json: `->>` on json re-reads the row's text for every field).
// The former shape — one typed array parameter per column — cost the PostgreSQL backend about
// half as much again per statement in array parsing (fourteen to seventeen array_in calls at
// Bind), for the small batches of concurrent reads (docs/benchmarks.md, "Authorisation and audit").
import type { AuditEntryInput } from './audit-entry.ts';

/** A column of audit_entry and the SQL type its JSON text is cast to. */
type Column = readonly [name: string, type: string];

/** The columns of an entry as recorded, in the order entryValues lists them. */
export const ENTRY_COLUMNS: readonly Column[] = [
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

/** The values of ENTRY_COLUMNS for one entry (`detailText`: the detail as already serialised, if any). */
export function entryValues(e: AuditEntryInput, recordedAt: Date, detailText: string | null): unknown[] {
  return [
    recordedAt.toISOString(),
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
    detailText,
  ];
}

/** `SELECT` of the rows held by the JSON parameter `param`, one output column per entry of `columns`. */
export function rowsFromJson(columns: readonly Column[], param: string): string {
  const fields = columns.map(([, type], i) => (type === 'text' ? `r->>${i}` : `(r->>${i})::${type}`));
  return `SELECT ${fields.join(', ')} FROM jsonb_array_elements(${param}::jsonb) AS r`;
}

/** bytea as the hex text that its input function reads. */
export function byteaText(value: Buffer): string {
  return `\\x${value.toString('hex')}`;
}
