// The routing table of FHIR interactions (R4 RESTful API): one function per interaction, chosen
// from the method and path. Shared by top-level HTTP requests and Bundle entries.
import { applyPatch, type Operation } from '@medplum/core';
import type { Bundle, BundleLink, OperationOutcome, Patient, Resource } from '@medplum/fhirtypes';
import { badRequest, FhirError, issue, notFound, outcome, preconditionFailed } from '../../fhir/outcomes.ts';
import { assertId, assertResourceType, type HistoryEntry, type Repository, type StoredVersion, type WriteResult } from '../../store/repository.ts';
import { parseSearch } from '../../store/search/parse.ts';
import { classifyResource, EXCLUSION_LABELS } from '../../policy/sensitive-data.ts';
import { searchBundleJson, subsetter } from './bundles.ts';
import { capabilityStatement } from './capability.ts';
import { everything } from './everything.ts';
import { addContact } from './add-contact.ts';
import { residentWrite, type ResidentWrite } from '../../auth/resident-writes.ts';
import { assertValidResource } from '../../fhir/validation.ts';
import { identifiersGained, PatientIdentity, type IdentityMatching } from './patient-identity.ts';
import { keepResidentIds, refuseClientResidentIds } from './resident-ids.ts';
import { residentIdOf } from '../../identity/mpi/person-facts.ts';
import { withResidentId } from '../../pipeline/patient-data.ts';
import { parseETag, readableRows, type FhirCaller, type FhirRequest, type FhirResponse } from './request.ts';

type Handler = (repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]) => Promise<FhirResponse>;

interface Route {
  method: FhirRequest['method'] | 'GET|HEAD';
  pattern: RegExp;
  handler: Handler;
}

const TYPE = '([A-Z][A-Za-z]+)';
const ID = '([A-Za-z0-9\\-.]{1,64})';

const routes: Route[] = [
  { method: 'GET|HEAD', pattern: /^metadata$/, handler: async (_r, req, c) => {
    c.authorize('capabilities', undefined);
    return { status: 200, body: capabilityStatement(req.baseUrl) };
  } },
  { method: 'GET|HEAD', pattern: /^_history$/, handler: (r, q, c) => history(r, q, c, undefined, undefined) },
  { method: 'GET|HEAD', pattern: new RegExp(`^${TYPE}/_history$`), handler: (r, q, c, m) => history(r, q, c, m[1], undefined) },
  { method: 'GET|HEAD', pattern: new RegExp(`^${TYPE}/${ID}/_history$`), handler: (r, q, c, m) => history(r, q, c, m[1], m[2]) },
  { method: 'GET|HEAD', pattern: new RegExp(`^${TYPE}/${ID}/_history/(\\d+)$`), handler: vread },
  { method: 'GET|HEAD', pattern: new RegExp(`^Patient/${ID}/\\$everything$`), handler: (r, q, c, m) => everythingHandler(r, q, c, m[1]!) },
  { method: 'GET|HEAD', pattern: new RegExp(`^${TYPE}/${ID}$`), handler: read },
  { method: 'GET|HEAD', pattern: new RegExp(`^${TYPE}$`), handler: search },
  { method: 'POST', pattern: new RegExp(`^${TYPE}/_search$`), handler: search },
  { method: 'POST', pattern: new RegExp(`^Patient/${ID}/\\$add-contact$`), handler: (r, q, c, m) => addContact(r, q, c, m[1]!, writeResponse) },
  { method: 'POST', pattern: new RegExp(`^${TYPE}$`), handler: create },
  { method: 'PUT', pattern: new RegExp(`^${TYPE}/${ID}$`), handler: update },
  { method: 'PUT', pattern: new RegExp(`^${TYPE}$`), handler: conditionalUpdate },
  { method: 'PATCH', pattern: new RegExp(`^${TYPE}/${ID}$`), handler: patch },
  { method: 'PATCH', pattern: new RegExp(`^${TYPE}$`), handler: conditionalPatch },
  { method: 'DELETE', pattern: new RegExp(`^${TYPE}/${ID}$`), handler: remove },
  { method: 'DELETE', pattern: new RegExp(`^${TYPE}$`), handler: conditionalDelete },
];

