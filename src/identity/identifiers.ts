// Validation and normalisation of Vietnamese personal identifiers (vn-standards.md §5):
// CCCD / số định danh cá nhân, CMND, mã số BHXH, mã thẻ BHYT and mobile phone numbers.
// Every failure carries a machine code (for reports and tests) and a Vietnamese message that
// names the field and says what is wrong, so a clerk can fix the entry without a manual.
import { validateMobilePhone } from '../fhir/phone.ts';
import { CCCD_PROVINCES } from './cccd-provinces.ts';

export { CCCD_PROVINCES } from './cccd-provinces.ts';

export type IdentifierErrorCode =
  | 'cccd.empty'
  | 'cccd.not-digits'
  | 'cccd.length'
  | 'cccd.province-unknown'
  | 'cccd.birth-year-in-future'
  | 'cccd.sex-mismatch'
  | 'cccd.birth-year-mismatch'
  | 'cmnd.empty'
  | 'cmnd.not-digits'
  | 'cmnd.length'
  | 'cmnd.all-zeros'
  | 'bhxh.empty'
  | 'bhxh.not-digits'
  | 'bhxh.length'
  | 'bhxh.all-zeros'
  | 'bhyt.empty'
  | 'bhyt.length'
  | 'bhyt.group'
  | 'bhyt.benefit-level'
  | 'bhyt.province'
  | 'bhyt.bhxh'
  | 'phone.empty'
  | 'phone.format'
  | 'phone.length'
  | 'phone.not-mobile';

export interface IdentifierError {
  code: IdentifierErrorCode;
  /** Vietnamese, for the clerk. */
  message: string;
}

/** A validation result: the normalised value (and its parts), or at least one error. */
export type Validation<T> = { ok: true; value: T } | { ok: false; errors: [IdentifierError, ...IdentifierError[]] };

export type Sex = 'male' | 'female';

function fail<T>(code: IdentifierErrorCode, message: string): Validation<T> {
  return { ok: false, errors: [{ code, message }] };
}

/** Removes the separators people type inside numbers (spaces, dots, hyphens). */
function stripSeparators(raw: string): string {
  return raw.replace(/[\s.-]/g, '');
}

const DIGITS = /^\d+$/;

// ---------------------------------------------------------------------------------------------
// CCCD

export interface CccdParts {
  /** The 12 digits. */
  value: string;
  /** Three-digit province code of birth registration (pre-2025 table). */
  provinceCode: string;
  provinceName: string;
  sex: Sex;
  birthYear: number;
  /** Digits 7–12 (random). */
  serial: string;
}

/**
 * Checks a CCCD number on its own: 12 digits, a province code that exists, and a century/sex
 * digit that does not put the birth in the future. There is no check digit, so a mistyped
 * random part cannot be detected.
 */
export function validateCccd(raw: string, currentYear: number = new Date().getFullYear()): Validation<CccdParts> {
  const value = stripSeparators(raw);
  if (value === '') return fail('cccd.empty', 'Chưa nhập số CCCD.');
  if (!DIGITS.test(value)) return fail('cccd.not-digits', `Số CCCD chỉ được gồm chữ số, nhận được "${raw.trim()}".`);
  if (value.length !== 12) {
    return fail('cccd.length', `Số CCCD phải gồm đúng 12 chữ số, nhận được ${value.length} chữ số.`);
  }
  const provinceCode = value.slice(0, 3);
  const provinceName = CCCD_PROVINCES.get(provinceCode);
  if (provinceName === undefined) {
    return fail(
      'cccd.province-unknown',
      `Ba chữ số đầu của số CCCD (${provinceCode}) không phải mã tỉnh nơi đăng ký khai sinh nào (001–096).`,
    );
  }
  const centurySex = Number(value[3]);
  const birthYear = 1900 + Math.floor(centurySex / 2) * 100 + Number(value.slice(4, 6));
  if (birthYear > currentYear) {
    return fail(
      'cccd.birth-year-in-future',
      `Chữ số thứ 4 và 5–6 của số CCCD cho năm sinh ${birthYear}, muộn hơn năm hiện tại.`,
    );
  }
  const sex: Sex = centurySex % 2 === 0 ? 'male' : 'female';
  return { ok: true, value: { value, provinceCode, provinceName, sex, birthYear, serial: value.slice(6) } };
}

