// A transaction Bundle made only of identifier-keyed conditional updates and deletes, and updates
// or deletes by id — what a province's sync worker pushes to the hub — applied as a batch: every
// condition locked and resolved in one query each, every current row read and locked in one
// query, then every version written by the batch resource writer (one statement for new
// resources, one for new versions). Entry by entry, the same Bundle cost a lock, a search, a read
// and a write per entry. The semantics are those of the entry-by-entry road (bundle-processor.ts):
// the same condition locks, 412 on several matches, update-as-create with the sender's id, the
// storage policy, validation, authorisation and one access record (audit, patient index) per write.
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { badRequest, conflict, FhirError, issue, notFound, outcome, preconditionFailed } from '../../fhir/outcomes.ts';
import { getSearchParam, paramKey } from '../../fhir/search-parameters.ts';
import { assertValidResource } from '../../fhir/validation.ts';
import { isSupportedResourceType } from '../../fhir/definitions.ts';
import { extractIndex } from '../../store/indexer.ts';
import type { Repository, WriteResult } from '../../store/repository.ts';
import { insertNewResources, updateExistingResources, type VersionToWrite } from '../../store/resource-writer.ts';
import { storagePolicy, writeResponse } from './interactions.ts';
import type { FhirCaller, FhirRequest, FhirResponse } from './request.ts';

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;
const TYPE_RE = /^[A-Z][A-Za-z]+$/;
/** `system|value` without escapes: anything fancier takes the entry-by-entry road. */
const TOKEN_RE = /^([^|\\,$]+)\|([^|\\,$]+)$/;

interface Planned {
  index: number;
  req: FhirRequest;
  type: string;
  /** The identifier condition, or undefined for an entry addressed by id. */
  key?: { system: string; value: string; lock: string };
  id?: string;
}

interface CurrentRow {
  rid: number;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  compartment: string | null;
}

/**
 * The entries as a batch plan, or undefined when the Bundle needs the entry-by-entry road:
 * another method, If-Match and friends, urn: references, other conditions, a caller whose reads
 * are restricted (its visibility is checked per resource), two entries on one target, or a
 * Patient where identity matching applies (a province, not the hub).
 */
export function planBatch(requests: { index: number; entry: { fullUrl?: string }; req: FhirRequest }[], caller: FhirCaller): Planned[] | undefined {
  if (caller.access || requests.length < 2) return undefined;
  const plan: Planned[] = [];
  const targets = new Set<string>();
  for (const { index, entry, req } of requests) {
    if (req.method !== 'PUT' && req.method !== 'DELETE') return undefined;
    if (req.ifMatch || req.ifNoneExist || req.ifNoneMatch || entry.fullUrl?.startsWith('urn:')) return undefined;
    const [type, id, more] = req.path.replace(/^\/+|\/+$/g, '').split('/');
    if (!type || !TYPE_RE.test(type) || more !== undefined || !isSupportedResourceType(type)) return undefined;
    // Patient writes that the identity matcher must see take the entry-by-entry road (the hub has no matching).
    if (type === 'Patient' && caller.matching) return undefined;
    const body = req.body as Resource | undefined;
    if (req.method === 'PUT' && (!body || typeof body !== 'object' || body.resourceType !== type || JSON.stringify(body).includes('"urn:'))) return undefined;
    let planned: Planned;
    if (id !== undefined) {
      if (!ID_RE.test(id) || Object.keys(req.query).length > 0 || (req.method === 'PUT' && body!.id !== id)) return undefined;
      planned = { index, req, type, id };
    } else {
      const names = Object.keys(req.query);
      const value = req.query.identifier;
      if (names.length !== 1 || value?.length !== 1 || !getSearchParam(type, 'identifier')) return undefined;
      const m = TOKEN_RE.exec(value[0]!);
      if (!m) return undefined;
      // The same lock key as a top-level conditional update (Repository.withConditionLock).
      planned = { index, req, type, key: { system: m[1]!, value: m[2]!, lock: `${type}?${new URLSearchParams([['identifier', value[0]!]]).toString()}` } };
    }
    const target = planned.key ? `${type}?${planned.key.system}|${planned.key.value}` : `${type}/${planned.id}`;
    if (targets.has(target)) return undefined;
    targets.add(target);
    plan.push(planned);
  }
  return plan;
}