export async function executeInteraction(repo: Repository, req: FhirRequest, caller: FhirCaller): Promise<FhirResponse> {
  const path = req.path.replace(/^\/+|\/+$/g, '');
  let methodMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    methodMatched = true;
    const ok = route.method === 'GET|HEAD' ? req.method === 'GET' || req.method === 'HEAD' : route.method === req.method;
    if (ok) return route.handler(repo, req, caller, m);
  }
  if (methodMatched) {
    throw new FhirError(405, outcome(issue('not-supported', `Phương thức ${req.method} không được hỗ trợ trên ${path || '/'} (method not allowed)`)));
  }
  const type = /^([A-Za-z]+)/.exec(path)?.[1];
  if (type) assertResourceType(type);
  throw new FhirError(404, outcome(issue('not-found', `Không có tương tác FHIR nào tại "${path}" (no such FHIR endpoint)`)));
}

// ---------- helpers ----------

/**
 * MISSION B8 on the FHIR path: a resource carrying HIV/AIDS, drug-addiction or sex-work
 * information is refused, never stored. The answer names the category, never the content.
 */
export function storagePolicy(resource: Resource): void {
  const category = classifyResource(resource);
  if (category) {
    throw new FhirError(
      422,
      outcome(
        issue(
          'business-rule',
          `Không lưu vào hồ sơ sức khỏe: nội dung thuộc nhóm "${EXCLUSION_LABELS[category]}" chưa được phép lưu theo quy định (MISSION B8) — resource refused by the storage policy`,
        ),
      ),
    );
  }
}

export function versionHeaders(v: { versionId: number; lastUpdated: Date | string }): Record<string, string> {
  const date = typeof v.lastUpdated === 'string' ? new Date(v.lastUpdated) : v.lastUpdated;
  return { ETag: `W/"${v.versionId}"`, 'Last-Modified': date.toUTCString() };
}

function expectedVersion(req: FhirRequest): number | undefined {
  const v = parseETag(req.ifMatch);
  if (Number.isNaN(v)) throw badRequest(`If-Match "${req.ifMatch}" không hợp lệ; dùng W/"phiên bản" (use W/"versionId")`);
  return v;
}

export function writeResponse(req: FhirRequest, result: WriteResult, caller?: FhirCaller, indexed = false): FhirResponse {
  caller?.onAccess?.({
    action: result.created ? 'create' : 'update',
    entityType: result.resource.resourceType,
    entityId: result.resource.id,
    patientIds: [result.compartment],
    ...(indexed ? { indexed } : {}),
  });
  const location = `${req.baseUrl}/${result.resource.resourceType}/${result.resource.id}/_history/${result.versionId}`;
  const headers = { ...versionHeaders(result), ...(result.created ? { Location: location } : {}), 'Content-Location': location };
  const status = result.created ? 201 : 200;
  if (req.prefer.return === 'minimal') return { status, headers };
  if (req.prefer.return === 'OperationOutcome') {
    return { status, headers, body: outcome(issue('informational', result.created ? 'Đã tạo (created)' : 'Đã cập nhật (updated)', undefined, 'information')) };
  }
  return { status, headers, body: result.content };
}

/**
 * A resident's write is their own statement: marked as self-reported, and refused when it would
 * change something a facility recorded (auth/resident-writes.ts). Others' writes pass unchanged.
 */
function asWritten<T extends Resource | undefined>(caller: FhirCaller, interaction: ResidentWrite, next: T, current?: StoredVersion): T {
  if (!caller.selfReporter) return next;
  const before = current && !current.deleted && current.content ? (JSON.parse(current.content) as Resource) : undefined;
  return residentWrite(caller.selfReporter, interaction, next, before) as T;
}

