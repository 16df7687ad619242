// Value converters of the XML 4210/130 formats: each turns one field's text into a FHIR value or
// says why it cannot (a `ConvertError` whose message is Vietnamese and never repeats free text).

/** A field value that cannot be converted; the caller turns it into a field-level rejection. */
export class ConvertError extends Error {
  override name = 'ConvertError';
}

/** Vietnam has no daylight saving: every local time of the formats is +07:00. */
export const VN_OFFSET = '+07:00';

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function checkDate(y: number, m: number, d: number, raw: string): void {
  if (y < 1850 || y > 2200 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    throw new ConvertError(`ngày không tồn tại (${raw})`);
  }
}

const DIGITS = /^\d+$/;

/** `yyyymmdd` → FHIR date `yyyy-mm-dd`. */
export function date8(raw: string): string {
  if (raw.length !== 8 || !DIGITS.test(raw)) throw new ConvertError(`ngày phải có dạng yyyymmdd (${raw})`);
  const y = +raw.slice(0, 4), m = +raw.slice(4, 6), d = +raw.slice(6, 8);
  checkDate(y, m, d, raw);
  return `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
}

/** `yyyymmddHHMM` (or `yyyymmddHHMMSS`, or a bare `yyyymmdd`) → FHIR dateTime with +07:00. */
export function dateTime12(raw: string): string {
  if (raw.length === 8) return date8(raw);
  if ((raw.length !== 12 && raw.length !== 14) || !DIGITS.test(raw)) {
    throw new ConvertError(`thời điểm phải có dạng yyyymmddHHMM (${raw})`);
  }
  const day = date8(raw.slice(0, 8));
  const hh = +raw.slice(8, 10), mi = +raw.slice(10, 12), ss = raw.length === 14 ? +raw.slice(12, 14) : 0;
  if (hh > 23 || mi > 59 || ss > 59) throw new ConvertError(`giờ không tồn tại (${raw})`);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day}T${pad(hh)}:${pad(mi)}:${pad(ss)}${VN_OFFSET}`;
}

/** An instant needs a time: a date-only value becomes the start of that day in Vietnam. */
export function instant12(raw: string): string {
  const v = dateTime12(raw);
  return v.length === 10 ? `${v}T00:00:00${VN_OFFSET}` : v;
}

export interface BirthDate {
  /** FHIR date: `yyyy`, `yyyy-mm` or `yyyy-mm-dd`. */
  value: string;
  /** Set when the value follows a convention that may hide an unknown day and month. */
  note?: 'possibly-unknown-day-month';
}

/**
 * NGAY_SINH. QĐ 130: 12 characters `yyyymmddHHMM`, `0000` in place of an unknown month+day
 * (`yyyy0000HHMM`) or `00` for an unknown day → a year-only or year-month FHIR date.
 * QĐ 4210: 8 characters `yyyymmdd` with `0101` standing for an unknown day and month — the date is
 * kept (it may be true) and flagged so the caller can say so.
 */
export function birthDate(raw: string, generation: '130' | '4210'): BirthDate {
  if (!DIGITS.test(raw) || (raw.length !== 8 && raw.length !== 12)) {
    throw new ConvertError(`ngày sinh phải có dạng ${generation === '130' ? 'yyyymmddHHMM' : 'yyyymmdd'} (${raw})`);
  }
  const y = raw.slice(0, 4), m = raw.slice(4, 6), d = raw.slice(6, 8);
  if (m === '00') {
    if (d !== '00') throw new ConvertError(`ngày sinh không tồn tại (${raw})`);
    checkDate(+y, 1, 1, raw);
    return { value: y };
  }
  if (d === '00') {
    checkDate(+y, +m, 1, raw);
    return { value: `${y}-${m}` };
  }
  const value = date8(raw.slice(0, 8));
  if (raw.length === 12) {
    const hh = +raw.slice(8, 10), mi = +raw.slice(10, 12);
    if (hh > 23 || mi > 59) throw new ConvertError(`giờ sinh không tồn tại (${raw})`);
  }
  if (generation === '4210' && m === '01' && d === '01') return { value, note: 'possibly-unknown-day-month' };
  return { value };
}

/** `;`-separated lists (MA_BENH_KT, MA_THE_BHYT, NGAY_TAI_KHAM, …): trimmed, empties kept so
 *  parallel lists stay aligned. */
export function splitList(raw: string | undefined): string[] {
  if (raw === undefined || raw === '') return [];
  return raw.split(';').map((s) => s.trim());
}

/** Empty items removed. */
export function listValues(raw: string | undefined): string[] {
  return splitList(raw).filter((s) => s !== '');
}

const ICD10 = /^([A-Z])(\d{2})(?:\.?([0-9A-Z]{1,2}))?$/;

/**
 * ICD-10 codes arrive as `A09.0`, `A090`, `a09.0`, with dagger/asterisk marks (`A17.0†`, `G01*`)
 * or stray spaces; HSSK stores the dotted form of QĐ 4469 (`A09.0`). Undefined when the text is
 * not shaped like an ICD-10 code.
 */
export function normaliseIcd10(raw: string): string | undefined {
  const s = raw.toUpperCase().replace(/[\s†*+!]/g, '');
  const m = ICD10.exec(s);
  if (!m) return undefined;
  return m[3] ? `${m[1]}${m[2]}.${m[3]}` : `${m[1]}${m[2]}`;
}

/** A decimal with `.` as separator (the formats' rule); undefined otherwise. */
export function decimal(raw: string): number | undefined {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

export type Gender = 'male' | 'female' | 'unknown';

/** GIOI_TINH / GIOI_TINH_CON: 1 Nam, 2 Nữ, 3 Chưa xác định. */
export function gender(raw: string): Gender {
  switch (raw) {
    case '1':
      return 'male';
    case '2':
      return 'female';
    case '3':
      return 'unknown';
    default:
      throw new ConvertError(`giới tính phải là 1, 2 hoặc 3 (${raw})`);
  }
}

/** Vietnamese names are written family name first: "NGUYỄN VĂN AN" → family NGUYỄN, given VĂN, AN. */
export function personName(raw: string): { text: string; family?: string; given?: string[] } {
  const text = raw.replace(/\s+/g, ' ').trim();
  const parts = text.split(' ');
  if (parts.length < 2) return { text };
  return { text, family: parts[0], given: parts.slice(1) };
}

const XML_ENTITY = /&(lt|gt|amp|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * The parser runs with entity processing off (no DTD, no expansion); the five predefined XML
 * entities and character references are decoded here, one character each, so text reads right.
 */
export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(XML_ENTITY, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name] ?? whole;
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}