function atEntry(index: number, err: unknown): unknown {
  if (err instanceof FhirError) err.outcome.issue?.forEach((i) => (i.expression = [...(i.expression ?? []), `Bundle.entry[${index}]`]));
  return err;
}

/**
 * Applies a plan inside the Bundle's transaction. Returns the responses by entry index, or
 * undefined (having written nothing) when two entries turn out to name the same resource.
 */
export async function applyBatch(tx: Repository, plan: Planned[], caller: FhirCaller): Promise<Map<number, FhirResponse> | undefined> {
  const q = tx.queryable;
  for (const p of plan) {
    try {
      caller.authorize(p.req.method === 'PUT' ? 'update' : 'delete', p.type, p.req.method === 'PUT' ? p.req.body : undefined);
    } catch (err) {
      throw atEntry(p.index, err);
    }
  }

  // 1. Condition locks (sorted: two batches never wait on each other in a cycle), then every
  //    identifier resolved in one query.
  const keyed = plan.filter((p) => p.key);
  const locks = [...new Set(keyed.map((p) => p.key!.lock))].sort();
  if (locks.length > 0) await q.query('SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM unnest($1::text[]) AS k', [locks]);
  const matches = new Map<number, string[]>();
  if (keyed.length > 0) {
    const { rows } = await q.query<{ ord: number; id: string }>(
      `SELECT DISTINCT k.ord, r.id
        FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[]) AS k(ord, p, type, system, code)
        JOIN search_token t ON t.p = k.p AND t.code = k.code AND t.system = k.system
        JOIN resource r ON r.rid = t.rid AND r.resource_type = k.type AND NOT r.deleted`,
      [keyed.map((p) => p.index), keyed.map((p) => paramKey(p.type, 'identifier')), keyed.map((p) => p.type), keyed.map((p) => p.key!.system), keyed.map((p) => p.key!.value)],
    );
    for (const r of rows) (matches.get(r.ord) ?? matches.set(r.ord, []).get(r.ord)!).push(r.id);
  }

  // 2. The resource each entry writes, by id (a conditional update that finds nothing creates
  //    the sender's id — the province keeps its ids, so references between records hold).
  const targetId = new Map<number, string | undefined>();
  for (const p of plan) {
    if (p.id) {
      targetId.set(p.index, p.id);
      continue;
    }
    const found = matches.get(p.index) ?? [];
    if (found.length > 1) {
      throw atEntry(p.index, preconditionFailed(`Điều kiện ${p.req.method === 'PUT' ? 'cập nhật' : 'xoá'} khớp với ${found.length} tài nguyên (condition matches several resources)`));
    }
    const bodyId = (p.req.body as Resource | undefined)?.id;
    if (found.length === 1 && bodyId && bodyId !== found[0]) {
      throw atEntry(p.index, badRequest(`id "${bodyId}" khác với tài nguyên khớp điều kiện (${found[0]})`, `${p.type}.id`));
    }
    if (bodyId !== undefined && !ID_RE.test(bodyId)) throw atEntry(p.index, badRequest(`Mã tài nguyên "${bodyId}" không hợp lệ (ids are 1–64 of A–Z a–z 0–9 - .)`));
    targetId.set(p.index, found[0] ?? (p.req.method === 'PUT' ? (bodyId ?? randomUUID()) : undefined));
  }
  const named = new Set<string>();
  for (const p of plan) {
    const id = targetId.get(p.index);
    if (id === undefined) continue;
    if (named.has(`${p.type}/${id}`)) return undefined;
    named.add(`${p.type}/${id}`);
  }

  // 3. Their current rows, locked until commit (in key order, like any other writer).
  const wanted = plan.filter((p) => targetId.get(p.index) !== undefined);
  const current = new Map<string, CurrentRow>();
  if (wanted.length > 0) {
    const { rows } = await q.query<{ rid: number; resource_type: string; id: string; version_id: number; last_updated: Date; deleted: boolean; compartment: string | null }>(
      `SELECT r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.compartment
        FROM resource r JOIN unnest($1::text[], $2::text[]) AS k(type, id) ON r.resource_type = k.type AND r.id = k.id
        ORDER BY r.rid FOR UPDATE OF r`,
      [wanted.map((p) => p.type), wanted.map((p) => targetId.get(p.index)!)],
    );
    for (const r of rows) {
      current.set(`${r.resource_type}/${r.id}`, { rid: r.rid, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, deleted: r.deleted, compartment: r.compartment });
    }
  }

  // 4. The new versions.
  const inserts: VersionToWrite[] = [];
  const updates: VersionToWrite[] = [];
  const results = new Map<number, FhirResponse>();
  const after: (() => void)[] = [];
  const now = Date.now();
  for (const p of plan) {
    const id = targetId.get(p.index);
    const row = id === undefined ? undefined : current.get(`${p.type}/${id}`);
    try {
      if (p.req.method === 'DELETE') {
        if (!row) {
          if (p.key) results.set(p.index, { status: 204 });
          else throw notFound(`Không tìm thấy ${p.type}/${p.id} (not found)`);
          continue;
        }
        if (row.deleted) {
          results.set(p.index, { status: 204 });
          continue;
        }
        updates.push({
          resourceType: p.type, id: row.id, versionId: row.versionId + 1, lastUpdated: nextInstant(now, row), deleted: true, method: 'delete',
          compartment: null, sourceFacility: caller.sourceFacility ?? null, content: null, index: null, existing: { rid: row.rid, versionId: row.versionId },
        });
        after.push(() => caller.onAccess?.({ action: 'delete', entityType: p.type, entityId: row.id, patientIds: [row.compartment] }));
        results.set(p.index, { status: 200, body: outcome(issue('informational', `Đã xoá ${p.type}/${row.id} (deleted)`, undefined, 'information')) });
        continue;
      }
      if (p.key && !matches.get(p.index)?.length && row && !row.deleted) {
        throw badRequest(`${p.type}/${row.id} đã tồn tại nhưng không khớp điều kiện (exists but does not match the condition)`);
      }
      const versionId = row ? row.versionId + 1 : 1;
      const lastUpdated = row ? nextInstant(now, row) : new Date(now).toISOString();
      const body = p.req.body as Resource;
      const stored = { ...body, id: id!, meta: { ...body.meta, versionId: String(versionId), lastUpdated } } as Resource & { id: string };
      assertValidResource(stored);
      storagePolicy(stored);
      const { rows, compartment } = extractIndex(stored);
      const json = JSON.stringify(stored);
      const version: VersionToWrite = {
        resourceType: p.type, id: id!, versionId, lastUpdated, deleted: false, method: row ? 'update' : 'create',
        compartment: compartment ?? null, sourceFacility: caller.sourceFacility ?? null, content: json, index: rows,
        ...(row ? { existing: { rid: row.rid, versionId: row.versionId } } : {}),
      };
      (row ? updates : inserts).push(version);
      const result: WriteResult = { resource: stored, content: json, versionId, lastUpdated, created: !row, compartment: compartment ?? null };
      after.push(() => results.set(p.index, writeResponse(p.req, result, caller)));
    } catch (err) {
      throw atEntry(p.index, err);
    }
  }

  // 5. Two statements for the whole Bundle.
  try {
    await insertNewResources(q, inserts);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw conflict('Một tài nguyên trong giao dịch vừa được tạo đồng thời (created concurrently) — gửi lại');
    throw err;
  }
  const written = await updateExistingResources(q, updates);
  if (written.length !== updates.length) throw conflict('Một tài nguyên trong giao dịch vừa được ghi đồng thời (updated concurrently) — gửi lại');
  for (const f of after) f();
  return results;
}

/** A new version's time: now, and never before the version it replaces. */
function nextInstant(now: number, row: CurrentRow): string {
  return new Date(Math.max(now, row.lastUpdated.getTime() + 1)).toISOString();
}
