// Pregnancies (EpisodeOfCare type `pregnancy`, expected delivery date as an extension or an
// Observation 11778-8), antenatal visits against the schedule of data/programs/maternal-child.json,
// and children's growth (WHO weight-for-age, length/height-for-age, weight-for-length/height)
// flagging underweight, stunting, wasting and overweight.
import type { EpisodeOfCare } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import { readProgramJson } from '../data-files.ts';
import { LOINC, ProgramExtension, ProgramSystem, VISIT_TYPES } from '../codes.ts';
import { addDays, ageInMonths, daysBetween, localDateOf, type IsoDate } from '../dates.ts';
import { growthPoints, type GrowthPoint } from '../growth/growth.ts';
import { communeOfPatient, sexOf } from './patient-facts.ts';
import { programmeOfEpisode } from './register-state.ts';
import type { ProgramContext, ResidentRecord, WorklistItem } from './types.ts';

export interface MaternalChildConfig {
  pregnancy: {
    durationDays: number;
    closeAfterDeliveryDays: number;
    ancVisits: { visit: number; label: string; byWeek: number }[];
    conditionCodes: string[];
  };
  growth: { maxAgeMonths: number; moderateZ: number; severeZ: number; overweightZ: number; obeseZ: number; lookbackDays: number };
  yearlyChecks: { code: string; display: string; groups: string[]; everyDays?: number; schoolYear?: boolean }[];
}

export function maternalChildConfig(): MaternalChildConfig {
  return readProgramJson<MaternalChildConfig>('maternal-child.json');
}

export const PREGNANCY_PROGRAMME = { code: 'pregnancy', display: 'Quản lý thai nghén' } as const;

export function pregnancyEpisodeId(patientId: string, start: IsoDate): string {
  return `preg-${patientId}-${start.replaceAll('-', '')}`;
}

function expectedDelivery(r: ResidentRecord, e: EpisodeOfCare): IsoDate | undefined {
  const own = e.extension?.find((x) => x.url === ProgramExtension.expectedDelivery)?.valueDate;
  if (own) return own;
  const start = e.period?.start ?? '';
  return r.observations
    .filter((o) => (o.code?.coding ?? []).some((c) => c.code === LOINC.expectedDelivery) && (localDateOf(o.effectiveDateTime) ?? '') >= start.slice(0, 10))
    .map((o) => localDateOf(o.valueDateTime))
    .filter((d): d is IsoDate => !!d)
    .sort()
    .at(-1);
}

export interface PregnancyResult {
  resources: (EpisodeOfCare & { id: string })[];
  worklist: WorklistItem[];
  /** Expected delivery date of the current pregnancy (for the tetanus forecast). */
  dueDate?: IsoDate;
}

export function pregnancyState(r: ResidentRecord, ctx: ProgramContext): PregnancyResult {
  const cfg = maternalChildConfig().pregnancy;
  const p = r.patient;
  const commune = communeOfPatient(p);
  const out: PregnancyResult = { resources: [], worklist: [] };
  const episodes = r.episodes.filter((e) => programmeOfEpisode(e) === PREGNANCY_PROGRAMME.code && e.status === 'active');
  // A pregnancy diagnosis (Z32.1, Z33–Z36) from any channel opens an episode when none is open.
  if (episodes.length === 0) {
    const diag = r.conditions
      .filter((c) => (c.code?.coding ?? []).some((cd) => cd.system === CodeSystem.icd10 && cfg.conditionCodes.some((z) => (cd.code ?? '').replace('.', '').startsWith(z.replace('.', '')))))
      .map((c) => localDateOf(c.recordedDate ?? c.onsetDateTime))
      .filter((d): d is IsoDate => !!d && daysBetween(d, ctx.asOf) <= cfg.durationDays)
      .sort()[0];
    if (diag) {
      episodes.push({
        resourceType: 'EpisodeOfCare',
        id: pregnancyEpisodeId(p.id, diag),
        status: 'active',
        type: [{ coding: [{ system: ProgramSystem.programme, code: PREGNANCY_PROGRAMME.code, display: PREGNANCY_PROGRAMME.display }] }],
        patient: { reference: `Patient/${p.id}` },
        period: { start: diag },
        meta: { tag: [{ system: ProgramSystem.enrolmentSource, code: 'condition' }] },
      });
    }
  }
  for (const source of episodes) {
    const e = { ...source } as EpisodeOfCare & { id: string };
    const station = ctx.stationOf(commune);
    if (!e.managingOrganization && station) e.managingOrganization = station;
    const edd = expectedDelivery(r, e);
    const start = e.period?.start?.slice(0, 10) ?? ctx.asOf;
    const lmp = edd ? addDays(edd, -cfg.durationDays) : start;
    if (edd && daysBetween(edd, ctx.asOf) > cfg.closeAfterDeliveryDays) {
      e.status = 'finished';
      e.period = { ...e.period, end: addDays(edd, cfg.closeAfterDeliveryDays) };
      out.resources.push(e);
      continue;
    }
    out.dueDate = edd;
    const visits = r.encounters.filter((enc) => {
      const d = localDateOf(enc.period?.start);
      const anc = (enc.type ?? []).some((t) => (t.coding ?? []).some((c) => c.code === VISIT_TYPES.antenatal.code));
      const reason = (enc.reasonCode ?? []).some((t) => (t.coding ?? []).some((c) => /^Z3[456]/.test((c.code ?? '').replace('.', ''))));
      return d !== undefined && d >= lmp && (anc || reason);
    }).length;
    const next = cfg.ancVisits.find((v) => v.visit > visits);
    const week = Math.floor(daysBetween(lmp, ctx.asOf) / 7);
    const nextDue = next ? addDays(lmp, next.byWeek * 7) : edd ?? null;
    out.resources.push(e);
    out.worklist.push({
      patientId: p.id,
      communeCode: commune,
      kind: 'pregnancy',
      itemKey: e.id,
      dueDate: nextDue,
      status: next && nextDue && nextDue < ctx.asOf ? 'overdue' : 'due',
      title: next ? next.label : 'Chờ sinh',
      detail: { expectedDelivery: edd ?? null, gestationalWeek: edd ? week : null, antenatalVisits: visits, nextVisit: next?.visit ?? null },
      resourceRef: `EpisodeOfCare/${e.id}`,
    });
  }
  return out;
}

