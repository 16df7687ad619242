// POST /fhir with a batch or transaction Bundle (R4 §3.1.0.11). A transaction is atomic: it
// runs in one database transaction, resolves `urn:uuid:` references between its entries and
// conditional entries first, and any failing entry rolls everything back. A batch runs each
// entry on its own and reports each result.
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, OperationOutcome, Patient, Resource } from '@medplum/fhirtypes';
import { badRequest, conflict, FhirError, issue, outcome, preconditionFailed } from '../../fhir/outcomes.ts';
import type { Repository } from '../../store/repository.ts';
import { insertNewResources, type VersionToWrite } from '../../store/resource-writer.ts';
import { executeInteraction } from './interactions.ts';
import { PatientIdentity, type CreateDecision } from './patient-identity.ts';
import { refuseClientResidentIds } from './resident-ids.ts';
import { applyBatch, planBatch } from './transaction-batch.ts';
import { parsePrefer, type FhirCaller, type FhirRequest, type FhirResponse } from './request.ts';

const MAX_ENTRIES = 10_000;
const METHOD_ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 };

function statusLine(status: number): string {
  const text: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified' };
  return `${status}${text[status] ? ` ${text[status]}` : ''}`;
}

function splitUrl(url: string, baseUrl: string): { path: string; query: Record<string, string[]> } {
  let rest = url.startsWith(baseUrl) ? url.slice(baseUrl.length) : url;
  rest = rest.replace(/^\/+/, '');
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const query: Record<string, string[]> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) (query[k] ??= []).push(v);
  return { path, query };
}

/**
 * The body of an entry's request. A PATCH entry carries its JSON Patch as a Binary resource
 * (R4 §3.1.0.11: a Bundle entry can only hold a resource), decoded here to the operations.
 */
function entryBody(entry: BundleEntry, index: number): unknown {
  const resource = entry.resource as (Resource & { contentType?: string; data?: string }) | undefined;
  if (entry.request?.method !== 'PATCH' || resource?.resourceType !== 'Binary') return resource;
  const at = `Bundle.entry[${index}].resource`;
  if (resource.contentType !== 'application/json-patch+json') {
    throw badRequest(`Mục ${index}: PATCH cần Binary có contentType application/json-patch+json (JSON Patch expected)`, at);
  }
  try {
    return JSON.parse(Buffer.from(resource.data ?? '', 'base64').toString('utf8'));
  } catch {
    throw badRequest(`Mục ${index}: Binary.data không phải JSON Patch hợp lệ (invalid JSON Patch)`, at);
  }
}

function entryRequest(entry: BundleEntry, index: number, baseUrl: string, prefer: FhirRequest['prefer']): FhirRequest {
  const request = entry.request;
  if (!request?.method || !request.url) {
    throw badRequest(`Mục ${index}: thiếu request.method hoặc request.url (entry needs request.method and request.url)`, `Bundle.entry[${index}].request`);
  }
  const { path, query } = splitUrl(request.url, baseUrl);
  return {
    method: request.method as FhirRequest['method'],
    path,
    query,
    body: entryBody(entry, index),
    ifMatch: request.ifMatch,
    ifNoneExist: request.ifNoneExist,
    ifNoneMatch: request.ifNoneMatch,
    ifModifiedSince: request.ifModifiedSince,
    prefer,
    baseUrl,
  };
}

function responseEntry(res: FhirResponse): BundleEntry {
  const body = typeof res.body === 'string' ? (JSON.parse(res.body) as Resource) : (res.body as Resource | undefined);
  const location = res.headers?.Location ?? res.headers?.['Content-Location'];
  return {
    ...(body && body.resourceType !== 'OperationOutcome' ? { resource: body } : {}),
    response: {
      status: statusLine(res.status),
      ...(location ? { location: location } : {}),
      ...(res.headers?.ETag ? { etag: res.headers.ETag } : {}),
      ...(res.headers?.['Last-Modified'] ? { lastModified: new Date(res.headers['Last-Modified']).toISOString() } : {}),
      ...(body?.resourceType === 'OperationOutcome' ? { outcome: body as OperationOutcome } : {}),
    },
  };
}

