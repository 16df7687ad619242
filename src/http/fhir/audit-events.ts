// GET /fhir/AuditEvent[/{id}]: the audit trail read through the FHIR API. The trail lives in its
// own hash-chained table (src/audit), never in the resource store, so it is never editable
// through the API: only read and search are routed here. Administrators search the whole trail;
// residents see the entries about their own (and their children's) record, without the
// accounts, addresses and queries of the staff who read it.
import type { BundleLink } from '@medplum/fhirtypes';
import { AUDIT_ACTIONS, type AuditAction } from '../../audit/audit-entry.ts';
import { toAuditEvent } from '../../audit/audit-event.ts';
import { searchAudit, type AuditQuery } from '../../audit/audit-search.ts';
import { auditReadScope } from '../../auth/access-policy.ts';
import type { Actor } from '../../auth/actor.ts';
import { parseDateRange } from '../../fhir/dates.ts';
import { badRequest, FhirError, issue, notFound, outcome } from '../../fhir/outcomes.ts';
import type { Queryable } from '../../store/database.ts';
import { facilityNames } from '../../store/facility-names.ts';
import type { FhirRequest, FhirResponse } from './request.ts';

const SUPPORTED = new Set(['patient', 'entity', 'agent', 'action', 'subtype', 'date', '_count', '_cursor', '_id']);

function refId(value: string): string {
  return value.replace(/^.*\//, '');
}

function queryOf(req: FhirRequest): AuditQuery {
  const q: AuditQuery = {};
  for (const name of Object.keys(req.query)) {
    if (!SUPPORTED.has(name)) {
      throw new FhirError(400, outcome(issue('not-supported', `Tham số "${name}" không được hỗ trợ cho AuditEvent (supported: patient, entity, agent, action, date)`, name)));
    }
  }
  const one = (name: string) => req.query[name]?.[req.query[name]!.length - 1];
  const patient = one('patient');
  if (patient) q.patientId = refId(patient);
  const entity = one('entity');
  if (entity) {
    const [type, id] = entity.split('/');
    if (id) {
      q.entityType = type;
      q.entityId = id;
    } else q.entityId = entity;
  }
  const agent = one('agent');
  if (agent) q.agentId = refId(agent);
  const action = one('subtype') ?? one('action');
  if (action) {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) throw badRequest(`action "${action}" không hợp lệ (${AUDIT_ACTIONS.join(', ')})`, 'action');
    q.action = action as AuditAction;
  }
  for (const raw of req.query.date ?? []) {
    const prefix = /^(ge|gt|le|lt|eq)/.exec(raw)?.[1] ?? 'eq';
    const value = raw.replace(/^(ge|gt|le|lt|eq)/, '');
    const range = parseDateRange(value);
    if (!range) throw badRequest(`Ngày "${value}" không hợp lệ`, 'date');
    if (prefix === 'ge' || prefix === 'eq') q.from = range.low;
    if (prefix === 'gt') q.from = new Date(range.high.getTime() + 1);
    if (prefix === 'lt') q.to = range.low;
    if (prefix === 'le' || prefix === 'eq') q.to = new Date(range.high.getTime() + 1);
  }
  const count = one('_count');
  if (count !== undefined) q.count = Math.min(Number(count) || 50, 1000);
  const cursor = one('_cursor');
  if (cursor !== undefined) q.before = Number(cursor);
  return q;
}

/**
 * `beforeRead`: run once the caller is known to be allowed, before the trail is read (the
 * server's spooled read entries are written in first, so the trail includes a read made a
 * moment ago — and a caller who may not read it cannot make the server do that work).
 */
export async function auditEventInteraction(db: Queryable, req: FhirRequest, actor: Actor | undefined, beforeRead?: () => Promise<void>): Promise<FhirResponse> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new FhirError(405, outcome(issue('not-supported', 'Nhật ký truy cập chỉ được đọc, không bao giờ được sửa (the audit trail is read-only)')));
  }
  const scope = actor ? auditReadScope(actor) : { kind: 'all' as const };
  if (scope.kind === 'none') {
    throw new FhirError(403, outcome(issue('forbidden', 'Chỉ quản trị viên và chính người dân mới xem được nhật ký truy cập (not allowed)')));
  }
  await beforeRead?.();
  const view = actor?.kind === 'resident' ? 'resident' : 'full';
  const [, id] = req.path.split('/');
  if (id) {
    const seq = Number(id);
    const entry = Number.isInteger(seq) ? (await searchAudit(db, { before: seq + 1, count: 1 }, scope)).entries[0] : undefined;
    if (!entry || entry.seq !== seq) throw notFound(`Không tìm thấy AuditEvent/${id}`);
    return { status: 200, body: toAuditEvent(entry, view, await facilityNames(db, entry.agentFacility ? [entry.agentFacility] : [])) };
  }
  const query = queryOf(req);
  const page = await searchAudit(db, query, scope);
  // One lookup for the page's facilities, not one per entry.
  const names = await facilityNames(db, page.entries.flatMap((e) => (e.agentFacility ? [e.agentFacility] : [])));
  const links: BundleLink[] = [{ relation: 'self', url: `${req.baseUrl}/AuditEvent` }];
  if (page.next !== undefined) {
    const params = new URLSearchParams();
    for (const [k, vs] of Object.entries(req.query)) if (k !== '_cursor') for (const v of vs) params.append(k, v);
    params.set('_cursor', String(page.next));
    links.push({ relation: 'next', url: `${req.baseUrl}/AuditEvent?${params}` });
  }
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: 'searchset',
      link: links,
      entry: page.entries.map((e) => {
        const resource = toAuditEvent(e, view, names);
        return { fullUrl: `${req.baseUrl}/AuditEvent/${resource.id}`, resource, search: { mode: 'match' } };
      }),
    },
  };
}
