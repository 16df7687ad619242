// The shared ingest pipeline: adapter → validate → policy → identity → store → audit. Every input
// channel hands it AdaptedRecords; a batch of them is resolved against the master patient index
// with one candidate query and stored in ONE transaction with one statement per kind of write.
import { randomUUID } from 'node:crypto';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type pg from 'pg';
import { agentOf, type AuditEntryInput } from '../audit/audit-entry.ts';
import { insertAuditEntries } from '../audit/audit-log.ts';
import type { AdaptedRecord } from '../ingest/adapted-record.ts';
import type { PersonFacts } from '../identity/matcher.ts';
import { exactIdentifiersOf, factsFromPatient, residentIdOf } from '../identity/mpi/person-facts.ts';
import { allocateResidentIds, copyCandidateSet, findCandidates, findCandidatesAgain, insertReviewPairs, lockKeys, upsertPersons, type CandidateSet, type KeyLookup, type PersonToWrite, type ReviewPair } from '../identity/mpi/mpi-store.ts';
import { NO_POPULATION_RULE } from '../identity/mpi/population-rule.ts';
import { BatchResolver, exactKeys, identityKeys, lookupOf, type IdentityDecision } from '../identity/mpi/resolve.ts';
import type { Queryable } from '../store/database.ts';
import { existingResourcesStatement, insertStringValues, newResourcesStatement, runWrite, type WriteStatement } from '../store/resource-writer.ts';
import { mergePatientData, withResidentGroups, withResidentId } from './patient-data.ts';
import { pipelinePopulationRule } from './population.ts';
import { prepareRecord, type PreparedRecord, type RecordToIngest } from './prepare.ts';
import { copyJson, rewriteReferences } from './references.ts';
import { findByIdentifiers, findReplacedMany, findVersionsByIdentifiers, identifierLookupKey, loadCurrent, loadCurrentVersions, stableIdentifier, storedContent, type CurrentRow } from './stored.ts';
import { ConcurrentWrite, type ExtraResources, type IngestOptions, type IngestResult, type PipelineContext } from './types.ts';
import { VersionPlan } from './versions.ts';

interface Candidate {
  index: number;
  prepared: PreparedRecord;
  facts: PersonFacts;
  keys: ReturnType<typeof identityKeys>;
  /** Other persons the record brings as Patient entries (XML9 newborns): residents of their own. */
  others: OtherPerson[];
}

interface OtherPerson {
  fullUrl: string;
  patient: Patient;
  facts: PersonFacts;
  keys: ReturnType<typeof identityKeys>;
}

function otherPersonsOf(prepared: PreparedRecord): OtherPerson[] {
  return prepared.entries.flatMap((e) => {
    if (e.resource.resourceType !== 'Patient') return [];
    const patient = e.resource;
    const facts = factsFromPatient(patient);
    return [{ fullUrl: e.fullUrl, patient, facts, keys: identityKeys(facts, exactIdentifiersOf(patient)) }];
  });
}

/** One record through the pipeline, in its own transaction. */
export async function ingestRecord(ctx: PipelineContext, record: AdaptedRecord, options: IngestOptions): Promise<IngestResult> {
  const [result] = await ingestBatch(ctx, [record], options);
  return result!;
}

/**
 * Many records in one transaction. `extras` builds resources that need the records' patient
 * ids (a household's Group); they are stored in the same transaction, idempotently by identifier.
 * If the batch fails for a reason other than a concurrent write, each record is retried alone so
 * one bad record never takes the others down.
 */
export async function ingestBatch(ctx: PipelineContext, records: AdaptedRecord[], options: IngestOptions, extras?: ExtraResources): Promise<IngestResult[]> {
  return ingestPrepared(ctx, records.map((record) => ({ record, prepared: prepareRecord(record, options) })), options, extras);
}