/** The first `urn:uuid:`/`urn:oid:` reference left in a value (one naming no entry of the Bundle). */
function unresolvedReference(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = unresolvedReference(v);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string' && /^urn:(uuid|oid):/.test(v)) return v;
      const found = unresolvedReference(v);
      if (found) return found;
    }
  }
  return undefined;
}

/** Replaces every `urn:uuid:`/`urn:oid:` reference that names an entry of this Bundle. */
function rewriteReferences(value: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteReferences(v, map));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === 'reference' && typeof v === 'string' && map.has(v) ? map.get(v) : rewriteReferences(v, map);
    }
    return out;
  }
  return value;
}

/** Writes the deferred creates of a transaction (and empties the list). */
async function writeDeferred(tx: Repository, pending: VersionToWrite[]): Promise<void> {
  if (pending.length === 0) return;
  const versions = pending.splice(0);
  try {
    await insertNewResources(tx.queryable, versions);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw conflict('Một tài nguyên trong giao dịch đã tồn tại (a created resource already exists)');
    throw err;
  }
}

function isPatient(body: unknown): body is Patient {
  return typeof body === 'object' && body !== null && (body as Resource).resourceType === 'Patient';
}

/** The identity decisions of a transaction's Patient writes, their keys locked before any condition. */
async function bundleIdentity(tx: Repository, requests: { req: FhirRequest }[], caller: FhirCaller): Promise<PatientIdentity | undefined> {
  if (!caller.matching) return undefined;
  const patients = requests.flatMap(({ req }) =>
    (req.method === 'POST' || req.method === 'PUT') && req.path.split('/')[0] === 'Patient' && isPatient(req.body) ? [req.body] : [],
  );
  // Their MPI rows are written by the access trail, in this transaction, after the entries.
  return patients.length > 0 ? PatientIdentity.begin(tx.queryable, caller.matching, patients, caller.access, true) : undefined;
}

/**
 * A Patient create of a transaction: found by its If-None-Exist condition (among what the caller
 * may read), else decided by the matcher. Two entries that are one person fail the transaction.
 */
async function decidePatientEntry(
  tx: Repository,
  identity: PatientIdentity,
  req: FhirRequest,
  patient: Patient,
  caller: FhirCaller,
  index: number,
): Promise<{ kind: 'found'; patientId: string } | CreateDecision> {
  if (req.ifNoneExist) {
    const condition = req.ifNoneExist.replace(/^[^?]*\?/, '');
    const found = await tx.withConditionLock('Patient', condition, (locked) => locked.resolveConditional('Patient', condition, 2, caller.access));
    if (found.length > 1) {
      throw preconditionFailed(`Mục ${index}: điều kiện ifNoneExist khớp với ${found.length} tài nguyên (condition matches several resources)`);
    }
    if (found.length === 1) return { kind: 'found', patientId: found[0]!.id };
  }
  const decision = await identity.decideCreate(patient);
  if (decision.kind === 'existing' && identity.createdHere(decision.patientId)) {
    throw new FhirError(
      409,
      outcome(issue('duplicate', `Mục ${index}: hai mục Patient của giao dịch là cùng một người (two entries are the same person)`, `Bundle.entry[${index}]`)),
    );
  }
  return decision;
}

export async function processBundle(repo: Repository, body: unknown, caller: FhirCaller, baseUrl: string, preferHeader?: string): Promise<Bundle> {
  const bundle = body as Bundle;
  if (!bundle || typeof bundle !== 'object' || bundle.resourceType !== 'Bundle') {
    throw badRequest('POST /fhir cần một Bundle loại batch hoặc transaction (expected a batch or transaction Bundle)', 'resourceType');
  }
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw badRequest(`Bundle.type phải là batch hoặc transaction, không phải "${bundle.type}"`, 'Bundle.type');
  }
  const entries = bundle.entry ?? [];
  if (entries.length > MAX_ENTRIES) throw badRequest(`Bundle có quá nhiều mục (${entries.length} > ${MAX_ENTRIES})`, 'Bundle.entry');
  const prefer = parsePrefer(preferHeader);
  return bundle.type === 'batch' ? processBatch(repo, entries, caller, baseUrl, prefer) : processTransaction(repo, entries, caller, baseUrl, prefer);
}

