// Tetanus (UV) doses for women of child-bearing age and pregnant women: five doses at minimum
// intervals (1 month, 6 months, 1 year, 1 year); a pregnant woman whose protection has lapsed
// needs the next dose, at the latest a month before the expected delivery.
import { addDays, type IsoDate } from '../dates.ts';
import type { GivenDose } from './given-doses.ts';
import { epiSchedule, type EpiSchedule } from './schedule.ts';
import type { DoseForecast, DoseStatus } from './forecast.ts';

export interface TetanusInput {
  given: readonly GivenDose[];
  asOf: IsoDate;
  /** Expected delivery date when pregnant. */
  pregnancyDueDate?: IsoDate;
  /** Within the target ages for routine UV (15–35). */
  inTargetAge: boolean;
}

export interface TetanusForecast {
  dosesGiven: number;
  protectedUntil?: IsoDate;
  next?: DoseForecast;
}

export function tetanusForecast(input: TetanusInput, schedule: EpiSchedule = epiSchedule()): TetanusForecast {
  const t = schedule.tetanus;
  const doses = input.given.filter((g) => t.vaccines.includes(g.vaccine));
  const count = Math.min(doses.length, t.doses.length);
  const last = doses.at(-1)?.date;
  const lastDef = count > 0 ? t.doses[count - 1] : undefined;
  const protectedUntil = last && lastDef && lastDef.protectionYears > 0 ? addDays(last, Math.round(lastDef.protectionYears * 365.25)) : undefined;
  const result: TetanusForecast = { dosesGiven: count, ...(protectedUntil ? { protectedUntil } : {}) };
  if (count >= t.doses.length) return result;
  const nextDef = t.doses[count]!;
  const earliest = last && nextDef.minIntervalDays !== undefined ? addDays(last, nextDef.minIntervalDays) : input.asOf;
  const pregnant = input.pregnancyDueDate !== undefined && input.pregnancyDueDate >= input.asOf;
  const protectedAtDelivery = pregnant && protectedUntil !== undefined && protectedUntil >= input.pregnancyDueDate!;
  if (pregnant && protectedAtDelivery) return result;
  if (!pregnant && !input.inTargetAge) return result;
  const due = earliest > input.asOf ? earliest : input.asOf;
  const latest = pregnant ? addDays(input.pregnancyDueDate!, -t.pregnancyLastDoseBeforeDeliveryDays) : undefined;
  // Routine doses for non-pregnant women are listed as due from the earliest date, overdue after the grace.
  let status: DoseStatus = due > input.asOf ? 'upcoming' : last && earliest < addDays(input.asOf, -schedule.overdueAfterDays) ? 'overdue' : 'due';
  if (pregnant && latest && input.asOf > latest) status = 'overdue';
  result.next = {
    series: 'tetanus',
    seriesDisplay: t.display,
    dose: nextDef.dose,
    label: nextDef.label,
    vaccines: t.vaccines,
    status,
    dueDate: due,
    earliestDate: earliest,
    ...(latest ? { latestDate: latest } : {}),
  };
  return result;
}
