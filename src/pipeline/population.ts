// The population rule as every channel gets it (docs/identity.md, rule 5): the deployment's
// mode (HSSK_IDENTITY_POPULATION_RULE) over the communes whose household list is imported, a
// stated commune code read in either administrative list.
import { loadPopulationRule, type CurrentCommunes, type PopulationRule } from '../identity/mpi/population-rule.ts';
import { resolveCommune } from '../province/admin-units.ts';
import type { Queryable } from '../store/database.ts';
import type { PipelineContext } from './types.ts';

/** The 2025 communes a code written in the 2025 or the old list stands for in the province. */
export function currentCommunesIn(province: string): CurrentCommunes {
  return (code) => {
    const r = resolveCommune(code, { province });
    if (!r) return [];
    return r.full ? [r.commune.code] : r.candidates.map((c) => c.commune.code);
  };
}

export function pipelinePopulationRule(q: Queryable, ctx: Pick<PipelineContext, 'province' | 'populationRule'>): Promise<PopulationRule> {
  return loadPopulationRule(q, ctx.populationRule ?? 'auto', currentCommunesIn(ctx.province));
}
