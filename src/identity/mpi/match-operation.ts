// Patient/$match (FHIR R4 operation): the MPI's scored candidates for a Patient given in a
// Parameters resource, as a searchset Bundle with search.score and the match-grade extension.
import type { Bundle, Parameters, Patient } from '@medplum/fhirtypes';
import { badRequest } from '../../fhir/outcomes.ts';
import type { Queryable } from '../../store/database.ts';
import { SqlParams } from '../../store/search/conditions.ts';
import type { AccessCondition } from '../../store/search/execute.ts';
import { LINK_THRESHOLD, REVIEW_THRESHOLD, type MatchDecision } from '../matcher.ts';
import { exactIdentifiersOf, factsFromPatient } from './person-facts.ts';
import type { PopulationRule } from './population-rule.ts';
import { resolveIdentity } from './resolve.ts';

export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';

function parameters(body: unknown): { patient: Patient; onlyCertain: boolean; count: number } {
  const p = body as Parameters | undefined;
  if (!p || p.resourceType !== 'Parameters') throw badRequest('Nội dung phải là Parameters chứa tham số "resource" là một Patient (body must be a Parameters resource)');
  const resource = p.parameter?.find((x) => x.name === 'resource')?.resource;
  if (!resource || resource.resourceType !== 'Patient') throw badRequest('Thiếu tham số "resource" kiểu Patient (missing the Patient)', 'Parameters.parameter.resource');
  const onlyCertain = p.parameter?.find((x) => x.name === 'onlyCertainMatches')?.valueBoolean ?? false;
  const count = p.parameter?.find((x) => x.name === 'count')?.valueInteger ?? 10;
  return { patient: resource, onlyCertain, count: Math.max(1, Math.min(count, 100)) };
}

function grade(decision: MatchDecision): string {
  return decision === 'link' ? 'certain' : decision === 'review' ? 'probable' : 'possible';
}

/** Score in [0, 1]: a logistic of the log2 likelihood ratio, 0.5 halfway between review and link. */
export function normalisedScore(score: number): number {
  const mid = (LINK_THRESHOLD + REVIEW_THRESHOLD) / 2;
  return Math.round((1 / (1 + 2 ** (-(score - mid) / 2))) * 1000) / 1000;
}

/**
 * `population`: the deployment's population rule (src/pipeline/population.ts), so that the
 * candidate an import would link is graded `certain` here too.
 */
export async function patientMatch(q: Queryable, body: unknown, baseUrl: string, access?: AccessCondition, population?: PopulationRule): Promise<Bundle> {
  const { patient, onlyCertain, count } = parameters(body);
  const facts = factsFromPatient(patient);
  if (!facts.fullName && !facts.cccd && !facts.bhxh && !facts.cmnd && !facts.bhytCard) {
    throw badRequest('Cần ít nhất họ tên hoặc một số định danh (CCCD, CMND, BHXH, BHYT) để tìm (name or identifier required)');
  }
  const decision = await resolveIdentity(q, facts, { exactIdentifiers: exactIdentifiersOf(patient), ...(population ? { population } : {}) });
  // The pair's own score may say review while the decision among all candidates links it (the
  // population rule): the grade is what an import would do.
  const graded = decision.candidates.map((c) => (decision.decision === 'link' && c.patientId === decision.patientId ? { ...c, decision: 'link' as const } : c));
  const candidates = graded.filter((c) => !onlyCertain || c.decision === 'link').slice(0, count);
  const sql = new SqlParams();
  const ids = sql.add(candidates.map((c) => c.patientId));
  const cond = access?.('r', sql);
  const { rows } = candidates.length
    ? await q.query<{ id: string; content: string }>(
        `SELECT r.id, r.content FROM resource r WHERE r.resource_type = 'Patient' AND r.id = ANY(${ids}::text[]) AND NOT r.deleted${cond ? ` AND (${cond})` : ''}`,
        sql.values,
      )
    : { rows: [] };
  const byId = new Map(rows.map((r) => [r.id, r.content]));
  const entry = candidates.flatMap((c) => {
    const content = byId.get(c.patientId);
    if (!content) return [];
    return [{
      fullUrl: `${baseUrl}/Patient/${c.patientId}`,
      resource: JSON.parse(content) as Patient,
      search: { mode: 'match' as const, score: normalisedScore(c.score), extension: [{ url: MATCH_GRADE_URL, valueCode: grade(c.decision) }] },
    }];
  });
  return { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry };
}
