// Vaccination book → ImmunizationRecommendation (one per resident: `imr-{patientId}`) and the
// vaccination / tetanus worklist items.
import type { ImmunizationRecommendation, ImmunizationRecommendationRecommendation } from '@medplum/fhirtypes';
import { ProgramSystem } from '../codes.ts';
import { addDays, ageInMonths, type IsoDate } from '../dates.ts';
import { vaccinationBook, type DoseForecast } from '../immunization/forecast.ts';
import { givenDoses } from '../immunization/given-doses.ts';
import { epiSchedule } from '../immunization/schedule.ts';
import { tetanusForecast } from '../immunization/tetanus.ts';
import { ageYears, communeOfPatient } from './patient-facts.ts';
import type { ProgramContext, ResidentRecord, WorklistItem } from './types.ts';

const FORECAST_STATUS: Partial<Record<DoseForecast['status'], string>> = {
  done: 'complete',
  due: 'due',
  upcoming: 'due',
  waiting: 'due',
  overdue: 'overdue',
};
const DISPLAY: Record<string, string> = { complete: 'Đã tiêm', due: 'Đến hạn', overdue: 'Quá hạn' };
/** Worklist horizon: far enough to cover "this month". */
const HORIZON_DAYS = 31;

function recommendation(d: DoseForecast): ImmunizationRecommendationRecommendation | undefined {
  const status = FORECAST_STATUS[d.status];
  if (!status) return undefined;
  const schedule = epiSchedule();
  const vaccine = schedule.vaccines.find((v) => v.code === d.vaccines[0]);
  return {
    vaccineCode: [{ coding: [{ system: ProgramSystem.vaccine, code: d.vaccines[0]!, ...(vaccine ? { display: vaccine.display } : {}) }], text: d.label }],
    doseNumberPositiveInt: d.dose,
    series: d.seriesDisplay,
    description: d.label,
    forecastStatus: { coding: [{ system: ProgramSystem.forecastStatus, code: status, display: DISPLAY[status]! }] },
    ...(d.dueDate ? { dateCriterion: [{ code: { coding: [{ system: 'http://loinc.org', code: '30980-7', display: 'Date vaccine due' }] }, value: d.dueDate }] } : {}),
  };
}

function item(ctx: ProgramContext, patientId: string, commune: string | null, kind: 'vaccination' | 'tetanus', d: DoseForecast): WorklistItem | undefined {
  if (!d.dueDate || !['due', 'overdue', 'upcoming'].includes(d.status)) return undefined;
  if (d.status === 'upcoming' && d.dueDate > addDays(ctx.asOf, HORIZON_DAYS)) return undefined;
  return {
    patientId,
    communeCode: commune,
    kind,
    itemKey: `${d.series}/${d.dose}`,
    dueDate: d.dueDate,
    status: d.status === 'upcoming' ? 'due' : d.status,
    title: d.label,
    detail: { series: d.series, dose: d.dose, vaccines: d.vaccines, earliestDate: d.earliestDate ?? null, latestDate: d.latestDate ?? null },
    resourceRef: `ImmunizationRecommendation/imr-${patientId}`,
  };
}

export function immunizationState(r: ResidentRecord, ctx: ProgramContext, pregnancyDueDate: IsoDate | undefined): { resource?: ImmunizationRecommendation & { id: string }; worklist: WorklistItem[] } {
  const p = r.patient;
  if (!p.birthDate || p.birthDate.length < 10) return { worklist: [] };
  const schedule = epiSchedule();
  const given = givenDoses(r.immunizations, schedule);
  const commune = communeOfPatient(p);
  const forecasts: DoseForecast[] = [];
  const worklist: WorklistItem[] = [];
  // Infant series end at childMaxAgeMonths; a series may run longer (the Td booster at 7 years),
  // and past its own limit a series is no longer forecast (no catch-up list of infant doses for a schoolchild).
  const months = ageInMonths(p.birthDate, ctx.asOf);
  const until = new Map(schedule.series.map((s) => [s.code, s.untilAgeMonths ?? schedule.childMaxAgeMonths]));
  if (months < Math.max(...until.values())) {
    const book = vaccinationBook(p.birthDate, given, ctx.asOf, schedule);
    for (const d of book.doses) {
      if (months >= (until.get(d.series) ?? schedule.childMaxAgeMonths)) continue;
      forecasts.push(d);
      const w = item(ctx, p.id, commune, 'vaccination', d);
      if (w) worklist.push(w);
    }
  }
  const age = ageYears(p, ctx.asOf);
  if (p.gender === 'female' && age !== undefined && age >= schedule.tetanus.womenAgeMin && age <= 49) {
    const t = tetanusForecast({ given, asOf: ctx.asOf, inTargetAge: age <= schedule.tetanus.womenAgeMax, ...(pregnancyDueDate ? { pregnancyDueDate } : {}) }, schedule);
    if (t.next) {
      forecasts.push(t.next);
      const w = item(ctx, p.id, commune, 'tetanus', t.next);
      if (w) worklist.push({ ...w, detail: { ...w.detail, dosesGiven: t.dosesGiven, pregnant: pregnancyDueDate !== undefined } });
    }
  }
  const recommendations = forecasts.map(recommendation).filter((x): x is ImmunizationRecommendationRecommendation => x !== undefined);
  if (recommendations.length === 0) return { worklist };
  const resource: ImmunizationRecommendation & { id: string } = {
    resourceType: 'ImmunizationRecommendation',
    id: `imr-${p.id}`,
    patient: { reference: `Patient/${p.id}` },
    // The date of the records the forecast rests on, not today: a daily refresh that changes no
    // status writes no new version.
    date: given.at(-1)?.date ?? p.birthDate,
    ...(ctx.stationOf(commune) ? { authority: ctx.stationOf(commune)! } : {}),
    recommendation: recommendations,
  };
  return { resource, worklist };
}
