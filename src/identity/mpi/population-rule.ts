// Where the corroborated population rule of identity matching applies (docs/identity.md, rule
// 5). The rule links a sole namesake candidate on the premise that, were the incoming person
// someone else, they would be registered too and be a candidate as well. That premise holds in
// a commune whose household list has been imported (MISSION A3): `household_coverage`
// (migration 310) records those communes at the end of each household import.
import type { Queryable } from '../../store/database.ts';
import type { PersonFacts } from '../matcher.ts';

/** HSSK_IDENTITY_POPULATION_RULE: `auto` in covered communes, `on` everywhere, `off` nowhere. */
export type PopulationRuleMode = 'auto' | 'on' | 'off';

/** Decides, per incoming record, whether the population rule applies to it. */
export interface PopulationRule {
  appliesTo(facts: PersonFacts): boolean;
}

export const NO_POPULATION_RULE: PopulationRule = { appliesTo: () => false };
const EVERYWHERE: PopulationRule = { appliesTo: () => true };

/**
 * The 2025 communes a stated commune code stands for (an old code may stand for several after a
 * split). Supplied by the caller: the matcher side has no admin-unit table.
 */
export type CurrentCommunes = (code: string) => readonly string[];

/**
 * The rule over a set of covered communes: it applies to a record that states a commune all of
 * whose 2025 communes are covered (a split old commune counts only when every part is).
 */
export function populationRule(mode: PopulationRuleMode, covered: ReadonlySet<string>, currentCommunes: CurrentCommunes): PopulationRule {
  if (mode === 'off') return NO_POPULATION_RULE;
  if (mode === 'on') return EVERYWHERE;
  if (covered.size === 0) return NO_POPULATION_RULE;
  return {
    appliesTo(facts) {
      const code = facts.communeCode?.trim();
      if (!code) return false;
      if (covered.has(code)) return true;
      const current = currentCommunes(code);
      return current.length > 0 && current.every((c) => covered.has(c));
    },
  };
}

/** The rule as the database says now: one small query in `auto` mode, none otherwise. */
export async function loadPopulationRule(q: Queryable, mode: PopulationRuleMode, currentCommunes: CurrentCommunes): Promise<PopulationRule> {
  if (mode !== 'auto') return populationRule(mode, new Set(), currentCommunes);
  return populationRule(mode, await coveredCommunes(q), currentCommunes);
}

export async function coveredCommunes(q: Queryable): Promise<Set<string>> {
  const { rows } = await q.query<{ commune: string }>('SELECT commune FROM household_coverage');
  return new Set(rows.map((r) => r.commune));
}

export interface CommuneCoverage {
  commune: string;
  firstImportedAt: string;
  lastImportedAt: string;
  lastRows: number;
  imports: number;
}

/** Records a household import that ran to its end: rows accepted per commune (2025 code). */
export async function recordHouseholdCoverage(q: Queryable, rowsByCommune: ReadonlyMap<string, number>): Promise<void> {
  if (rowsByCommune.size === 0) return;
  await q.query(
    `INSERT INTO household_coverage (commune, first_imported_at, last_imported_at, last_rows)
     SELECT c, now(), now(), n FROM unnest($1::text[], $2::int[]) AS t(c, n)
     ON CONFLICT (commune) DO UPDATE
       SET last_imported_at = now(), last_rows = EXCLUDED.last_rows, imports = household_coverage.imports + 1`,
    [[...rowsByCommune.keys()], [...rowsByCommune.values()]],
  );
}

/**
 * Withdraws communes from coverage (a list recorded as complete that was not): the population
 * rule stops applying there from the next batch. Returns the communes that were covered.
 */
export async function removeHouseholdCoverage(q: Queryable, communes: readonly string[]): Promise<string[]> {
  const { rows } = await q.query<{ commune: string }>('DELETE FROM household_coverage WHERE commune = ANY($1::text[]) RETURNING commune', [communes]);
  return rows.map((r) => r.commune).sort();
}

export async function listHouseholdCoverage(q: Queryable): Promise<CommuneCoverage[]> {
  const { rows } = await q.query<{ commune: string; first_imported_at: Date; last_imported_at: Date; last_rows: number; imports: number }>(
    'SELECT commune, first_imported_at, last_imported_at, last_rows, imports FROM household_coverage ORDER BY commune',
  );
  return rows.map((r) => ({ commune: r.commune, firstImportedAt: r.first_imported_at.toISOString(), lastImportedAt: r.last_imported_at.toISOString(), lastRows: r.last_rows, imports: r.imports }));
}
