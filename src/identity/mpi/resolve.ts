// Identity resolution (MISSION B4): which resident is this? Blocking keys find the candidates,
// the matcher scores them; certain matches link, uncertain ones create the record and a review
// item, the rest are new residents. A batch resolver sees the new persons of its own batch too,
// so one person twice in a file becomes one record.
import type { Queryable } from '../../store/database.ts';
import { bornOnAnotherDay, decideAmongCandidates, matchPersons, nationalIdentifiersConflict, type MatchDecision, type PersonFacts } from '../matcher.ts';
import { hashKey, keysOf, type PersonKeys } from './block-keys.ts';
import { bornDay, findCandidates, type KeyLookup, type StoredPerson } from './mpi-store.ts';
import type { PopulationRule } from './population-rule.ts';

export interface CandidateScore {
  patientId: string;
  score: number;
  decision: MatchDecision;
  reasons: string[];
}

export interface IdentityDecision {
  decision: MatchDecision;
  /** link: the resident's record. review: the best candidate (a new record is created beside it). */
  patientId?: string;
  /** Every candidate that is not clearly someone else, best first. */
  candidates: CandidateScore[];
}

export interface ResolveOptions {
  /**
   * Which incoming records the population rule applies to (their commune's whole population is
   * registered, MISSION A3: a sole corroborated namesake candidate may link). Default: none.
   */
  population?: PopulationRule;
}

/** A key bucket larger than this is ignored when the person has other keys (a very common name). */
const MAX_BUCKET = 400;

export type IdentityKeys = PersonKeys & {
  exact: string[];
  /** The complete birth date as yyyymmdd (null when partial or unknown): candidates born on a day that cannot be it are left out at the look-up. */
  born: number | null;
};

/**
 * The keys of a person. Exact identifiers (`system|value` of the resident ID, or of a household
 * registry member) are keys of their own that decide alone.
 */
export function identityKeys(facts: PersonFacts, exactIdentifiers: readonly string[] = []): IdentityKeys {
  const keys = keysOf(facts);
  const exact = exactKeys(exactIdentifiers);
  return { stored: [...keys.stored, ...exact], lookup: [...keys.lookup, ...exact], identifiers: keys.identifiers, exact, born: bornDay(facts.birthDate) };
}

/**
 * What to look candidates up by, for several persons: every lookup key, with the person's
 * complete birth date for the name-and-date keys (a holder of such a key born on a day that
 * cannot be a typo, a swap or an exact match of it would be skipped by the resolver anyway —
 * `bornOnAnotherDay` — and is not fetched), none for the identifier keys (their holders are
 * candidates whatever their dates).
 */
export function lookupOf(persons: readonly IdentityKeys[]): KeyLookup {
  const keys: string[] = [];
  const born: (number | null)[] = [];
  const seen = new Set<string>();
  for (const p of persons) {
    const unfiltered = new Set([...p.identifiers, ...p.exact]);
    for (const key of p.lookup) {
      const day = unfiltered.has(key) ? null : p.born;
      const id = `${key}|${day}`;
      if (seen.has(id)) continue;
      seen.add(id);
      keys.push(key);
      born.push(day);
    }
  }
  return { keys, born };
}

/** The hashed keys of exact identifiers (`system|value`); they follow the blocking keys in `stored`. */
export function exactKeys(exactIdentifiers: readonly string[]): string[] {
  return exactIdentifiers.map((e) => hashKey(`exact:${e}`));
}

export class BatchResolver {
  private readonly persons: Map<string, StoredPerson>;
  private readonly byKey: Map<string, string[]>;
  private readonly options: ResolveOptions;
  /** `found` is the resolver's own from then on: `add` changes it. */
  constructor(found: { persons: Map<string, StoredPerson>; byKey: Map<string, string[]> }, options: ResolveOptions = {}) {
    this.persons = found.persons;
    this.byKey = found.byKey;
    this.options = options;
  }

  static async load(q: Queryable, lookup: KeyLookup, options: ResolveOptions = {}): Promise<BatchResolver> {
    return new BatchResolver(await findCandidates(q, lookup), options);
  }