/** A resident's update is checked against the version read, so it must replace exactly that one. */
function guardedVersion(req: FhirRequest, caller: FhirCaller, current: StoredVersion | undefined): number | undefined {
  const expected = expectedVersion(req);
  return expected ?? (caller.selfReporter && current && !current.deleted ? current.versionId : undefined);
}

function bodyResource(req: FhirRequest, type: string): Resource {
  const body = req.body as Resource | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('Nội dung yêu cầu phải là một tài nguyên FHIR dạng JSON (request body must be a FHIR resource)');
  }
  if (body.resourceType !== type) {
    throw badRequest(`resourceType "${String(body.resourceType)}" không khớp với đường dẫn ${type} (resourceType does not match the URL)`, 'resourceType');
  }
  return body;
}

function queryString(query: Record<string, string[]>): string {
  const params = new URLSearchParams();
  for (const [k, values] of Object.entries(query)) for (const v of values) params.append(k, v);
  return params.toString();
}

// ---------- interactions ----------

async function read(repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const [, type, id] = m as [string, string, string];
  caller.authorize('read', type);
  const row = await repo.read(type, id, caller.access);
  caller.onAccess?.({ action: 'read', entityType: type, entityId: id, patientIds: [row.compartment] });
  const headers = versionHeaders(row);
  if (req.ifNoneMatch && parseETag(req.ifNoneMatch) === row.versionId) return { status: 304, headers };
  if (req.ifModifiedSince && Date.parse(req.ifModifiedSince) >= Math.floor(row.lastUpdated.getTime() / 1000) * 1000) {
    return { status: 304, headers };
  }
  const subset = subsetter(req.query._summary?.[0], req.query._elements?.[0]?.split(','));
  return { status: 200, headers, body: subset ? subset(row.content!) : row.content! };
}

/**
 * Checks the caller may see the resource and returns its compartment for the audit trail. A
 * deleted one's earlier versions and history stay readable to those who could read its last
 * version (404 to anyone else, as for a resource they cannot see).
 */
async function visibleCompartment(repo: Repository, type: string, id: string, caller: FhirCaller): Promise<string | null | undefined> {
  try {
    return (await repo.read(type, id, caller.access)).compartment;
  } catch (err) {
    if (!(err instanceof FhirError && err.status === 410)) throw err;
    const last = await repo.lastVersionBeforeDeletion(type, id, caller.access);
    if (!last) throw notFound(`Không tìm thấy ${type}/${id} (not found)`);
    return last.compartment;
  }
}

async function vread(repo: Repository, _req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const [, type, id, version] = m as [string, string, string, string];
  caller.authorize('vread', type);
  const compartment = await visibleCompartment(repo, type, id, caller);
  const entry = await repo.vread(type, id, Number(version));
  caller.onAccess?.({ action: 'vread', entityType: type, entityId: id, patientIds: [compartment] });
  return { status: 200, headers: versionHeaders(entry), body: entry.content! };
}

async function search(repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const type = m[1]!;
  caller.authorize('search', type);
  assertResourceType(type);
  const query = { ...req.query };
  if (req.method === 'POST' && req.body && typeof req.body === 'object') {
    for (const [k, v] of Object.entries(req.body as Record<string, string | string[]>)) {
      (query[k] ??= []).push(...(Array.isArray(v) ? v : [v]));
    }
  }
  const parsed = parseSearch(type, query);
  let warning: OperationOutcome | undefined;
  if (parsed.unknown.length > 0) {
    if (req.prefer.handling === 'strict') {
      throw new FhirError(400, outcome(...parsed.unknown.map((u) => issue('not-supported', u.reason, u.name))));
    }
    warning = outcome(...parsed.unknown.map((u) => issue('not-supported', `${u.reason} — đã bỏ qua (ignored)`, u.name, 'warning')));
  }
  const result = await repo.search(parsed, caller.access);
  result.included = readableRows(caller, result.included);
  caller.onAccess?.({
    action: 'search',
    entityType: type,
    query: queryString(query),
    patientIds: [...new Set([...result.matches, ...result.included].map((r) => r.compartment))],
  });
  const self = `${req.baseUrl}/${type}${Object.keys(query).length ? `?${queryString(query)}` : ''}`;
  const pageUrl = (cursor: string) => {
    const q = { ...query, _cursor: [cursor] };
    return `${req.baseUrl}/${type}?${queryString(q)}`;
  };
  const links: BundleLink[] = [{ relation: 'self', url: self }];
  if (result.next) links.push({ relation: 'next', url: pageUrl(result.next) });
  if (result.previous) links.push({ relation: 'previous', url: pageUrl(result.previous) });
  const body = searchBundleJson({
    baseUrl: req.baseUrl,
    resourceType: type,
    matches: result.matches,
    included: result.included,
    total: result.total,
    links: links as { relation: string; url: string }[],
    outcome: warning,
    subset: subsetter(parsed.summary, parsed.elements),
  });
  return { status: 200, body };
}