const SEX_VI: Record<Sex, string> = { male: 'nam', female: 'nữ' };

/**
 * Checks a CCCD number against the sex and birth year stated on the record. Unknown sex
 * ('other', 'unknown', undefined) or year is not checked. All disagreements are reported.
 */
export function checkCccdConsistency(
  raw: string,
  stated: { sex?: Sex | 'other' | 'unknown' | undefined; birthYear?: number | undefined },
  currentYear?: number,
): Validation<CccdParts> {
  const parsed = validateCccd(raw, currentYear);
  if (!parsed.ok) return parsed;
  const parts = parsed.value;
  const errors: IdentifierError[] = [];
  if ((stated.sex === 'male' || stated.sex === 'female') && stated.sex !== parts.sex) {
    errors.push({
      code: 'cccd.sex-mismatch',
      message: `Chữ số thứ 4 của số CCCD (${parts.value[3]}) ứng với giới tính ${SEX_VI[parts.sex]}, nhưng hồ sơ ghi ${SEX_VI[stated.sex]}.`,
    });
  }
  if (stated.birthYear !== undefined && stated.birthYear !== parts.birthYear) {
    errors.push({
      code: 'cccd.birth-year-mismatch',
      message: `Số CCCD ứng với năm sinh ${parts.birthYear} (chữ số thứ 4–6), nhưng hồ sơ ghi năm sinh ${stated.birthYear}.`,
    });
  }
  const [first, ...rest] = errors;
  return first === undefined ? parsed : { ok: false, errors: [first, ...rest] };
}

/**
 * Builds a CCCD number (for the synthetic-province generator and tests). Throws a RangeError on
 * input that cannot form a valid number.
 */
export function makeCccd(provinceCode3: string, sex: Sex, birthYear: number, random6: string | number): string {
  if (!CCCD_PROVINCES.has(provinceCode3)) throw new RangeError(`unknown CCCD province code ${provinceCode3}`);
  if (!Number.isInteger(birthYear) || birthYear < 1900 || birthYear > 2399) {
    throw new RangeError(`birth year ${birthYear} outside 1900–2399`);
  }
  const serial = typeof random6 === 'number' ? String(random6).padStart(6, '0') : random6;
  if (!/^\d{6}$/.test(serial)) throw new RangeError(`serial must be 6 digits, got ${String(random6)}`);
  const centurySex = (Math.floor(birthYear / 100) - 19) * 2 + (sex === 'female' ? 1 : 0);
  return `${provinceCode3}${centurySex}${String(birthYear % 100).padStart(2, '0')}${serial}`;
}

// ---------------------------------------------------------------------------------------------
// CMND and mã số BHXH

/** CMND: 9 digits (old card) or 12 digits (2012–2016 card, same number as the later CCCD). */
export function validateCmnd(raw: string): Validation<string> {
  const value = stripSeparators(raw);
  if (value === '') return fail('cmnd.empty', 'Chưa nhập số CMND.');
  if (!DIGITS.test(value)) return fail('cmnd.not-digits', `Số CMND chỉ được gồm chữ số, nhận được "${raw.trim()}".`);
  if (value.length !== 9 && value.length !== 12) {
    return fail('cmnd.length', `Số CMND phải gồm 9 hoặc 12 chữ số, nhận được ${value.length} chữ số.`);
  }
  if (/^0+$/.test(value)) return fail('cmnd.all-zeros', 'Số CMND không thể toàn chữ số 0.');
  return { ok: true, value };
}

/** Mã số BHXH: 10 digits, lifelong; no published check digit, so only the shape is checked. */
export function validateBhxh(raw: string): Validation<string> {
  const value = stripSeparators(raw);
  if (value === '') return fail('bhxh.empty', 'Chưa nhập mã số BHXH.');
  if (!DIGITS.test(value)) {
    return fail('bhxh.not-digits', `Mã số BHXH chỉ được gồm chữ số, nhận được "${raw.trim()}".`);
  }
  if (value.length !== 10) {
    return fail('bhxh.length', `Mã số BHXH phải gồm đúng 10 chữ số, nhận được ${value.length} chữ số.`);
  }
  if (/^0+$/.test(value)) return fail('bhxh.all-zeros', 'Mã số BHXH không thể toàn chữ số 0.');
  return { ok: true, value };
}

