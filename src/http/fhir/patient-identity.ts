// Patient writes of the FHIR REST API through the shared identity matcher (MISSION B4; the
// decisions are described in docs/identity.md, "The FHIR API", and their answers in
// docs/integration/fhir-api.md). A create of someone already registered makes no second record;
// an uncertain one is created and its pairs wait for a reviewer; an update that gives a Patient
// a national identifier another resident holds is queued for review too. Nothing is merged here.
import type { Patient } from '@medplum/fhirtypes';
import type { PersonFacts } from '../../identity/matcher.ts';
import { allocateResidentIds, insertReviewPairs, lockKeys, upsertPersons, type ReviewPair } from '../../identity/mpi/mpi-store.ts';
import { exactIdentifiersOf, factsFromPatient, residentIdOf } from '../../identity/mpi/person-facts.ts';
import { personRow } from '../../identity/mpi/person-row.ts';
import type { PopulationRuleMode } from '../../identity/mpi/population-rule.ts';
import { BatchResolver, identityKeys, lookupOf, type CandidateScore, type IdentityKeys } from '../../identity/mpi/resolve.ts';
import { pipelinePopulationRule } from '../../pipeline/population.ts';
import type { Queryable } from '../../store/database.ts';
import { SqlParams } from '../../store/search/conditions.ts';
import type { AccessCondition } from '../../store/search/execute.ts';

/** The deployment's matching settings. Absent on the national hub, which keeps each province's copy of a person. */
export interface IdentityMatching {
  province: string;
  populationRule: PopulationRuleMode;
}

/** What a Patient create becomes. */
export type CreateDecision =
  /** A new record; `reviews`: the existing records it may be (queued for a person). */
  | { kind: 'create'; reviews: CandidateScore[] }
  /** The person's record exists; `visible` when the caller may read it. */
  | { kind: 'existing'; patientId: string; visible: boolean };

const HELD_BACK = 'Khớp chắc chắn nhưng người tạo không có quyền xem hồ sơ có sẵn: chờ người xét duyệt (certain match held for review: the creator may not read the existing record).';
const SAME_IDENTIFIER = 'Cùng số định danh (CCCD, CMND, BHXH hoặc mã HSSK) với hồ sơ này (shares a national identifier).';

interface Person {
  facts: PersonFacts;
  keys: IdentityKeys;
}

function personOf(patient: Patient): Person {
  let facts: PersonFacts;
  let exact: string[];
  try {
    facts = factsFromPatient(patient);
    exact = exactIdentifiersOf(patient);
  } catch {
    // A malformed body (a name that is not an array…) has no facts; the validator refuses it
    // with field-level issues before anything is written or answered.
    facts = {};
    exact = [];
  }
  return { facts, keys: identityKeys(facts, exact) };
}

/**
 * The identity decisions of one transaction: the keys of every person it will decide are
 * locked first, in one call (the pipeline's lock stripes, so a concurrent import or request
 * cannot create the same person meanwhile), and the candidates loaded in one query.
 */
export class PatientIdentity {
  private readonly q: Queryable;
  private readonly resolver: BatchResolver;
  private readonly access: AccessCondition | undefined;
  private readonly added = new Set<string>();
  private readonly indexLater: boolean;
  private readonly province: string;
  private reserved: string[] = [];

  private constructor(q: Queryable, resolver: BatchResolver, access: AccessCondition | undefined, indexLater: boolean, province: string) {
    this.q = q;
    this.resolver = resolver;
    this.access = access;
    this.indexLater = indexLater;
    this.province = province;
  }

  /**
   * Takes `count` resident IDs from the province's sequence in one query, for the new persons this
   * transaction is about to create (a Bundle's, a group commit's). Any left unused stay unissued:
   * the sequence never hands a number out twice.
   */
  async reserveResidentIds(count: number): Promise<void> {
    this.reserved.push(...(await allocateResidentIds(this.q, this.province, count)));
  }

  /** A resident ID for a new person created in this transaction (a reserved one first). */
  async newResidentId(): Promise<string> {
    return this.reserved.shift() ?? (await allocateResidentIds(this.q, this.province, 1))[0]!;
  }

  /**
   * Must run inside the write's transaction, before any other lock the write takes.
   * `indexLater`: the transaction writes the MPI rows of the Patients it created before it
   * commits (a transaction Bundle's access trail), so each create need not; meanwhile its later
   * decisions see them through this object.
   */
  static async begin(q: Queryable, matching: IdentityMatching, patients: Patient[], access: AccessCondition | undefined, indexLater = false): Promise<PatientIdentity> {
    const persons = patients.map(personOf);
    await lockKeys(q, persons.flatMap((p) => p.keys.stored));
    const population = await pipelinePopulationRule(q, { province: matching.province, populationRule: matching.populationRule });
    const resolver = await BatchResolver.load(q, lookupOf(persons.map((p) => p.keys)), { population });
    return new PatientIdentity(q, resolver, access, indexLater, matching.province);
  }

  /**
   * After a create is written (or deferred in its transaction): its review pairs, its MPI row
   * (unless `indexLater`), and it becomes a candidate for this transaction's later decisions.
   * `freshId`: a server-made id, which has no earlier MPI rows (a client's may: a deleted Patient).
   * Returns whether the MPI row was written.
   */
  async created(patientId: string, patient: Patient, reviews: CandidateScore[], freshId: boolean): Promise<boolean> {
    this.add(patientId, patient);
    if (!this.indexLater) await upsertPersons(this.q, [personRow(patientId, patient, freshId)]);
    await insertReviewPairs(this.q, reviewPairs(patientId, reviews));
    return !this.indexLater;
  }

