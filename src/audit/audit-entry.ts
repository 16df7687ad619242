// One audit trail entry, shaped after FHIR AuditEvent: who (agent), what (action, entity or
// query), whose record (patient), when, from where, outcome and why.
import { actorFacility, actorId, actorRole, type Actor } from '../auth/actor.ts';

export const AUDIT_ACTIONS = [
  'read',
  'vread',
  'search',
  'history',
  'create',
  'update',
  'delete',
  'export',
  'import',
  'login',
  'logout',
  'consent-grant',
  'consent-revoke',
  'break-glass',
  'account',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** FHIR AuditEvent.outcome: 0 success, 4 minor failure (refused, not found), 8 serious, 12 major. */
export type AuditOutcome = '0' | '4' | '8' | '12';

export interface AuditEntryInput {
  action: AuditAction;
  outcome: AuditOutcome;
  agentKind: string;
  agentId?: string;
  agentRole?: string;
  agentFacility?: string;
  patientId?: string;
  entityType?: string;
  entityId?: string;
  /** A search query string. Stored (investigations need it), never logged, never shown to residents. */
  query?: string;
  sourceIp?: string;
  reason?: string;
  detail?: Record<string, string | number | boolean | null>;
  /** Defaults to now. Millisecond precision (the chain hashes the ISO form). */
  recordedAt?: Date;
}

export interface AuditEntry extends Omit<AuditEntryInput, 'recordedAt'> {
  seq: number;
  recordedAt: Date;
  chainPos?: number;
}

/** The agent fields of an entry made by `actor`. */
export function agentOf(actor: Actor | undefined): Pick<AuditEntryInput, 'agentKind' | 'agentId' | 'agentRole' | 'agentFacility'> {
  if (!actor) return { agentKind: 'anonymous' };
  const facility = actorFacility(actor);
  return { agentKind: actor.kind, agentId: actorId(actor), agentRole: actorRole(actor), ...(facility ? { agentFacility: facility } : {}) };
}

/**
 * The bytes the chain hashes: a JSON array in a fixed field order, absent fields as null.
 * Changing this order breaks every existing chain; add new fields at the end only.
 */
export function canonicalEntry(e: AuditEntry): string {
  return withSequence(e.seq, canonicalFields(e));
}

/**
 * The canonical form without its first element, the sequence number (given when the entry joins
 * the chain): made once per entry, when it is recorded, and used both for its spool line and for
 * its canonical form (./audit-spool.ts).
 */
export function canonicalFields(e: Omit<AuditEntry, 'seq'>): string {
  return JSON.stringify([
    e.recordedAt.toISOString(),
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
    e.detail ? Object.keys(e.detail).sort().map((k) => [k, e.detail![k]]) : null,
  ]);
}

/** `[first, …fields]`: the canonical form of the entry numbered `first` whose other fields are `fields` (canonicalFields). */
export function withSequence(first: number, fields: string): string {
  if (!Number.isSafeInteger(first)) throw new Error(`not an entry number: ${first}`);
  return `[${first},${fields.slice(1)}`;
}

/** The entry whose canonical form (above) is `c`, as parsed from JSON (audit_pack.entries). */
export function entryFromCanonical(c: unknown): AuditEntry {
  if (!Array.isArray(c) || c.length !== 15) throw new Error('not a canonical audit entry');
  const a = c as unknown[];
  const e: AuditEntry = { seq: a[0] as number, recordedAt: new Date(a[1] as string), action: a[2] as AuditAction, outcome: a[3] as AuditOutcome, agentKind: a[4] as string };
  const optional = ['agentId', 'agentRole', 'agentFacility', 'patientId', 'entityType', 'entityId', 'query', 'sourceIp', 'reason'] as const;
  optional.forEach((k, i) => {
    const v = a[5 + i];
    if (typeof v === 'string') e[k] = v;
  });
  if (Array.isArray(a[14])) e.detail = Object.fromEntries(a[14] as [string, string | number | boolean | null][]);
  return e;
}

export interface AuditRow {
  seq: number;
  recorded_at: Date;
  action: AuditAction;
  outcome: AuditOutcome;
  agent_kind: string;
  agent_id: string | null;
  agent_role: string | null;
  agent_facility: string | null;
  patient_id: string | null;
  entity_type: string | null;
  entity_id: string | null;
  query: string | null;
  source_ip: string | null;
  reason: string | null;
  detail: Record<string, string | number | boolean | null> | null;
  chain_pos: number | null;
}

export const AUDIT_COLUMNS =
  'seq, recorded_at, action, outcome, agent_kind, agent_id, agent_role, agent_facility, patient_id, entity_type, entity_id, query, source_ip, reason, detail, chain_pos';

export function entryFromRow(r: AuditRow): AuditEntry {
  const e: AuditEntry = { seq: r.seq, recordedAt: r.recorded_at, action: r.action, outcome: r.outcome, agentKind: r.agent_kind };
  if (r.agent_id !== null) e.agentId = r.agent_id;
  if (r.agent_role !== null) e.agentRole = r.agent_role;
  if (r.agent_facility !== null) e.agentFacility = r.agent_facility;
  if (r.patient_id !== null) e.patientId = r.patient_id;
  if (r.entity_type !== null) e.entityType = r.entity_type;
  if (r.entity_id !== null) e.entityId = r.entity_id;
  if (r.query !== null) e.query = r.query;
  if (r.source_ip !== null) e.sourceIp = r.source_ip;
  if (r.reason !== null) e.reason = r.reason;
  if (r.detail !== null) e.detail = r.detail;
  if (r.chain_pos !== null) e.chainPos = r.chain_pos;
  return e;
}