/** `ingestBatch` for records already through `prepareRecord` (`options.validate` is then not read). */
export async function ingestPrepared(ctx: PipelineContext, items: readonly RecordToIngest[], options: IngestOptions, extras?: ExtraResources): Promise<IngestResult[]> {
  const results: (IngestResult | undefined)[] = new Array(items.length);
  const candidates: Candidate[] = [];
  items.forEach(({ record, prepared }, index) => {
    if (!prepared.ok) {
      results[index] = rejected(record, prepared.reasons, prepared.excluded);
      return;
    }
    const facts = factsFromPatient(record.patient);
    candidates.push({ index, prepared: prepared.value, facts, keys: identityKeys(facts, exactIdentifiersOf(record.patient)), others: otherPersonsOf(prepared.value) });
  });
  if (candidates.length === 0 && !extras) return results as IngestResult[];
  try {
    // Planned in a snapshot of its own, without the identity lock, while an earlier batch may
    // hold it; checked (and if need be planned again) under the lock.
    let ahead = options.planAhead && candidates.length > 0 && canPlanAhead(candidates)
      ? await ctx.db.transaction((q) => planBatch(q, ctx, candidates, options, extras, true), { isolation: 'repeatable read' })
      : undefined;
    // Committed on their own first: see insertStringValues.
    if (ahead) await insertStringValues(ctx.db.pool, ahead.inserts);
    const stored = await ctx.db.transaction(async (client) => {
      try {
        return await storeBatch(client, ctx, candidates, options, extras, ahead);
      } catch (err) {
        // Rolled back and retried (code 40001), planned under the lock this time.
        if (err instanceof PlanChanged) ahead = undefined;
        throw err;
      }
    });
    for (const r of stored) results[r.index] = r.result;
  } catch (err) {
    if (candidates.length <= 1) throw err;
    for (const c of candidates) {
      try {
        const [r] = await ctx.db.transaction((client) => storeBatch(client, ctx, [c], options));
        results[c.index] = r!.result;
      } catch (single) {
        results[c.index] = rejected(c.prepared.record, [{ field: 'record', message: `Không lưu được bản ghi: ${(single as Error).message}` }], c.prepared.excluded);
      }
    }
    if (extras) {
      const ids = results.map((r) => r?.patientId);
      await ctx.db.transaction((client) => storeBatch(client, ctx, [], options, () => extras(ids)));
    }
  }
  return results as IngestResult[];
}

function rejected(record: AdaptedRecord, reasons: IngestResult['reasons'], excluded: Record<string, number>): IngestResult {
  return { key: record.key, outcome: 'rejected', resourceIds: [], written: 0, deleted: 0, excluded, warnings: record.warnings, reasons: reasons ?? [] };
}

interface Subject {
  id: string;
  isNew: boolean;
  current?: CurrentRow;
  patient: Patient;
}

/**
 * Everything a batch will write, decided from what it read. Planned either under the identity
 * lock, or ahead of it (`IngestOptions.planAhead`) and then checked under the lock: a batch's
 * CPU-heavy planning then overlaps the previous batch's write instead of waiting for its lock.
 */
interface PlannedBatch {
  lookup: KeyLookup;
  /** The candidates the plan was made with (as read), and whether the population rule applied to each record. */
  found: CandidateSet;
  population: boolean[];
  /** What the resolver decided for each candidate (JSON, before any renewal), and the id it used. */
  resolved: string[];
  resolvedIds: string[];
  /** The linked Patients and the identifiers looked up, and what was found (`basisOf`). */
  patientIds: string[];
  wanted: { type: string; system: string; value: string }[];
  basis: string;
  inserts: WriteStatement | undefined;
  updates: WriteStatement | undefined;
  updateCount: number;
  persons: PersonToWrite[];
  reviews: ReviewPair[];
  audit: AuditEntryInput[];
  results: { index: number; result: IngestResult }[];
}

