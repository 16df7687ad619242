// The national EPI (TCMR) schedule as data: data/programs/epi-schedule.json.
import { readProgramJson } from '../data-files.ts';

export interface ScheduleDose {
  dose: number;
  label: string;
  recommendedAgeDays?: number;
  recommendedAgeMonths?: number;
  /** For later doses: recommended interval after the previous dose of the series. */
  recommendedIntervalDays?: number;
  minAgeDays?: number;
  minIntervalDays?: number;
  /** Minimum interval after the last dose of another series (MR after measles, DPT4 after DPT-VGB-Hib 3). */
  minIntervalFromSeries?: { series: string; days: number };
  /** Past this age the dose is no longer given (catch-up ends). */
  maxAgeDays?: number;
  overdueAfterDays?: number;
  unverified?: boolean;
}

export interface ScheduleSeries {
  code: string;
  display: string;
  /** Vaccine codes that count as a dose of this series. */
  vaccines: string[];
  active?: boolean;
  unverified?: boolean;
  /** Forecast up to this age in months, instead of the schedule's childMaxAgeMonths (the Td booster at 7 years). */
  untilAgeMonths?: number;
  doses: ScheduleDose[];
}

export interface VaccineDef {
  code: string;
  display: string;
  cvx: string[];
}

export interface TetanusDose {
  dose: number;
  label: string;
  minIntervalDays?: number;
  /** Years of protection this dose gives (WHO TT schedule). */
  protectionYears: number;
}

export interface EpiSchedule {
  source: string;
  codeSystem: string;
  dueSoonDays: number;
  overdueAfterDays: number;
  childMaxAgeMonths: number;
  vaccines: VaccineDef[];
  series: ScheduleSeries[];
  tetanus: {
    display: string;
    vaccines: string[];
    womenAgeMin: number;
    womenAgeMax: number;
    doses: TetanusDose[];
    pregnancyLastDoseBeforeDeliveryDays: number;
  };
}

export function epiSchedule(): EpiSchedule {
  return readProgramJson<EpiSchedule>('epi-schedule.json');
}

/** Active childhood series (phased-in vaccines marked inactive are left out). */
export function activeSeries(schedule: EpiSchedule = epiSchedule()): ScheduleSeries[] {
  return schedule.series.filter((s) => s.active !== false);
}