type GrowthIndicator = 'weight-for-age' | 'height-for-age' | 'weight-for-height';

const GROWTH_TITLES: Record<string, string> = {
  'weight-for-age/moderate': 'Suy dinh dưỡng nhẹ cân (cân nặng/tuổi < −2 SD)',
  'weight-for-age/severe': 'Suy dinh dưỡng nhẹ cân mức nặng (cân nặng/tuổi < −3 SD)',
  'height-for-age/moderate': 'Suy dinh dưỡng thấp còi (chiều cao/tuổi < −2 SD)',
  'height-for-age/severe': 'Suy dinh dưỡng thấp còi mức nặng (chiều cao/tuổi < −3 SD)',
  'weight-for-height/moderate': 'Suy dinh dưỡng gầy còm (cân nặng/chiều cao < −2 SD)',
  'weight-for-height/severe': 'Suy dinh dưỡng gầy còm mức nặng (cân nặng/chiều cao < −3 SD)',
  'weight-for-height/overweight': 'Thừa cân (cân nặng/chiều cao > +2 SD)',
  'weight-for-height/obese': 'Béo phì (cân nặng/chiều cao > +3 SD)',
};

/**
 * The growth flags of a child under five from the latest measurement of each indicator:
 * underweight (weight-for-age), stunting (length/height-for-age), wasting and overweight
 * (weight-for-length/height) — each a worklist item of kind `malnutrition`.
 */
export function growthState(r: ResidentRecord, ctx: ProgramContext): WorklistItem[] {
  const cfg = maternalChildConfig().growth;
  const p = r.patient;
  if (!p.birthDate || p.birthDate.length < 10 || ageInMonths(p.birthDate, ctx.asOf) >= cfg.maxAgeMonths) return [];
  const points = growthPoints(sexOf(p), p.birthDate, r.observations).filter((g) => g.date <= ctx.asOf && daysBetween(g.date, ctx.asOf) <= cfg.lookbackDays);
  const items: WorklistItem[] = [];
  const flag = (indicator: GrowthIndicator, status: string, g: GrowthPoint, z: number) => {
    const resourceRef = indicator === 'height-for-age' ? g.heightObservationId : g.observationId ?? g.heightObservationId;
    items.push({
      patientId: p.id,
      communeCode: communeOfPatient(p),
      kind: 'malnutrition',
      itemKey: indicator,
      dueDate: g.date,
      status,
      title: GROWTH_TITLES[`${indicator}/${status}`]!,
      detail: {
        indicator,
        z,
        measuredOn: g.date,
        ...(g.weightKg !== undefined ? { weightKg: g.weightKg } : {}),
        ...(g.heightCm !== undefined ? { heightCm: g.heightCm } : {}),
        ...(indicator === 'weight-for-age' ? { weightForAgeZ: z } : indicator === 'height-for-age' ? { heightForAgeZ: z } : { weightForHeightZ: z }),
      },
      resourceRef: resourceRef ? `Observation/${resourceRef}` : null,
    });
  };
  const under = (z: number) => (z < cfg.severeZ ? 'severe' : z < cfg.moderateZ ? 'moderate' : undefined);
  const wfa = points.filter((g) => g.weightForAgeZ !== undefined).at(-1);
  if (wfa && under(wfa.weightForAgeZ!)) flag('weight-for-age', under(wfa.weightForAgeZ!)!, wfa, wfa.weightForAgeZ!);
  const hfa = points.filter((g) => g.heightForAgeZ !== undefined).at(-1);
  if (hfa && under(hfa.heightForAgeZ!)) flag('height-for-age', under(hfa.heightForAgeZ!)!, hfa, hfa.heightForAgeZ!);
  const wfh = points.filter((g) => g.weightForHeightZ !== undefined).at(-1);
  if (wfh) {
    const z = wfh.weightForHeightZ!;
    const status = under(z) ?? (z > cfg.obeseZ ? 'obese' : z > cfg.overweightZ ? 'overweight' : undefined);
    if (status) flag('weight-for-height', status, wfh, z);
  }
  return items;
}