/** Ahead-of-lock planning covers records that bring no other persons and replace nothing (every check it needs is in planStillHolds). */
function canPlanAhead(candidates: Candidate[]): boolean {
  return candidates.every((c) => c.others.length === 0 && !c.prepared.record.replaces);
}

async function storeBatch(
  client: pg.PoolClient,
  ctx: PipelineContext,
  candidates: Candidate[],
  options: IngestOptions,
  extras?: ExtraResources,
  ahead?: PlannedBatch,
): Promise<{ index: number; result: IngestResult }[]> {
  const keys = candidates.flatMap((c) => [...c.keys.stored, ...c.others.flatMap((o) => o.keys.stored)]);
  if (ahead && insertsBeforeLock(ahead)) {
    // The new resources (fresh ids: no other writer can touch them) are written before the
    // identity lock, so that the lock covers the check, the updates and the identity rows only —
    // at a million residents batches spent most of their time waiting for it. If the plan no
    // longer holds, the transaction is rolled back and retried, planned under the lock. (Not when
    // the insert takes compartment stripes: a writer moving a Patient takes them after the
    // identity lock, and the two orders would deadlock.)
    const inserted = await runWrite(client, ahead.inserts);
    await lockKeys(client, keys);
    if (!(await planStillHolds(client, ctx, ahead, candidates, options, new Set(inserted.map((r) => r.id))))) throw new PlanChanged();
    return writePlan(client, ahead, false);
  }
  await lockKeys(client, keys);
  const planned = ahead && (await planStillHolds(client, ctx, ahead, candidates, options, new Set())) ? ahead : await planBatch(client, ctx, candidates, options, extras);
  return writePlan(client, planned, true);
}

function insertsBeforeLock(ahead: PlannedBatch): boolean {
  const statement = ahead.inserts;
  return statement === undefined || (!statement.readsCompartments && statement.createdPatients.length === 0);
}

/**
 * Persons the pipeline just numbered have ids it drew at random: no other writer can have stored
 * rows in their compartments, so there is nothing to stamp again (and no compartment lock to take
 * before the identity lock, which a writer moving a Patient takes the other way round).
 */
function withoutRestampOf(statement: WriteStatement | undefined, freshIds: Set<string>): WriteStatement | undefined {
  if (!statement || statement.createdPatients.length === 0) return statement;
  return { ...statement, createdPatients: statement.createdPatients.filter((id) => !freshIds.has(id)) };
}

/** A batch planned ahead of the identity lock no longer holds under it (see storeBatch). */
class PlanChanged extends ConcurrentWrite {}

async function writePlan(client: pg.PoolClient, planned: PlannedBatch, withInserts: boolean): Promise<{ index: number; result: IngestResult }[]> {
  if (withInserts) await runWrite(client, planned.inserts);
  const updated = await runWrite(client, planned.updates);
  if (updated.length !== planned.updateCount) throw new ConcurrentWrite();
  await upsertPersons(client, planned.persons);
  await insertReviewPairs(client, planned.reviews);
  await insertAuditEntries(client, planned.audit);
  return planned.results;
}

/**
 * Under the lock: would planning now decide the same? If the candidates are the ones the plan
 * was made with (the same persons in the same row versions, found by the same keys), it would;
 * otherwise the resolver is replayed on the candidates as they are now (a person another writer
 * added since is seen — only the new and changed persons' facts are read). The linked Patients
 * and the resources found by identifier must be the same versions.
 */
async function planStillHolds(client: pg.PoolClient, ctx: PipelineContext, planned: PlannedBatch, candidates: Candidate[], options: IngestOptions, ownInserts: Set<string>): Promise<boolean> {
  const population = options.registration === true ? NO_POPULATION_RULE : await pipelinePopulationRule(client, ctx);
  const now = await findCandidatesAgain(client, planned.lookup, planned.found);
  const samePopulation = candidates.every((c, i) => population.appliesTo(c.facts) === planned.population[i]);
  if ((now !== 'unchanged' || !samePopulation) && !decisionsHold(new BatchResolver(now === 'unchanged' ? copyCandidateSet(planned.found) : now, { population }), planned, candidates)) return false;
  const existing = await loadCurrentVersions(client, 'Patient', planned.patientIds);
  const byIdentifier = await findVersionsByIdentifiers(client, planned.wanted, ownInserts);
  return basisOf(existing, byIdentifier) === planned.basis;
}

