// Resident groups of MISSION A4, for management and reports: children under 6; pupils
// (primary, lower and upper secondary); students (university, college, vocational); civil
// servants and employees; elderly (60+) and retirees; free labourers and others.
//
// Groups are derived, never entered: from the birth date (often only a year), the occupation
// (free text, sometimes a code) and the date of the report. A person may belong to several
// groups (a retired teacher of 65 is a retiree and elderly); the first group is the primary one.

import { foldVietnamese } from './names.ts';

export type ResidentGroupCode =
  | 'under-6'
  | 'pupil-primary'
  | 'pupil-lower-secondary'
  | 'pupil-upper-secondary'
  | 'student'
  | 'employee'
  | 'elderly'
  | 'retiree'
  | 'other';

/** Codes and Vietnamese display names, in report order (CodeSystem.residentGroup). */
export const RESIDENT_GROUPS: readonly { code: ResidentGroupCode; display: string }[] = [
  { code: 'under-6', display: 'Trẻ em dưới 6 tuổi' },
  { code: 'pupil-primary', display: 'Học sinh tiểu học' },
  { code: 'pupil-lower-secondary', display: 'Học sinh trung học cơ sở' },
  { code: 'pupil-upper-secondary', display: 'Học sinh trung học phổ thông' },
  { code: 'student', display: 'Sinh viên, học viên (đại học, cao đẳng, trung cấp, học nghề)' },
  { code: 'employee', display: 'Cán bộ, công chức, viên chức, người lao động' },
  { code: 'elderly', display: 'Người cao tuổi (từ 60 tuổi)' },
  { code: 'retiree', display: 'Người nghỉ hưu' },
  { code: 'other', display: 'Lao động tự do và đối tượng khác' },
];

export const RESIDENT_GROUP_DISPLAY: Readonly<Record<ResidentGroupCode, string>> = Object.fromEntries(
  RESIDENT_GROUPS.map((g) => [g.code, g.display]),
) as Record<ResidentGroupCode, string>;

/** Luật Người cao tuổi 2009: người cao tuổi là công dân từ đủ 60 tuổi trở lên. */
export const ELDERLY_AGE = 60;

export interface ResidentGroupInput {
  /** FHIR date: 'yyyy' | 'yyyy-mm' | 'yyyy-mm-dd'. */
  birthDate?: string | undefined;
  /** Occupation as free text ("Sinh viên", "công nhân may") and/or a QĐ 34/2020 (VSCO) code. */
  occupation?: { text?: string | undefined; code?: string | undefined } | string | undefined;
  /** The date the groups are computed for (a report's reference date). */
  asOf: string | Date;
}

interface Ymd {
  year: number;
  month: number;
  day: number;
}

/**
 * A birth date with unknown day or month is taken as the 1st of the month / 1 January, as BHXH
 * does for people whose birth date is not fully known.
 */
function parseBirthDate(s: string | undefined): Ymd | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s?.trim() ?? '');
  if (m === null) return undefined;
  return { year: Number(m[1]), month: m[2] === undefined ? 1 : Number(m[2]), day: m[3] === undefined ? 1 : Number(m[3]) };
}

function toYmd(asOf: string | Date): Ymd {
  if (asOf instanceof Date) return { year: asOf.getUTCFullYear(), month: asOf.getUTCMonth() + 1, day: asOf.getUTCDate() };
  const parsed = parseBirthDate(asOf.slice(0, 10));
  if (parsed === undefined) throw new RangeError(`asOf must be a date yyyy-mm-dd, got ${asOf}`);
  return parsed;
}

/** Completed years of age on a date, or undefined without a usable birth date. */
export function ageOn(birthDate: string | undefined, asOf: string | Date): number | undefined {
  const birth = parseBirthDate(birthDate);
  if (birth === undefined) return undefined;
  const on = toYmd(asOf);
  const hadBirthday = on.month > birth.month || (on.month === birth.month && on.day >= birth.day);
  return on.year - birth.year - (hadBirthday ? 0 : 1);
}

/**
 * Age by school year: children enter grade 1 in the September of the calendar year they turn 6
 * (Điều lệ trường tiểu học), so the grade depends on the birth year only — a year-only birth
 * date is enough.
 */
export function schoolAge(birthYear: number, asOf: string | Date): number {
  const on = toYmd(asOf);
  const schoolYearStart = on.month >= 9 ? on.year : on.year - 1;
  return schoolYearStart - birthYear;
}

function pupilLevel(age: number): ResidentGroupCode | undefined {
  if (age >= 6 && age <= 10) return 'pupil-primary';
  if (age >= 11 && age <= 14) return 'pupil-lower-secondary';
  if (age >= 15 && age <= 17) return 'pupil-upper-secondary';
  return undefined;
}