async function create(repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const type = m[1]!;
  const resource = bodyResource(req, type);
  caller.authorize('create', type, resource);
  const { id: _ignored, ...rest } = resource as Resource & { id?: string };
  const withoutId = asWritten(caller, 'create', rest as Resource);
  const options = { sourceFacility: caller.sourceFacility, screen: storagePolicy };
  const matching = type === 'Patient' ? caller.matching : undefined;
  if (matching) refuseClientResidentIds(withoutId as Patient);
  const write = async (target: Repository, identity: PatientIdentity | undefined): Promise<FhirResponse> => {
    if (!matching || req.matchAtCommit) return writeResponse(req, await target.create(withoutId, options, req.presetId), caller);
    const decision = req.patientDecision ?? (await identity!.decideCreate(withoutId as Patient));
    if (decision.kind === 'existing') {
      // Nothing is written, but what was sent must still be a valid Patient.
      assertValidResource(withoutId);
      return existingPatient(target, req, caller, decision.patientId, decision.visible);
    }
    // A new person: numbered in this transaction (the group commit numbers its own creates).
    const result = await target.create(withResidentId(withoutId as Patient, await identity!.newResidentId()), options, req.presetId);
    const indexed = await identity!.created(result.resource.id!, result.resource as Patient, decision.reviews, true);
    return writeResponse(req, result, caller, indexed);
  };
  // The identity keys are locked before the condition (every Patient write takes them first).
  const identityOf = (tx: Repository) =>
    matching ? identityFor(tx, req, matching, caller, withoutId as Patient) : Promise.resolve(undefined);
  if (!req.ifNoneExist) return matching && !req.matchAtCommit ? repo.transaction(async (tx) => write(tx, await identityOf(tx))) : write(repo, undefined);
  const condition = req.ifNoneExist.replace(/^[^?]*\?/, '');
  return repo.transaction(async (outer) => {
    const identity = await identityOf(outer);
    return outer.withConditionLock(type, condition, async (tx) => {
      // Only what the caller may read counts: a match elsewhere is never shown (nor its existence
      // told); a Patient then goes through the matcher like any create.
      const matches = await tx.resolveConditional(type, condition, 2, caller.access);
      if (matches.length > 1) throw preconditionFailed(`Điều kiện If-None-Exist khớp với ${matches.length} tài nguyên (condition matches several resources)`);
      if (matches.length === 1) {
        const existing = matches[0]!;
        return { status: 200, headers: versionHeaders(existing), body: req.prefer.return === 'minimal' ? undefined : existing.content! };
      }
      return write(tx, identity);
    });
  });
}

/** The transaction's identity decisions (a Bundle's), or this write's own, its keys locked now. */
function identityFor(tx: Repository, req: FhirRequest, matching: IdentityMatching, caller: FhirCaller, patient: Patient): Promise<PatientIdentity> {
  return req.patientIdentity ? Promise.resolve(req.patientIdentity) : PatientIdentity.begin(tx.queryable, matching, [patient], caller.access);
}