/** The resolver replayed on the candidates as they are now: the same decisions? */
function decisionsHold(resolver: BatchResolver, planned: PlannedBatch, candidates: Candidate[]): boolean {
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    const decision = resolver.resolve(c.facts, c.keys);
    if (JSON.stringify(decision) !== planned.resolved[i]) return false;
    if (decision.decision !== 'link' || decision.patientId === undefined) resolver.add({ patientId: planned.resolvedIds[i]!, residentId: null, facts: c.facts }, c.keys.stored);
  }
  return true;
}

function basisOf(existing: Map<string, CurrentRow>, byIdentifier: Map<string, CurrentRow>): string {
  const parts: string[] = [];
  for (const [id, r] of existing) parts.push(`P|${id}|${r.rid}|${r.versionId}`);
  for (const [key, r] of byIdentifier) parts.push(`I|${key}|${r.rid}|${r.versionId}`);
  return parts.sort().join('\n');
}

async function planBatch(
  client: Queryable,
  ctx: PipelineContext,
  candidates: Candidate[],
  options: IngestOptions,
  extras?: ExtraResources,
  /** Planned ahead of the lock: the new string values are stored apart, before the batch's transaction. */
  ahead = false,
): Promise<PlannedBatch> {
  const asOf = ctx.asOf ?? new Date().toISOString().slice(0, 10);
  const mode = options.patientUpdate ?? 'fill';
  const others = candidates.flatMap((c, ci) => c.others.map((o) => ({ ...o, ci })));
  const population = options.registration === true ? NO_POPULATION_RULE : await pipelinePopulationRule(client, ctx);
  const lookup = lookupOf([...candidates.map((c) => c.keys), ...others.map((o) => o.keys)]);
  const found = await findCandidates(client, lookup);
  const resolver = new BatchResolver(copyCandidateSet(found), { population });

  // Identity: who each record is. New persons join the resolver so later records of the batch find them.
  const decisions: IdentityDecision[] = [];
  const subjectOf: string[] = [];
  const newIds = new Set<string>();
  for (const c of candidates) {
    const decision = resolver.resolve(c.facts, c.keys);
    decisions.push(decision);
    if (decision.decision === 'link' && decision.patientId !== undefined) {
      subjectOf.push(decision.patientId);
    } else {
      const id = randomUUID();
      newIds.add(id);
      subjectOf.push(id);
      resolver.add({ patientId: id, residentId: null, facts: c.facts }, c.keys.stored);
    }
  }
  const resolved = decisions.map((d) => JSON.stringify(d));
  const resolvedIds = [...subjectOf];
  // Other persons (newborns): a re-sent one is found by its stable identifier; a first one goes
  // through the matcher like anyone, never linking to its own mother or a sibling of the record.
  const otherDecisions: IdentityDecision[] = [];
  const otherOf: string[] = [];
  const storedOthers = others.length ? await findByIdentifiers(client, others.flatMap((o) => stableIdentifierOf(o.patient))) : new Map<string, CurrentRow>();
  others.forEach((o) => {
    const ident = stableIdentifier(o.patient);
    const known = ident ? storedOthers.get(identifierLookupKey('Patient', ident.system, ident.value)) : undefined;
    const exclude = new Set([subjectOf[o.ci]!, ...others.flatMap((x, j) => (x.ci === o.ci && j < otherOf.length ? [otherOf[j]!] : []))]);
    const decision: IdentityDecision = known && !exclude.has(known.id)
      ? { decision: 'link', patientId: known.id, candidates: [] }
      : resolver.resolve(o.facts, o.keys, exclude);
    otherDecisions.push(decision);
    if (decision.decision === 'link' && decision.patientId !== undefined) {
      otherOf.push(decision.patientId);
    } else {
      const id = randomUUID();
      newIds.add(id);
      otherOf.push(id);
      resolver.add({ patientId: id, residentId: null, facts: o.facts }, o.keys.stored);
    }
  });
  const patientIds = [...subjectOf, ...otherOf].filter((id) => !newIds.has(id));
  const existing = await loadCurrent(client, 'Patient', patientIds);
  // A linked record whose Patient is gone (deleted through the API) becomes a new resident.
  const renewed = (ids: string[], ds: IdentityDecision[]) =>
    ids.forEach((id, i) => {
      if (!newIds.has(id) && !existing.has(id)) {
        const fresh = randomUUID();
        newIds.add(fresh);
        ids[i] = fresh;
        ds[i] = { decision: 'new', candidates: [] };
      }
    });
  renewed(subjectOf, decisions);
  renewed(otherOf, otherDecisions);
  const residentIds = await allocateResidentIds(client, ctx.province, newIds.size);
  const subjects = new Map<string, Subject>();
  const persons = [
    ...candidates.map((c, i) => ({ id: subjectOf[i]!, patient: c.prepared.record.patient, mode })),
    // What a birth certificate says about a child never overrides the registry.
    ...others.map((o, j) => ({ id: otherOf[j]!, patient: o.patient, mode: 'fill' as const })),
  ];
  persons.forEach(({ id, patient, mode }) => {
    const incoming = copyJson(patient);
    const subject = subjects.get(id);
    if (subject) {
      subject.patient = mergePatientData(subject.patient, incoming, mode);
    } else if (newIds.has(id)) {
      subjects.set(id, { id, isNew: true, patient: withResidentId({ ...incoming, id }, residentIds.pop()!) });
    } else {
      const current = existing.get(id)!;
      subjects.set(id, { id, isNew: false, current, patient: mergePatientData(JSON.parse(current.content) as Patient, incoming, mode) });
    }
  });

  // Entries: ids from their stable identifiers (a re-send updates), references rewritten.
  const entryIds = candidates.map(() => new Map<string, string>());
  const extraResources = extras ? extras(indexAligned(candidates, subjectOf)) : [];
  const wanted: { type: string; system: string; value: string }[] = [];
  for (const c of candidates) for (const e of c.prepared.entries) pushIdentifier(wanted, e.resource);
  for (const r of extraResources) pushIdentifier(wanted, r);
  const byIdentifier = await findByIdentifiers(client, wanted);
  const batchIds = new Map<string, string>();
  const idFor = (resource: Resource): { id: string; current?: CurrentRow } => {
    const ident = stableIdentifier(resource);
    if (!ident) return { id: resource.id ?? randomUUID() };
    const key = identifierLookupKey(resource.resourceType, ident.system, ident.value);
    const current = byIdentifier.get(key);
    if (current) return { id: current.id, current };
    let id = batchIds.get(key);
    if (!id) batchIds.set(key, (id = randomUUID()));
    return { id };
  };

  const plan = new VersionPlan(options.sourceFacility ?? null);
  const patientWritten = new Map<string, boolean>();
  for (const subject of subjects.values()) {
    const final = withResidentGroups({ ...subject.patient, id: subject.id }, asOf) as Patient & { id: string };
    delete final.meta;
    if (subject.current) {
      final.meta = storedContent(subject.current).meta;
    }
    subject.patient = final;
    patientWritten.set(subject.id, plan.write(final, subject.current));
  }

  const otherIdByUrl = new Map<string, string>();
  others.forEach((o, j) => otherIdByUrl.set(o.fullUrl, otherOf[j]!));
  const countedPersons = new Set<string>(subjectOf);
  const perRecord = candidates.map((c, i) => {
    const map = entryIds[i]!;
    map.set(c.prepared.record.patientFullUrl, `Patient/${subjectOf[i]}`);
    const personIds: string[] = [];
    let written = 0;
    for (const o of c.others) {
      const id = otherIdByUrl.get(o.fullUrl)!;
      map.set(o.fullUrl, `Patient/${id}`);
      personIds.push(`Patient/${id}`);
      if (!countedPersons.has(id) && patientWritten.get(id)) written++;
      countedPersons.add(id);
    }
    const planned = c.prepared.entries.filter((e) => !otherIdByUrl.has(e.fullUrl)).map((e) => {
      const { id, current } = idFor(e.resource);
      map.set(e.fullUrl, `${e.resource.resourceType}/${id}`);
      return { resource: e.resource, id, current };
    });
    for (const p of planned) {
      const resource = rewriteReferences({ ...p.resource, id: p.id } as Resource & { id: string }, map);
      if (p.current) resource.meta = storedContent(p.current).meta;
      else delete resource.meta;
      if (plan.write(resource, p.current)) written++;
    }
    return { written, resourceIds: [`Patient/${subjectOf[i]}`, ...personIds, ...planned.map((p) => `${p.resource.resourceType}/${p.id}`)] };
  });
  for (const r of extraResources) {
    const { id, current } = idFor(r);
    const resource = { ...r, id } as Resource & { id: string };
    if (current) resource.meta = storedContent(current).meta;
    plan.write(resource, current);
  }

  // A re-sent record replaces: what the earlier version had and this one has not is deleted.
  const replacing = candidates.flatMap((c, i) => (c.prepared.record.replaces ? [{ i, ...c.prepared.record.replaces }] : []));
  const replacedRows = await findReplacedMany(client, replacing);
  const deletedPerRecord = candidates.map(() => 0);
  if (replacing.length) {
    const batchWrites = new Set(perRecord.flatMap((r) => r.resourceIds));
    replacing.forEach(({ i }, j) => {
      for (const row of replacedRows[j]!) {
        if (plan.has(row.resourceType, row.id) || batchWrites.has(`${row.resourceType}/${row.id}`)) continue;
        plan.delete(row);
        deletedPerRecord[i]!++;
      }
    });
  }


  // The MPI follows every Patient written.
  const mpiPersons: PersonToWrite[] = [];
  // Most written Patients have the facts their record came with: reuse its keys (blocking keys
  // and their hashes were a sixth of the household import's CPU when computed twice).
  const keysByFacts = new Map<string, string[]>();
  for (const c of [...candidates, ...others]) keysByFacts.set(JSON.stringify(c.facts), c.keys.stored.slice(0, c.keys.stored.length - c.keys.exact.length));
  for (const s of subjects.values()) {
    if (!patientWritten.get(s.id)) continue;
    const facts = factsFromPatient(s.patient);
    const residentId = residentIdOf(s.patient) ?? null;
    const exact = exactIdentifiersOf(s.patient);
    const known = keysByFacts.get(JSON.stringify(facts));
    const keys = known ? [...known, ...exactKeys(exact)] : identityKeys(facts, exact).stored;
    mpiPersons.push({ patientId: s.id, residentId, facts, keys, isNew: s.isNew });
  }
  const reviews = reviewItems([
    ...candidates.map((c, i) => ({ decision: decisions[i]!, patientId: subjectOf[i]!, key: c.prepared.record.key })),
    ...others.map((o, j) => ({ decision: otherDecisions[j]!, patientId: otherOf[j]!, key: candidates[o.ci]!.prepared.record.key })),
  ]);

  const results = candidates.map((c, i) => {
    const id = subjectOf[i]!;
    const decision = decisions[i]!;
    const isNew = newIds.has(id);
    const firstForSubject = subjectOf.indexOf(id) === i;
    const outcome: IngestResult['outcome'] = isNew
      ? decision.decision === 'review' ? 'review' : firstForSubject ? 'created' : 'matched'
      : patientWritten.get(id) && firstForSubject ? 'updated' : 'matched';
    const result: IngestResult = {
      key: c.prepared.record.key,
      outcome,
      patientId: id,
      resourceIds: perRecord[i]!.resourceIds,
      written: perRecord[i]!.written + (firstForSubject && patientWritten.get(id) ? 1 : 0),
      deleted: deletedPerRecord[i]!,
      excluded: c.prepared.excluded,
      warnings: c.prepared.record.warnings,
      ...(decision.decision === 'review' ? { reviewCandidates: decision.candidates.map((x) => x.patientId) } : {}),
    };
    return { index: c.index, result };
  });
  const otherWrites = [...new Set(otherOf)].filter((id) => patientWritten.get(id) && !subjectOf.includes(id)).map((id) => ({ id, created: newIds.has(id) }));
  return {
    lookup,
    found,
    population: candidates.map((c) => population.appliesTo(c.facts)),
    resolved,
    resolvedIds,
    patientIds,
    wanted,
    basis: basisOf(existing, byIdentifier),
    inserts: withoutRestampOf(newResourcesStatement(plan.inserts, { stringValuesApart: ahead }), newIds),
    updates: existingResourcesStatement(plan.updates),
    updateCount: plan.updates.length,
    persons: mpiPersons,
    reviews,
    audit: [...auditEntries(ctx, options, results.map((r) => r.result)), ...otherPersonAudit(ctx, options, otherWrites)],
    results,
  };
}

