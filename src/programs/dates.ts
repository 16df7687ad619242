// Calendar dates (yyyy-mm-dd, Vietnamese local days) for programme schedules: ages, intervals,
// weeks and months. Dates are handled as UTC midnights so that arithmetic never meets DST.
const DAY_MS = 86_400_000;

export type IsoDate = string;

export function parseDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value ?? '');
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), m[2] ? Number(m[2]) - 1 : 0, m[3] ? Number(m[3]) : 1));
}

export function toIso(d: Date): IsoDate {
  return d.toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return toIso(new Date(parseDate(date)!.getTime() + days * DAY_MS));
}

/** Calendar months later; the 31st of a shorter month becomes its last day. */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const d = parseDate(date)!;
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return toIso(target);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((parseDate(to)!.getTime() - parseDate(from)!.getTime()) / DAY_MS);
}

export function maxDate(...dates: (IsoDate | undefined)[]): IsoDate | undefined {
  return dates.filter((d): d is IsoDate => d !== undefined).sort().at(-1);
}

/** Today in Vietnam (UTC+7). */
export function todayInVietnam(now: Date = new Date()): IsoDate {
  return toIso(new Date(now.getTime() + 7 * 3_600_000));
}

/** Sunday of the (Monday-first) week containing `date`. */
export function endOfWeek(date: IsoDate): IsoDate {
  const dow = (parseDate(date)!.getUTCDay() + 6) % 7;
  return addDays(date, 6 - dow);
}

export function endOfMonth(date: IsoDate): IsoDate {
  const d = parseDate(date)!;
  return toIso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)));
}

/** Completed months of age. */
export function ageInMonths(birthDate: IsoDate, on: IsoDate): number {
  const b = parseDate(birthDate)!;
  const d = parseDate(on)!;
  let months = (d.getUTCFullYear() - b.getUTCFullYear()) * 12 + d.getUTCMonth() - b.getUTCMonth();
  if (d.getUTCDate() < b.getUTCDate()) months--;
  return months;
}

/** Date part of a FHIR date/dateTime in local time (a zoned instant is moved to +07:00). */
export function localDateOf(value: string | undefined): IsoDate | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(value)) return todayInVietnam(new Date(value));
  return /^\d{4}-\d{2}-\d{2}/.test(value) ? value.slice(0, 10) : undefined;
}