/**
 * A create of someone who has a record: nothing is written and the answer names that record —
 * with its content when the caller may read it (as a conditional create that found it), else an
 * OperationOutcome only, the content staying behind the resident's consent.
 */
export async function existingPatient(repo: Repository, req: FhirRequest, caller: FhirCaller, id: string, visible: boolean): Promise<FhirResponse> {
  if (visible) {
    const row = await repo.read('Patient', id, caller.access);
    caller.onAccess?.({ action: 'read', entityType: 'Patient', entityId: id, query: 'identity-match', patientIds: [id] });
    const headers = { ...versionHeaders(row), 'Content-Location': `${req.baseUrl}/Patient/${id}/_history/${row.versionId}` };
    if (req.prefer.return === 'minimal') return { status: 200, headers };
    if (req.prefer.return === 'OperationOutcome') return { status: 200, headers, body: matchedOutcome(id, true) };
    return { status: 200, headers, body: row.content! };
  }
  caller.onAccess?.({ action: 'search', entityType: 'Patient', entityId: id, query: 'identity-match', patientIds: [id] });
  return { status: 200, headers: { 'Content-Location': `${req.baseUrl}/Patient/${id}` }, body: req.prefer.return === 'minimal' ? undefined : matchedOutcome(id, false) };
}

function matchedOutcome(id: string, visible: boolean) {
  return outcome(
    issue(
      'duplicate',
      visible
        ? `Người này đã có hồ sơ Patient/${id}; không tạo hồ sơ thứ hai (matched an existing record, nothing created)`
        : `Người này đã có hồ sơ Patient/${id}; không tạo hồ sơ thứ hai. Nội dung hồ sơ chỉ xem được khi người dân đồng ý (matched an existing record, nothing created; its content needs the resident's consent)`,
      undefined,
      'information',
    ),
  );
}

/** A Patient created with the client's id (update-as-create) cannot become someone's existing record: refused. */
function duplicateOf(id: string): FhirError {
  return new FhirError(
    409,
    outcome(issue('duplicate', `Người này đã có hồ sơ Patient/${id}; không tạo hồ sơ thứ hai — hãy cập nhật hồ sơ đó (a record for this person exists)`)),
  );
}

async function update(repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const [, type, id] = m as [string, string, string];
  const resource = bodyResource(req, type);
  if (resource.id !== id) {
    throw badRequest(`id trong nội dung ("${resource.id ?? ''}") phải trùng với id trên đường dẫn ("${id}") (id does not match the URL)`, `${type}.id`);
  }
  caller.authorize('update', type, resource);
  const current = await assertVisibleIfExists(repo, type, id, caller);
  const toStore = asWritten(caller, current ? 'update' : 'create', resource, current);
  const matching = type === 'Patient' ? caller.matching : undefined;
  const options = { ifMatch: guardedVersion(req, caller, current), sourceFacility: caller.sourceFacility, screen: storagePolicy, ...residentIdRule(matching) };
  if (!matching) return writeResponse(req, await repo.update(toStore, options), caller);
  return repo.transaction(async (tx) => {
    const before = await tx.readVersionRow(type, id);
    const creating = !before || before.deleted;
    const earlier = creating ? undefined : (JSON.parse(before.content!) as Patient);
    // Only an update-as-create or a change of identifiers needs the matcher (and its locks).
    if (!creating && !identifiersGained(earlier, toStore as Patient)) return writeResponse(req, await tx.update(toStore, options), caller);
    const identity = await identityFor(tx, req, matching, caller, toStore as Patient);
    return writePatient(tx, req, caller, identity, creating ? undefined : { before: earlier }, (p, fresh) => tx.update(p, { ...options, fresh }), toStore as Patient);
  });
}

/** In a province, a Patient's resident IDs survive every update and patch as stored (resident-ids.ts). */
function residentIdRule(matching: IdentityMatching | undefined): { revise?: typeof keepResidentIds } {
  return matching ? { revise: keepResidentIds } : {};
}