async function processBatch(repo: Repository, entries: BundleEntry[], caller: FhirCaller, baseUrl: string, prefer: FhirRequest['prefer']): Promise<Bundle> {
  const out: BundleEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    try {
      const res = await repo.transaction((tx) => executeInteraction(tx, entryRequest(entries[i]!, i, baseUrl, prefer), caller));
      out.push(responseEntry(res));
    } catch (err) {
      if (!(err instanceof FhirError)) throw err;
      out.push({ response: { status: String(err.status), outcome: err.outcome } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: out };
}

async function processTransaction(
  repo: Repository,
  entries: BundleEntry[],
  caller: FhirCaller,
  baseUrl: string,
  prefer: FhirRequest['prefer'],
): Promise<Bundle> {
  const requests = entries.map((e, i) => ({ index: i, entry: e, req: entryRequest(e, i, baseUrl, prefer) }));
  const fullUrls = new Set<string>();
  for (const { entry, index } of requests) {
    if (entry.fullUrl) {
      if (fullUrls.has(entry.fullUrl)) throw badRequest(`fullUrl "${entry.fullUrl}" xuất hiện hai lần (duplicate fullUrl)`, `Bundle.entry[${index}].fullUrl`);
      fullUrls.add(entry.fullUrl);
    }
  }

  try {
    return await repo.transaction(async (tx) => {
      // A sync push (identifier-keyed updates and deletes) is applied as one batch.
      const plan = planBatch(requests, caller);
      const batched = plan && (await applyBatch(tx, plan, caller));
      if (batched) return { resourceType: 'Bundle', type: 'transaction-response', entry: requests.map(({ index }) => responseEntry(batched.get(index)!)) } as Bundle;

      // 1. Decide the identity of every entry that others may reference, and who every created
      //    Patient is (patient-identity.ts): their identity keys are locked first, together.
      const map = new Map<string, string>();
      const presetIds = new Map<number, string>();
      const decisions = new Map<number, CreateDecision>();
      const identity = await bundleIdentity(tx, requests, caller);
      for (const { entry, req, index } of requests) {
        const urn = entry.fullUrl && /^urn:(uuid|oid):/.test(entry.fullUrl) ? entry.fullUrl : undefined;
        const type = req.path.split('/')[0]!;
        if (identity && req.method === 'POST' && type === 'Patient' && isPatient(req.body)) {
          refuseClientResidentIds(req.body, `Bundle.entry[${index}].resource`);
          const decided = await decidePatientEntry(tx, identity, req, req.body, caller, index);
          if (decided.kind === 'found' || decided.kind === 'existing') {
            if (urn) map.set(urn, `Patient/${decided.patientId}`);
            if (decided.kind === 'existing') decisions.set(index, decided);
            continue;
          }
          const id = randomUUID();
          identity.add(id, req.body);
          decisions.set(index, decided);
          presetIds.set(index, id);
          if (urn) map.set(urn, `Patient/${id}`);
          continue;
        }
        if (!urn) continue;
        if (req.method === 'POST') {
          if (req.ifNoneExist) {
            const condition = req.ifNoneExist.replace(/^[^?]*\?/, '');
            // The same lock as a top-level conditional create, held until this transaction ends.
            const found = await tx.withConditionLock(type, condition, (locked) => locked.resolveConditional(type, condition, 2, caller.access));
            if (found.length === 1) {
              map.set(urn, `${type}/${found[0]!.id}`);
              continue;
            }
            // Several matches: the entry fails as a top-level conditional create would (R4: 412).
            if (found.length > 1) {
              throw preconditionFailed(
                `Mục ${index}: điều kiện ifNoneExist khớp với ${found.length} tài nguyên (condition matches several resources)`,
              );
            }
          }
          const id = randomUUID();
          presetIds.set(index, id);
          map.set(urn, `${type}/${id}`);
        } else if (req.method === 'PUT' && !req.path.includes('/')) {
          const condition = new URLSearchParams(Object.entries(req.query).flatMap(([k, vs]) => vs.map((v) => [k, v]))).toString();
          const found = await tx.withConditionLock(type, condition, (locked) => locked.resolveConditional(type, condition));
          if (found.length === 1) map.set(urn, `${type}/${found[0]!.id}`);
          else if (found.length === 0) {
            const id = (entry.resource as Resource | undefined)?.id ?? randomUUID();
            presetIds.set(index, id);
            map.set(urn, `${type}/${id}`);
          }
        } else if (req.method === 'PUT') {
          map.set(urn, req.path);
        }
      }
      // The resident IDs of the new persons the Bundle creates, in one query.
      if (identity) await identity.reserveResidentIds([...decisions.values()].filter((d) => d.kind === 'create').length);

      // 2. Run the entries in the order R4 prescribes, with references rewritten.
      const pending: VersionToWrite[] = [];
      const results = new Array<BundleEntry>(requests.length);
      const ordered = [...requests].sort((a, b) => (METHOD_ORDER[a.req.method] ?? 9) - (METHOD_ORDER[b.req.method] ?? 9) || a.index - b.index);
      for (const { req, index } of ordered) {
        const body = req.body ? (rewriteReferences(req.body, map) as Resource) : undefined;
        // A urn:uuid that names no entry would be stored as a dangling reference (R4 §3.1.0.11.2).
        const dangling = unresolvedReference(body);
        if (dangling) {
          throw badRequest(`Mục ${index}: tham chiếu "${dangling}" không trỏ tới mục nào trong Bundle (unresolved reference)`, `Bundle.entry[${index}]`);
        }
        const preset = presetIds.get(index);
        const decision = decisions.get(index);
        let effective: FhirRequest = {
          ...req,
          body,
          ...(decision ? { patientDecision: decision } : {}),
          ...(identity && req.path.split('/')[0] === 'Patient' ? { patientIdentity: identity } : {}),
        };
        if (preset && body) {
          const type = req.path.split('/')[0]!;
          // A create keeps its create semantics (and authorisation) with the id decided in step 1;
          // a conditional update that found nothing becomes an update-as-create with that id.
          effective =
            req.method === 'POST'
              ? { ...effective, ifNoneExist: undefined, presetId: preset }
              : { ...effective, method: 'PUT', path: `${type}/${preset}`, query: {}, body: { ...body, id: preset } };
        }
        // Plain creates are validated and indexed one by one but written together, in one
        // statement, before the first entry that is not one (it might read them).
        const deferrable = effective.method === 'POST' && !effective.ifNoneExist && /^[A-Z][A-Za-z]+$/.test(effective.path);
        if (!deferrable) await writeDeferred(tx, pending);
        const res = await executeInteraction(deferrable ? tx.deferringCreates(pending) : tx, effective, caller).catch((err: unknown) => {
          if (err instanceof FhirError) {
            err.outcome.issue?.forEach((i) => (i.expression = [...(i.expression ?? []), `Bundle.entry[${index}]`]));
          }
          throw err;
        });
        results[index] = responseEntry(res);
      }
      await writeDeferred(tx, pending);
      return { resourceType: 'Bundle', type: 'transaction-response', entry: results } as Bundle;
    });
  } catch (err) {
    if (err instanceof FhirError) {
      const first = err.outcome.issue?.[0];
      throw new FhirError(
        err.status,
        outcome(
          issue(first?.code ?? 'processing', `Giao dịch bị huỷ, không có gì được ghi: ${first?.details?.text ?? err.message} (transaction rolled back)`, first?.expression),
          ...(err.outcome.issue?.slice(1) ?? []),
        ),
      );
    }
    throw err;
  }
}