// ---------------------------------------------------------------------------------------------
// Mã thẻ BHYT

export type BenefitLevel = 1 | 2 | 3 | 4 | 5;

/** A BHYT card code: the 15-character code, or the 10-digit mã số printed on cards since 2021. */
export type BhytCard =
  | {
      form: 'full';
      /** Normalised 15 characters, upper case. */
      code: string;
      /** Mã đối tượng, two letters (DN, HC, HT, TE, …). */
      group: string;
      /** Mức hưởng 1–5. */
      benefitLevel: BenefitLevel;
      /** Two-digit province code of the issuing BHXH office. */
      provinceCode: string;
      bhxh: string;
    }
  | { form: 'bhxh-number'; code: string; bhxh: string };

/**
 * Validates a BHYT card code, accepting lower case and spaces. The participant-group letters are
 * checked for shape only: the list of groups changes by decree and an outdated list would reject
 * real cards.
 */
export function parseBhytCard(raw: string): Validation<BhytCard> {
  const code = raw.replace(/[\s.-]/g, '').toUpperCase();
  if (code === '') return fail('bhyt.empty', 'Chưa nhập mã thẻ BHYT.');
  if (code.length === 10 && DIGITS.test(code)) {
    const bhxh = validateBhxh(code);
    if (!bhxh.ok) return fail('bhyt.bhxh', `Mã thẻ BHYT 10 số phải là mã số BHXH hợp lệ: ${bhxh.errors[0].message}`);
    return { ok: true, value: { form: 'bhxh-number', code, bhxh: code } };
  }
  if (code.length !== 15) {
    return fail(
      'bhyt.length',
      `Mã thẻ BHYT phải gồm 15 ký tự (hoặc 10 chữ số của mã số BHXH in trên thẻ từ 2021), nhận được ${code.length} ký tự.`,
    );
  }
  const group = code.slice(0, 2);
  if (!/^[A-Z]{2}$/.test(group)) {
    return fail('bhyt.group', `Hai ký tự đầu của mã thẻ BHYT (mã đối tượng) phải là chữ cái, nhận được "${group}".`);
  }
  const level = code[2] ?? '';
  if (!/^[1-5]$/.test(level)) {
    return fail('bhyt.benefit-level', `Ký tự thứ 3 của mã thẻ BHYT (mức hưởng) phải là chữ số từ 1 đến 5, nhận được "${level}".`);
  }
  const provinceCode = code.slice(3, 5);
  if (!/^\d{2}$/.test(provinceCode) || provinceCode === '00') {
    return fail('bhyt.province', `Ký tự thứ 4–5 của mã thẻ BHYT (mã tỉnh) phải là hai chữ số khác 00, nhận được "${provinceCode}".`);
  }
  const bhxh = validateBhxh(code.slice(5));
  if (!bhxh.ok) {
    return fail('bhyt.bhxh', `10 ký tự cuối của mã thẻ BHYT phải là mã số BHXH: ${bhxh.errors[0].message}`);
  }
  return {
    ok: true,
    value: { form: 'full', code, group, benefitLevel: Number(level) as BenefitLevel, provinceCode, bhxh: bhxh.value },
  };
}

// ---------------------------------------------------------------------------------------------
// Phone numbers

/**
 * Validates a Vietnamese mobile number and normalises it to the 10-digit domestic form
 * 0xxxxxxxxx. Accepts +84 / 84 / 0084 prefixes, and a stray 0 after the country code
 * ("+84 0912…"), which people often type. The rules live in src/fhir/phone.ts.
 */
export function normalisePhone(raw: string): Validation<string> {
  const checked = validateMobilePhone(raw);
  return checked.ok ? { ok: true, value: checked.value } : fail(checked.code, checked.message);
}