  /**
   * Link, new or review, as an import decides, with one difference: a certain match the caller
   * may not read is answered as existing only when the two share a national identifier (the
   * caller then knew the person's number and name); matched on demographics alone it is created
   * and queued, so that no answer tells a caller whether someone with a given name, birth date
   * and commune is registered.
   */
  async decideCreate(patient: Patient, ownId?: string, access: AccessCondition | undefined = this.access): Promise<CreateDecision> {
    const { facts, keys } = personOf(patient);
    // An update-as-create of a deleted Patient: its own earlier MPI row is no candidate.
    const self = new Set(ownId ? [ownId] : []);
    const decision = this.resolver.resolve(facts, keys, self);
    const holders = this.resolver.holdersOf(keys, self);
    let reviews = decision.decision === 'new' ? [] : decision.candidates;
    if (decision.decision === 'link' && decision.patientId !== undefined) {
      const linked = decision.patientId;
      if (this.added.has(linked)) return { kind: 'existing', patientId: linked, visible: true };
      const state = await recordState(this.q, linked, access);
      if (state === 'visible') return { kind: 'existing', patientId: linked, visible: true };
      if (state === 'hidden' && holders.includes(linked)) return { kind: 'existing', patientId: linked, visible: false };
      // Deleted through the API: a new resident, as in the pipeline.
      if (state === 'gone') reviews = reviews.filter((c) => c.patientId !== linked);
      else reviews = reviews.map((c) => (c.patientId === linked ? { ...c, decision: 'review' as const, reasons: [...c.reasons, HELD_BACK] } : c));
    }
    return { kind: 'create', reviews: withHolders(reviews, holders) };
  }

  /** Makes a person created in this transaction a candidate for its later creates. */
  add(patientId: string, patient: Patient): void {
    this.added.add(patientId);
    const { facts, keys } = personOf(patient);
    this.resolver.add({ patientId, residentId: residentIdOf(patient) ?? null, facts }, keys.stored);
  }

  /** Whether this transaction is creating that Patient (added with `add`). */
  createdHere(patientId: string): boolean {
    return this.added.has(patientId);
  }

  /**
   * After an update: when it gave the Patient a national identifier it did not have, the records
   * holding that identifier, and those the matcher finds uncertain or the same, are queued with it.
   */
  async afterUpdate(patientId: string, before: Patient | undefined, after: Patient): Promise<void> {
    if (!identifiersGained(before, after)) return;
    const { facts, keys } = personOf(after);
    const self = new Set([patientId]);
    const decision = this.resolver.resolve(facts, keys, self);
    const reviews = withHolders(decision.decision === 'new' ? [] : decision.candidates, this.resolver.holdersOf(keys, self));
    await insertReviewPairs(this.q, reviewPairs(patientId, reviews));
  }
}

/** Whether an update brings a national or exact identifier the earlier version did not have. */
export function identifiersGained(before: Patient | undefined, after: Patient): boolean {
  // A malformed body (an identifier that is not an array…) gains nothing: the validator refuses
  // it with field-level issues when it is written.
  try {
    return gained(before, after);
  } catch {
    return false;
  }
}

function gained(before: Patient | undefined, after: Patient): boolean {
  const a = factsFromPatient(after);
  const b = before ? factsFromPatient(before) : {};
  if ((['cccd', 'cmnd', 'bhxh', 'bhytCard'] as const).some((k) => a[k] && a[k] !== b[k])) return true;
  const earlier = new Set(before ? exactIdentifiersOf(before) : []);
  return exactIdentifiersOf(after).some((e) => !earlier.has(e));
}

function withHolders(reviews: CandidateScore[], holders: string[]): CandidateScore[] {
  const listed = new Set(reviews.map((r) => r.patientId));
  return [...reviews, ...holders.filter((h) => !listed.has(h)).map((h) => ({ patientId: h, score: 0, decision: 'review' as const, reasons: [SAME_IDENTIFIER] }))];
}

/** The review queue rows of a created Patient (up to five candidates). */
export function reviewPairs(patientId: string, reviews: CandidateScore[]): ReviewPair[] {
  return reviews
    .filter((r) => r.patientId !== patientId)
    .slice(0, 5)
    .map((r) => ({ patientId, candidateId: r.patientId, score: r.score, reasons: JSON.stringify(r.reasons), key: `fhir:Patient/${patientId}` }));
}

/** Whether the caller may read the Patient, may not, or it is deleted (or was never written). */
async function recordState(q: Queryable, patientId: string, access: AccessCondition | undefined): Promise<'visible' | 'hidden' | 'gone'> {
  const sql = new SqlParams();
  const id = sql.add(patientId);
  const cond = access?.('r', sql);
  const { rows } = await q.query<{ visible: boolean }>(
    `SELECT ${cond ? `(${cond})` : 'TRUE'} AS visible FROM resource r WHERE r.resource_type = 'Patient' AND r.id = ${id} AND NOT r.deleted`,
    sql.values,
  );
  if (rows.length === 0) return 'gone';
  return rows[0]!.visible ? 'visible' : 'hidden';
}
