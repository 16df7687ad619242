// A child's vaccination book: for every dose of the schedule, done / due / overdue / upcoming,
// with catch-up for late starts. A dose is due at the later of its recommended age and the
// minimum interval after the previous dose (so a late starter catches up at minimum intervals);
// a dose given before the minimum age or interval does not count (WHO validity rule, with the
// usual 4-day grace).
import { addDays, addMonths, daysBetween, maxDate, type IsoDate } from '../dates.ts';
import type { GivenDose } from './given-doses.ts';
import { activeSeries, epiSchedule, type EpiSchedule, type ScheduleDose, type ScheduleSeries } from './schedule.ts';

export type DoseStatus = 'done' | 'due' | 'overdue' | 'upcoming' | 'too-late' | 'waiting';

export interface DoseForecast {
  series: string;
  seriesDisplay: string;
  dose: number;
  label: string;
  vaccines: string[];
  status: DoseStatus;
  /** When given (done). */
  givenOn?: IsoDate;
  /** When the dose is due (not done); for `waiting`, the earliest date if the previous dose were given today. */
  dueDate?: IsoDate;
  /** The earliest valid date (minimum age and interval). */
  earliestDate?: IsoDate;
  /** The last day it may still be given (maximum age). */
  latestDate?: IsoDate;
}

export interface VaccinationBook {
  birthDate: IsoDate;
  asOf: IsoDate;
  doses: DoseForecast[];
  /** Doses given too early to count. */
  invalid: GivenDose[];
  complete: boolean;
}

const GRACE_DAYS = 4;

function recommendedDate(birth: IsoDate, d: ScheduleDose, previous: IsoDate | undefined): IsoDate | undefined {
  if (d.recommendedIntervalDays !== undefined) return previous ? addDays(previous, d.recommendedIntervalDays) : undefined;
  if (d.recommendedAgeMonths !== undefined) return addMonths(birth, d.recommendedAgeMonths);
  return addDays(birth, d.recommendedAgeDays ?? 0);
}

function statusOf(asOf: IsoDate, due: IsoDate, latest: IsoDate | undefined, overdueAfter: number): DoseStatus {
  if (latest && asOf > latest) return 'too-late';
  if (asOf < due) return 'upcoming';
  return daysBetween(due, asOf) > overdueAfter ? 'overdue' : 'due';
}

export function vaccinationBook(birthDate: IsoDate, given: readonly GivenDose[], asOf: IsoDate, schedule: EpiSchedule = epiSchedule()): VaccinationBook {
  const doses: DoseForecast[] = [];
  const invalid: GivenDose[] = [];
  const lastOfSeries = new Map<string, IsoDate>();
  const used = new Set<GivenDose>();
  for (const series of orderSeries(activeSeries(schedule))) {
    let previous: IsoDate | undefined;
    let blocked = false;
    const candidates = given.filter((g) => series.vaccines.includes(g.vaccine) && !used.has(g));
    for (const d of series.doses) {
      const latest = d.maxAgeDays !== undefined ? addDays(birthDate, d.maxAgeDays) : undefined;
      const fromOther = d.minIntervalFromSeries ? lastOfSeries.get(d.minIntervalFromSeries.series) : undefined;
      const earliestFor = (prev: IsoDate | undefined) =>
        maxDate(
          addDays(birthDate, d.minAgeDays ?? 0),
          prev && d.minIntervalDays !== undefined ? addDays(prev, d.minIntervalDays) : undefined,
          fromOther && d.minIntervalFromSeries ? addDays(fromOther, d.minIntervalFromSeries.days) : undefined,
        )!;
      const base = { series: series.code, seriesDisplay: series.display, dose: d.dose, label: d.label, vaccines: series.vaccines };
      if (blocked) {
        doses.push({ ...base, status: 'waiting' });
        continue;
      }
      const earliest = earliestFor(previous);
      // The first remaining dose given on or after the earliest valid date (minus grace) counts.
      let match: GivenDose | undefined;
      for (const g of candidates) {
        if (used.has(g)) continue;
        if (g.date >= addDays(earliest, -GRACE_DAYS)) {
          match = g;
          break;
        }
        used.add(g);
        invalid.push(g);
      }
      if (match) {
        used.add(match);
        previous = match.date;
        doses.push({ ...base, status: 'done', givenOn: match.date });
        continue;
      }
      const recommended = recommendedDate(birthDate, d, previous);
      const due = maxDate(recommended, earliest)!;
      const status = statusOf(asOf, due, latest, d.overdueAfterDays ?? schedule.overdueAfterDays);
      doses.push({ ...base, status, dueDate: due, earliestDate: earliest, ...(latest ? { latestDate: latest } : {}) });
      // Later doses of the series wait for this one (their dates depend on when it is given).
      if (status !== 'too-late') blocked = true;
    }
    if (previous) lastOfSeries.set(series.code, previous);
  }
  return { birthDate, asOf, doses, invalid, complete: doses.every((d) => d.status === 'done' || d.status === 'too-late') };
}

/** Series that depend on another series' last dose are computed after it. */
function orderSeries(series: ScheduleSeries[]): ScheduleSeries[] {
  const dependent = (s: ScheduleSeries) => s.doses.some((d) => d.minIntervalFromSeries);
  return [...series.filter((s) => !dependent(s)), ...series.filter(dependent)];
}