/**
 * A Patient written with a known id: as a create (update-as-create, a conditional update that
 * found nothing) it is matched first — refused when it is someone's existing record, queued
 * when uncertain, else numbered with a new resident ID; as an update, a national identifier it
 * gains is checked against the others.
 */
async function writePatient(
  tx: Repository,
  req: FhirRequest,
  caller: FhirCaller,
  identity: PatientIdentity,
  updating: { before: Patient | undefined } | undefined,
  write: (patient: Patient, fresh?: (created: Resource) => Resource) => Promise<WriteResult>,
  patient: Patient,
): Promise<FhirResponse> {
  if (updating) {
    const result = await write(patient);
    await identity.afterUpdate(result.resource.id!, updating.before, result.resource as Patient);
    return writeResponse(req, result, caller);
  }
  // A deleted Patient written again is the same record: it takes back its resident IDs.
  const earlier = patient.id ? await tx.contentBeforeDeletion('Patient', patient.id) : undefined;
  const previous = earlier ? (JSON.parse(earlier) as Patient) : undefined;
  const restoring = previous !== undefined && residentIdOf(previous) !== undefined;
  // Checked now (a resident ID the record never held is refused); put back when it is written.
  if (restoring) keepResidentIds(patient, previous);
  else refuseClientResidentIds(patient);
  const decision = await identity.decideCreate(patient, patient.id);
  if (decision.kind === 'existing') throw duplicateOf(decision.patientId);
  // Applied only if the write creates: one that meets a concurrent create of the id updates it.
  const residentId = restoring ? undefined : await identity.newResidentId();
  const result = await write(patient, (created) => (residentId ? withResidentId(created as Patient, residentId) : keepResidentIds(created, previous!)));
  const indexed = await identity.created(result.resource.id!, result.resource as Patient, decision.reviews, !patient.id);
  return writeResponse(req, result, caller, indexed);
}

/**
 * A caller may not overwrite (or learn about, by a 412) a resource it cannot read. Returns the
 * current version when the caller's reads are limited and it exists.
 */
async function assertVisibleIfExists(repo: Repository, type: string, id: string, caller: FhirCaller): Promise<StoredVersion | undefined> {
  if (!caller.access) return undefined;
  const row = await repo.readVersionRow(type, id);
  if (!row || row.deleted) return undefined;
  return repo.read(type, id, caller.access).catch((err) => {
    if (err instanceof FhirError && err.status === 404) {
      throw new FhirError(403, outcome(issue('forbidden', `Không có quyền ghi ${type}/${id} (not allowed)`)));
    }
    throw err;
  });
}

async function conditionalUpdate(repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const type = m[1]!;
  const resource = bodyResource(req, type);
  caller.authorize('update', type, resource);
  const condition = queryString(req.query);
  const matching = type === 'Patient' ? caller.matching : undefined;
  return repo.transaction(async (outer) => {
    // The identity keys first (every Patient write takes them before any other lock).
    const identity = matching ? await identityFor(outer, req, matching, caller, resource as Patient) : undefined;
    return outer.withConditionLock(type, condition, async (tx) => {
      const matches = await tx.resolveConditional(type, condition);
      if (matches.length > 1) throw preconditionFailed(`Điều kiện cập nhật khớp với ${matches.length} tài nguyên (condition matches several resources)`);
      const options = { sourceFacility: caller.sourceFacility, screen: storagePolicy, ...residentIdRule(matching) };
      if (matches.length === 0) {
        if (resource.id) {
          const existing = await tx.readVersionRow(type, resource.id);
          if (existing && !existing.deleted) throw badRequest(`${type}/${resource.id} đã tồn tại nhưng không khớp điều kiện (exists but does not match the condition)`);
        }
        const toCreate = asWritten(caller, 'create', resource);
        const write = (r: Resource, fresh?: (created: Resource) => Resource) => (resource.id ? tx.update(r, { ...options, fresh }) : tx.create(r, { ...options, fresh }));
        if (identity) return writePatient(tx, req, caller, identity, undefined, write, toCreate as Patient);
        return writeResponse(req, await write(toCreate), caller);
      }
      const target = matches[0]!;
      if (resource.id && resource.id !== target.id) throw badRequest(`id "${resource.id}" khác với tài nguyên khớp điều kiện (${target.id})`, `${type}.id`);
      const current = await assertVisibleIfExists(tx, type, target.id, caller);
      const toStore = asWritten(caller, 'update', { ...resource, id: target.id }, current);
      const write = (r: Resource) => tx.update(r, { ...options, ifMatch: guardedVersion(req, caller, current) });
      if (identity) return writePatient(tx, req, caller, identity, { before: JSON.parse(target.content!) as Patient }, write, toStore as Patient);
      return writeResponse(req, await write(toStore), caller);
    });
  });
}

