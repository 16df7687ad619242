// The expanded programme on immunization (TCMR) in reports: the series and vaccines come from
// the one EPI data table of the programmes (data/programs/epi-schedule.json). A child is
// fully vaccinated with a series when they have as many doses of its vaccines as it has doses.
import type { Coding } from '@medplum/fhirtypes';
import { ProgramSystem } from '../programs/codes.ts';
import { activeSeries, epiSchedule } from '../programs/immunization/schedule.ts';

export interface EpiSeries {
  code: string;
  label: string;
  doses: number;
  /** Vaccine codes (TCMR code system) that give a dose of this series. */
  vaccines: string[];
}

export function epiSeries(): EpiSeries[] {
  return activeSeries().map((s) => ({ code: s.code, label: s.display, doses: s.doses.length, vaccines: s.vaccines }));
}

/** The TCMR vaccine code of an Immunization.vaccineCode (TCMR code or CVX). */
export function epiVaccineOf(codings: readonly Coding[] | undefined): string | undefined {
  const schedule = epiSchedule();
  for (const c of codings ?? []) {
    if (c.system === ProgramSystem.vaccine && c.code && schedule.vaccines.some((v) => v.code === c.code)) return c.code;
  }
  for (const c of codings ?? []) {
    if (c.system === ProgramSystem.cvx && c.code) {
      const hit = schedule.vaccines.find((v) => v.cvx.includes(c.code!));
      if (hit) return hit.code;
    }
  }
  return undefined;
}

/** Birth cohorts a vaccination report covers: children of the last `years` years. */
export const COHORT_YEARS = 6;
