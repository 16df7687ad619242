// Dates dd/mm/yyyy and numbers with Vietnamese grouping (1.234.567), whatever the language.
// FHIR dates may be partial ("1980", "1980-03"): shown as far as they are known.

const NUMBER = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

export function formatNumber(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '' : NUMBER.format(value);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A FHIR date or dateTime as dd/mm/yyyy, in Vietnamese time (+07:00) for instants. */
export function formatDate(value: string | undefined): string {
  if (!value) return '';
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(value);
  if (m) return m[3] ? `${m[3]}/${m[2]}/${m[1]}` : m[2] ? `${m[2]}/${m[1]}` : m[1]!;
  const d = vnParts(value);
  return d ? `${pad(d.day)}/${pad(d.month)}/${d.year}` : value;
}

/** dd/mm/yyyy hh:mm in Vietnamese time. */
export function formatDateTime(value: string | undefined): string {
  if (!value) return '';
  if (/^\d{4}(-\d{2}(-\d{2})?)?$/.test(value)) return formatDate(value);
  const d = vnParts(value);
  return d ? `${pad(d.day)}/${pad(d.month)}/${d.year} ${pad(d.hour)}:${pad(d.minute)}` : value;
}

function vnParts(value: string) {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const d = new Date(ms + 7 * 3600_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
}

/** Whole years between a (possibly partial) birth date and now. */
export function ageOf(birthDate: string | undefined, now = new Date()): number | undefined {
  if (!birthDate) return undefined;
  const [y, m = 1, d = 1] = birthDate.slice(0, 10).split('-').map(Number);
  if (!y) return undefined;
  let age = now.getFullYear() - y;
  if (now.getMonth() + 1 < m || (now.getMonth() + 1 === m && now.getDate() < d)) age -= 1;
  return age;
}

/** Parses dd/mm/yyyy (or yyyy) typed by a user into a FHIR date; undefined when invalid. */
export function parseVnDate(text: string): string | undefined {
  const t = text.trim();
  if (/^\d{4}$/.test(t)) return t;
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(t);
  if (!m) return undefined;
  const [day, month, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return `${year}-${pad(month)}-${pad(day)}`;
}

/** Today as a FHIR date in Vietnamese time. */
export function todayVn(): string {
  const d = new Date(Date.now() + 7 * 3600_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Now as a FHIR dateTime with the +07:00 offset. */
export function nowVn(): string {
  const d = new Date(Date.now() + 7 * 3600_000);
  return `${d.toISOString().slice(0, 19)}+07:00`;
}