async function patch(repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const [, type, id] = m as [string, string, string];
  caller.authorize('patch', type);
  asWritten(caller, 'patch', undefined);
  const current = await repo.read(type, id, caller.access);
  const matching = type === 'Patient' ? caller.matching : undefined;
  const options = { ifMatch: expectedVersion(req), sourceFacility: caller.sourceFacility, screen: storagePolicy, ...residentIdRule(matching) };
  if (!matching) return writeResponse(req, await repo.patch(type, id, req.body, options), caller);
  const before = JSON.parse(current.content!) as Patient;
  // The patch applied to the version read, to learn whether it brings an identifier: then the
  // identity keys are locked before the write takes its row lock (the order of every writer).
  const preview = structuredClone(before);
  const gains = Array.isArray(req.body) && previewPatch(preview, req.body as Operation[]) && identifiersGained(before, preview);
  return repo.transaction(async (tx) => {
    const identity = gains ? await identityFor(tx, req, matching, caller, preview) : undefined;
    const result = await tx.patch(type, id, req.body, options);
    if (identity) await identity.afterUpdate(id, before, result.resource as Patient);
    return writeResponse(req, result, caller);
  });
}

/** Applies a JSON Patch to a copy; false when it fails (the write will say why). */
function previewPatch(doc: Patient, operations: Operation[]): boolean {
  try {
    return applyPatch(doc, operations).every((r) => r === null);
  } catch {
    return false;
  }
}

async function conditionalPatch(repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const type = m[1]!;
  caller.authorize('patch', type);
  const matches = await repo.resolveConditional(type, queryString(req.query));
  if (matches.length !== 1) {
    throw matches.length === 0
      ? new FhirError(404, outcome(issue('not-found', 'Không có tài nguyên nào khớp điều kiện (no match)')))
      : preconditionFailed(`Điều kiện khớp với ${matches.length} tài nguyên (condition matches several resources)`);
  }
  return patch(repo, req, caller, ['', type, matches[0]!.id]);
}

async function remove(repo: Repository, _req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const [, type, id] = m as [string, string, string];
  caller.authorize('delete', type);
  asWritten(caller, 'delete', undefined);
  await assertVisibleIfExists(repo, type, id, caller);
  const before = await repo.readVersionRow(type, id);
  const deleted = await repo.delete(type, id, { ifMatch: expectedVersion(_req), sourceFacility: caller.sourceFacility, screen: storagePolicy });
  if (deleted) caller.onAccess?.({ action: 'delete', entityType: type, entityId: id, patientIds: [before?.compartment] });
  return { status: deleted ? 200 : 204, body: deleted ? outcome(issue('informational', `Đã xoá ${type}/${id} (deleted)`, undefined, 'information')) : undefined };
}