// Keyword patterns on folded occupation text. Free labour is checked before employment so that
// "lao động tự do" is not read as "người lao động".
const RETIREE = /\b(huu tri|nghi huu|ve huu|can bo huu)\b/;
const FREE_LABOUR = /\b(tu do|lam thue|buon ban|ban hang rong|nong dan|lam ruong|lam nong|lam vuon|ngu dan|noi tro|that nghiep|kinh doanh tu do|lao dong pho thong)\b/;
const STUDENT = /\b(sinh vien|hoc vien|nghien cuu sinh|hoc nghe|hoc sinh (trung cap|cao dang|hoc nghe))\b/;
const PUPIL = /\b(hoc sinh|hs)\b/;
const EMPLOYEE =
  /\b(cong chuc|vien chuc|cong nhan|nhan vien|can bo|cbcc|cbcnv|cnv|giao vien|giang vien|bac si|y si|y ta|dieu duong|duoc si|ky su|ke toan|bo doi|quan doi|quan nhan|cong an|si quan|chien si|lai xe|tai xe|nguoi lao dong|lao dong hop dong)\b/;
const PUPIL_LEVELS: [RegExp, ResidentGroupCode][] = [
  [/\b(tieu hoc|th)\b|\blop [1-5]\b/, 'pupil-primary'],
  [/\b(trung hoc co so|thcs)\b|\blop [6-9]\b/, 'pupil-lower-secondary'],
  [/\b(trung hoc pho thong|thpt|pho thong trung hoc)\b|\blop 1[0-2]\b/, 'pupil-upper-secondary'],
];

type OccupationKind = 'retiree' | 'employee' | 'student' | 'pupil' | 'free-labour' | 'unknown';

function occupationText(o: ResidentGroupInput['occupation']): { text: string; code: string } {
  if (o === undefined) return { text: '', code: '' };
  if (typeof o === 'string') return { text: foldVietnamese(o), code: '' };
  return { text: foldVietnamese(o.text ?? ''), code: (o.code ?? '').trim() };
}

/**
 * VSCO (QĐ 34/2020/QĐ-TTg) major groups 0 (armed forces) to 4 (clerks) are wage employment in
 * practice; groups 5–9 mix employees with the self-employed, so they say nothing here.
 */
function kindFromCode(code: string): OccupationKind {
  return /^[0-4]\d*$/.test(code) ? 'employee' : 'unknown';
}

function occupationKind(text: string, code: string): OccupationKind {
  if (RETIREE.test(text)) return 'retiree';
  if (STUDENT.test(text)) return 'student';
  if (PUPIL.test(text)) return 'pupil';
  if (FREE_LABOUR.test(text)) return 'free-labour';
  if (EMPLOYEE.test(text)) return 'employee';
  return text === '' ? kindFromCode(code) : 'unknown';
}

function explicitPupilLevel(text: string, age: number | undefined): ResidentGroupCode {
  for (const [pattern, level] of PUPIL_LEVELS) if (pattern.test(text)) return level;
  if (age === undefined) return 'pupil-primary';
  // "Học sinh" past 17 (a late start or a repeated year) is still in upper secondary.
  return pupilLevel(age) ?? (age > 17 ? 'pupil-upper-secondary' : 'pupil-primary');
}

/** The resident groups of a person on a date, primary group first. */
export function residentGroups(input: ResidentGroupInput): ResidentGroupCode[] {
  const age = ageOn(input.birthDate, input.asOf);
  const birth = parseBirthDate(input.birthDate);
  const byYear = birth === undefined ? undefined : schoolAge(birth.year, input.asOf);
  const { text, code } = occupationText(input.occupation);
  const kind = occupationKind(text, code);
  const groups: ResidentGroupCode[] = [];

  if (age !== undefined && age < 6) {
    groups.push('under-6');
    // Some children start grade 1 a few months before their sixth birthday.
    if (byYear !== undefined && byYear >= 6) groups.push('pupil-primary');
    return groups;
  }
  if (kind === 'retiree') groups.push('retiree');
  else if (kind === 'employee') groups.push('employee');
  else if (kind === 'student') groups.push('student');
  else if (kind === 'pupil') groups.push(explicitPupilLevel(text, byYear));
  else if (kind !== 'free-labour' && byYear !== undefined) {
    const level = pupilLevel(byYear);
    if (level !== undefined) groups.push(level);
  }
  if (age !== undefined && age >= ELDERLY_AGE) groups.push('elderly');
  if (groups.length === 0) groups.push('other');
  return groups;
}
