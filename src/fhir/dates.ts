// FHIR dates as [low, high] instants. Values without a time zone (dates, and dateTimes written
// without an offset) are Vietnamese local time (+07:00), on both the indexing and the searching
// side, so that "date=2024-01-02" means that calendar day in Vietnam.
export const LOCAL_OFFSET = '+07:00';
const LOCAL_OFFSET_MS = 7 * 3600_000;

export interface InstantRange {
  low: Date;
  high: Date;
}

const DATE_RE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

function offsetMs(zone: string | undefined): number {
  if (!zone) return LOCAL_OFFSET_MS;
  if (zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 3600_000 + Number(zone.slice(4, 6)) * 60_000);
}

/** The instant range a FHIR date/dateTime/instant value covers, or undefined if it is malformed. */
export function parseDateRange(value: string): InstantRange | undefined {
  const m = DATE_RE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) : undefined;
  const day = d ? Number(d) : undefined;
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined) {
    const dim = new Date(Date.UTC(year, month!, 0)).getUTCDate();
    if (day < 1 || day > dim) return undefined;
  }
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (s !== undefined && Number(s) > 59))) return undefined;
  const shift = offsetMs(zone);
  const utc = (yy: number, mm: number, dd: number, hh = 0, mn = 0, ss = 0, ms = 0) =>
    new Date(Date.UTC(yy, mm, dd, hh, mn, ss, ms) - shift);
  if (month === undefined) return { low: utc(year, 0, 1), high: new Date(utc(year + 1, 0, 1).getTime() - 1) };
  if (day === undefined) return { low: utc(year, month - 1, 1), high: new Date(utc(year, month, 1).getTime() - 1) };
  if (h === undefined) return { low: utc(year, month - 1, day), high: new Date(utc(year, month - 1, day + 1).getTime() - 1) };
  if (s === undefined) {
    const low = utc(year, month - 1, day, Number(h), Number(mi));
    return { low, high: new Date(low.getTime() + 59_999) };
  }
  if (frac === undefined) {
    const low = utc(year, month - 1, day, Number(h), Number(mi), Number(s));
    return { low, high: new Date(low.getTime() + 999) };
  }
  const ms = Number(frac.slice(0, 3).padEnd(3, '0'));
  const low = utc(year, month - 1, day, Number(h), Number(mi), Number(s), ms);
  return { low, high: low };
}