async function conditionalDelete(repo: Repository, req: FhirRequest, caller: FhirCaller, m: string[]): Promise<FhirResponse> {
  const type = m[1]!;
  caller.authorize('delete', type);
  const matches = await repo.resolveConditional(type, queryString(req.query), 2);
  if (matches.length > 1) throw preconditionFailed(`Điều kiện xoá khớp với nhiều tài nguyên (condition matches several resources)`);
  if (matches.length === 0) return { status: 204 };
  return remove(repo, req, caller, ['', type, matches[0]!.id]);
}

async function history(repo: Repository, req: FhirRequest, caller: FhirCaller, type: string | undefined, id: string | undefined): Promise<FhirResponse> {
  caller.authorize('history', type);
  let compartment: string | null | undefined;
  if (type && id) {
    assertId(id);
    compartment = await visibleCompartment(repo, type, id, caller);
  } else if (caller.access) {
    throw new FhirError(403, outcome(issue('forbidden', 'Lịch sử toàn hệ thống/theo loại chỉ dành cho quản trị viên (type and system history are for administrators)')));
  }
  const count = Math.min(Number(req.query._count?.[0] ?? 50) || 50, 1000);
  const cursor = req.query._cursor?.[0];
  let before: { lastUpdated: string; rid: number; versionId: number } | undefined;
  if (cursor) {
    try {
      before = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw badRequest('Con trỏ phân trang không hợp lệ (invalid cursor)', '_cursor');
    }
  }
  const since = req.query._since?.[0];
  const at = req.query._at?.[0];
  for (const [name, v] of [['_since', since], ['_at', at]] as const) {
    if (v !== undefined && Number.isNaN(Date.parse(v))) throw badRequest(`${name}="${v}" không phải thời điểm hợp lệ (invalid instant)`, name);
  }
  const rows = await repo.history(type, id, { count: count + 1, since, at, before });
  caller.onAccess?.({ action: 'history', entityType: type, entityId: id, patientIds: [compartment] });
  const more = rows.length > count;
  const page = rows.slice(0, count);
  const path = [type, id, '_history'].filter(Boolean).join('/');
  const links: BundleLink[] = [{ relation: 'self', url: `${req.baseUrl}/${path}` }];
  if (more) {
    const last = page[page.length - 1]!;
    const next = Buffer.from(JSON.stringify({ lastUpdated: last.lastUpdated.toISOString(), rid: last.rid, versionId: last.versionId })).toString('base64url');
    const q = new URLSearchParams({ _count: String(count), _cursor: next });
    if (since) q.set('_since', since);
    if (at) q.set('_at', at);
    links.push({ relation: 'next', url: `${req.baseUrl}/${path}?${q}` });
  }
  return { status: 200, body: historyBundleJson(req.baseUrl, page, links) };
}

function historyBundleJson(baseUrl: string, entries: HistoryEntry[], links: BundleLink[]): string {
  const head = JSON.stringify({ resourceType: 'Bundle', type: 'history', link: links });
  const items = entries.map((e) => {
    const url = `${e.resourceType}/${e.id}`;
    const method = e.deleted ? 'DELETE' : e.versionId === 1 || e.method === 'create' ? 'POST' : 'PUT';
    const status = e.deleted ? '204' : e.method === 'create' ? '201' : '200';
    const request = JSON.stringify({ method, url: method === 'POST' ? e.resourceType : url });
    const response = JSON.stringify({ status, etag: `W/"${e.versionId}"`, lastModified: e.lastUpdated.toISOString() });
    const resource = e.content ? `"resource":${e.content},` : '';
    return `{"fullUrl":${JSON.stringify(`${baseUrl}/${url}`)},${resource}"request":${request},"response":${response}}`;
  });
  return `${head.slice(0, -1)},"entry":[${items.join(',')}]}`;
}

async function everythingHandler(repo: Repository, req: FhirRequest, caller: FhirCaller, id: string): Promise<FhirResponse> {
  caller.authorize('everything', 'Patient');
  caller.onAccess?.({ action: 'read', entityType: 'Patient', entityId: id, query: '$everything', patientIds: [id] });
  return { status: 200, body: await everything(repo, req, caller, id) };
}

export type { StoredVersion, Bundle };