  resolve(facts: PersonFacts, keys: IdentityKeys, exclude: ReadonlySet<string> = new Set()): IdentityDecision {
    // An exact key decides alone, unless the holder's national identifiers name someone else:
    // then a person reviews (a household's two members written alike, a resident ID copied onto
    // another person's record).
    let contradicted: string | undefined;
    for (const key of keys.exact) {
      for (const id of this.byKey.get(key) ?? []) {
        const holder = this.persons.get(id);
        if (holder === undefined || exclude.has(id)) continue;
        if (!nationalIdentifiersConflict(facts, holder.facts)) {
          return { decision: 'link', patientId: id, candidates: [{ patientId: id, score: 99, decision: 'link', reasons: ['Trùng mã định danh HSSK hoặc mã thành viên hộ.'] }] };
        }
        contradicted ??= id;
      }
    }
    if (contradicted !== undefined) {
      const reasons = ['Trùng mã định danh HSSK hoặc mã thành viên hộ nhưng số CCCD/mã số BHXH khác nhau: cần kiểm tra.'];
      const score = matchPersons(facts, this.persons.get(contradicted)!.facts).score;
      return { decision: 'review', patientId: contradicted, candidates: [{ patientId: contradicted, score, decision: 'review', reasons }] };
    }
    const ids = new Set<string>();
    const sharesIdentifier = new Set<string>();
    for (const k of keys.identifiers) for (const id of this.byKey.get(k) ?? []) sharesIdentifier.add(id);
    const several = keys.lookup.length > 1;
    for (const k of keys.lookup) {
      const bucket = this.byKey.get(k);
      if (!bucket || (several && bucket.length > MAX_BUCKET)) continue;
      for (const id of bucket) if (!exclude.has(id)) ids.add(id);
    }
    const candidates = [...ids].flatMap((id) => {
      const p = this.persons.get(id);
      // Born on another day, no identifier in common: 'new' whatever the names (cannotLink),
      // decided without preparing the candidate — hundreds of them for a common name.
      return p && (sharesIdentifier.has(id) || !bornOnAnotherDay(facts, p.facts)) ? [{ id, facts: p.facts }] : [];
    });
    const decided = decideAmongCandidates(facts, candidates, { populationComplete: this.options.population?.appliesTo(facts) ?? false });
    const scored = decided.results
      .filter((r) => r.result.decision !== 'new')
      .map((r) => ({ patientId: r.id, score: r.result.score, decision: r.result.decision, reasons: r.result.reasons }));
    if (decided.decision === 'new' || decided.candidate === undefined) return { decision: 'new', candidates: scored };
    return { decision: decided.decision, patientId: decided.candidate, candidates: scored };
  }

  /**
   * The active persons holding one of the person's national identifiers (CCCD, CMND, BHXH) or
   * exact identifiers (resident ID, household member), whatever the matcher thinks of the pair.
   */
  holdersOf(keys: IdentityKeys, exclude: ReadonlySet<string> = new Set()): string[] {
    const ids = new Set<string>();
    for (const k of [...keys.identifiers, ...keys.exact]) for (const id of this.byKey.get(k) ?? []) if (this.persons.has(id) && !exclude.has(id)) ids.add(id);
    return [...ids];
  }

  /** Makes a person written in this batch a candidate for the batch's later records. */
  add(person: StoredPerson, storedKeys: string[]): void {
    this.persons.set(person.patientId, person);
    for (const k of storedKeys) {
      const list = this.byKey.get(k);
      if (!list) this.byKey.set(k, [person.patientId]);
      else if (!list.includes(person.patientId)) list.push(person.patientId);
    }
  }
}

/** Resolves one person against the MPI (for callers outside the pipeline, e.g. $match). */
export async function resolveIdentity(q: Queryable, facts: PersonFacts, options: ResolveOptions & { exactIdentifiers?: string[] } = {}): Promise<IdentityDecision> {
  const keys = identityKeys(facts, options.exactIdentifiers);
  const resolver = await BatchResolver.load(q, lookupOf([keys]), options);
  return resolver.resolve(facts, keys);
}
