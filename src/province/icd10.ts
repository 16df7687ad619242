// ICD-10 of QĐ 4469/QĐ-BYT (the Ministry of Health's list) and its plausibility rules.
// Inputs write codes with the dot (J20.9, most XML 130) or without (J209, BHXH catalogues):
// both are accepted and the dotted form is the one HSSK stores.
import { lazy, readDataFile } from './data-files.ts';

export interface IcdCode {
  /** Dotted form, e.g. `A09.0`. */
  code: string;
  nameVi: string;
  nameEn: string;
  /** Dagger (†, aetiology) or asterisk (*, manifestation) code of the dual classification. */
  mark?: '†' | '*';
}

export interface IcdRange {
  /** e.g. `A00-A09`. */
  range: string;
  nameVi: string;
  nameEn: string;
}

export interface IcdChapter extends IcdRange {
  /** Roman numeral, e.g. `I`. */
  number: string;
}

export interface IcdGroup extends IcdRange {
  /** QĐ 4469 nests groups: group ⊃ subgroup1 ⊃ subgroup2 (only in some chapters). */
  level: 'group' | 'subgroup1' | 'subgroup2';
}

export interface AgeRule {
  /** Appendix number, e.g. `A3.1`. */
  id: string;
  label: string;
  /** Bounds: `Nd` days or `Ny` years, `>` exclusive; absent = unbounded. */
  min?: string;
  max?: string;
  codes: readonly string[];
}

export interface AgeOfPatient {
  /** Completed days of life. */
  days: number;
  /** Completed years. */
  years: number;
}

interface Icd10File {
  codes: ([string, string, string] | [string, string, string, '†' | '*'])[];
  chapters: [string, string, string, string][];
  groups: [IcdGroup['level'], string, string, string][];
  daggerAsterisk: [string, string][];
  ageRules: AgeRule[];
  notMain: string[];
  femaleOnly: string[];
  maleOnly: string[];
}

const data = lazy(() => {
  const file = readDataFile<Icd10File>('icd10.json');
  const codes = new Map<string, IcdCode>();
  for (const [code, nameVi, nameEn, mark] of file.codes) {
    codes.set(code, mark ? { code, nameVi, nameEn, mark } : { code, nameVi, nameEn });
  }
  const agesByCode = new Map<string, AgeRule[]>();
  for (const rule of file.ageRules) {
    for (const code of rule.codes) agesByCode.set(code, [...(agesByCode.get(code) ?? []), rule]);
  }
  return {
    codes,
    chapters: file.chapters.map(([number, range, nameVi, nameEn]): IcdChapter => ({ number, range, nameVi, nameEn })),
    groups: file.groups.map(([level, range, nameVi, nameEn]): IcdGroup => ({ level, range, nameVi, nameEn })),
    daggerAsterisk: file.daggerAsterisk,
    ageRules: file.ageRules,
    agesByCode,
    notMain: new Set(file.notMain),
    femaleOnly: new Set(file.femaleOnly),
    maleOnly: new Set(file.maleOnly),
  };
});

/**
 * `a09.0`, `A090`, ` A09.0* ` → `A09.0`; undefined when the text cannot be an ICD-10 code
 * (a letter, two digits, and up to two more digits).
 */
export function normaliseIcd10(raw: string): string | undefined {
  const compact = raw.trim().toUpperCase().replace(/[†*+\s]/g, '');
  const m = /^([A-Z]\d{2})\.?(\d{1,2})?$/.exec(compact);
  if (!m?.[1]) return undefined;
  return m[2] ? `${m[1]}.${m[2]}` : m[1];
}

/** The undotted form used by BHXH catalogues: `A09.0` → `A090`. */
export function undottedIcd10(code: string): string {
  return code.replace('.', '');
}

/** A code of the QĐ 4469 list, in either form; undefined when unknown. */
export function icd10(raw: string): IcdCode | undefined {
  const code = normaliseIcd10(raw);
  return code ? data().codes.get(code) : undefined;
}

/** Number of distinct codes in the list. */
export function icd10Count(): number {
  return data().codes.size;
}

function inRange(category: string, range: string): boolean {
  const [from = '', to = from] = range.split('-');
  return category >= from && category <= to;
}

/** The chapter of a code (any form; the code need not be in the list). */
export function chapterOf(raw: string): IcdChapter | undefined {
  const category = normaliseIcd10(raw)?.slice(0, 3);
  return category ? data().chapters.find((c) => inRange(category, c.range)) : undefined;
}

/** The groups containing a code, outermost first (group, then subgroups where they exist). */
export function groupsOf(raw: string): IcdGroup[] {
  const category = normaliseIcd10(raw)?.slice(0, 3);
  if (!category) return [];
  const order = { group: 0, subgroup1: 1, subgroup2: 2 };
  return data()
    .groups.filter((g) => inRange(category, g.range))
    .sort((a, b) => order[a.level] - order[b.level]);
}

/** The narrowest group of a code (e.g. `A00-A09` Bệnh nhiễm trùng đường ruột). */
export function groupOf(raw: string): IcdGroup | undefined {
  return groupsOf(raw).at(-1);
}

/** Appendix A2: codes that may not be the main diagnosis (mostly asterisk and cause codes). */
export function isNotMainDiagnosis(raw: string): boolean {
  const code = normaliseIcd10(raw);
  return code !== undefined && data().notMain.has(code);
}

/** Appendix A4: the sex a code is restricted to, if any. */
export function sexRestriction(raw: string): 'female' | 'male' | undefined {
  const code = normaliseIcd10(raw);
  if (code === undefined) return undefined;
  if (data().femaleOnly.has(code)) return 'female';
  if (data().maleOnly.has(code)) return 'male';
  return undefined;
}

/** Appendix A3: the age rules that apply to a code. */
export function ageRulesOf(raw: string): readonly AgeRule[] {
  const code = normaliseIcd10(raw);
  return code ? (data().agesByCode.get(code) ?? []) : [];
}

function meets(age: AgeOfPatient, bound: string, side: 'min' | 'max'): boolean {
  const m = /^(>?)(\d+)([dy])$/.exec(bound);
  if (!m) throw new Error(`bad age bound ${bound}`);
  const value = Number(m[2]);
  const actual = m[3] === 'd' ? age.days : age.years;
  if (side === 'max') return actual <= value;
  return m[1] === '>' ? actual > value : actual >= value;
}

/** Whether a patient of this age may carry the code under appendix A3 (true when no rule applies). */
export function isAgePlausible(raw: string, age: AgeOfPatient): boolean {
  return ageRulesOf(raw).every((r) => (!r.min || meets(age, r.min, 'min')) && (!r.max || meets(age, r.max, 'max')));
}

export function ageRules(): readonly AgeRule[] {
  return data().ageRules;
}

export function notMainDiagnosisCodes(): ReadonlySet<string> {
  return data().notMain;
}

export function femaleOnlyCodes(): ReadonlySet<string> {
  return data().femaleOnly;
}

export function maleOnlyCodes(): ReadonlySet<string> {
  return data().maleOnly;
}

/** Appendix A1: the asterisk codes a dagger code may pair with. */
export function asterisksOf(raw: string): string[] {
  const code = normaliseIcd10(raw);
  return data().daggerAsterisk.filter(([d]) => d === code).map(([, a]) => a);
}