function stableIdentifierOf(patient: Patient): { type: string; system: string; value: string }[] {
  const ident = stableIdentifier(patient);
  return ident ? [{ type: 'Patient', ...ident }] : [];
}

/** A person created or changed through someone else's record (a newborn) has an audit entry of its own. */
function otherPersonAudit(ctx: PipelineContext, options: IngestOptions, writes: { id: string; created: boolean }[]): AuditEntryInput[] {
  const agent = agentOf(ctx.actor);
  return writes.map(({ id, created }) => ({
    action: created ? 'create' : 'update',
    outcome: '0',
    ...agent,
    patientId: id,
    entityType: 'Patient',
    entityId: id,
    detail: { channel: options.channel, outcome: created ? 'created' : 'updated', via: 'related-record' },
  }));
}

function pushIdentifier(into: { type: string; system: string; value: string }[], resource: Resource): void {
  const ident = stableIdentifier(resource);
  if (ident) into.push({ type: resource.resourceType, ...ident });
}

function indexAligned(candidates: Candidate[], subjectOf: string[]): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  candidates.forEach((c, i) => (out[c.index] = subjectOf[i]));
  return out;
}

/** The review queue rows of the uncertain decisions (up to five candidates each). */
function reviewItems(items: { decision: IdentityDecision; patientId: string; key: string }[]): ReviewPair[] {
  const out: ReviewPair[] = [];
  for (const { decision: d, patientId, key } of items) {
    if (d.decision !== 'review') continue;
    for (const c of d.candidates.slice(0, 5)) {
      if (c.patientId === patientId) continue;
      out.push({ patientId, candidateId: c.patientId, score: c.score, reasons: JSON.stringify(c.reasons), key });
    }
  }
  return out;
}

function auditEntries(ctx: PipelineContext, options: IngestOptions, results: IngestResult[]): AuditEntryInput[] {
  const agent = agentOf(ctx.actor);
  return results
    .filter((r) => r.written > 0 || r.deleted > 0 || r.outcome === 'review')
    .map((r) => ({
      action: r.outcome === 'created' || r.outcome === 'review' ? 'create' : 'update',
      outcome: '0',
      ...agent,
      ...(r.patientId ? { patientId: r.patientId, entityType: 'Patient', entityId: r.patientId } : {}),
      detail: { channel: options.channel, outcome: r.outcome, written: r.written, deleted: r.deleted },
    }));
}
