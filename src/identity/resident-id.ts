// The resident ID HSSK issues (MISSION A1, identifier system IdentifierSystem.residentId).
//
// Format: `HS` + 2-digit province code + 9-digit sequence + 1 check character, 14 characters,
// e.g. `HS680000012347`.
// - `HS` marks the number as HSSK's so it is never confused with a CCCD, BHXH or card number.
// - The province code is the issuing province's GSO code (2025 list); with the sequence it makes
//   the ID unique nationwide without coordination between provinces. A resident who moves keeps
//   the ID.
// - The sequence is allocated by the issuing instance (a database sequence), 0–999,999,999.
// - The check character is ISO 7064 MOD 11-2 over the 11 digits (province + sequence): `0`–`9`
//   or `X`. MOD 11-2 detects every single-digit error and every adjacent transposition, because
//   11 is prime and the weights 2^k mod 11 are distinct and non-zero (proved by a property test).
// Lower case and spaces or hyphens are accepted on input and removed.

export const RESIDENT_ID_PREFIX = 'HS';
export const MAX_RESIDENT_SEQUENCE = 999_999_999;

/** ISO 7064 MOD 11-2 check character of a string of digits. */
export function mod11_2CheckChar(digits: string): string {
  let sum = 0;
  for (const d of digits) sum = ((sum + Number(d)) * 2) % 11;
  const check = (12 - sum) % 11;
  return check === 10 ? 'X' : String(check);
}

/** Builds a resident ID. Throws a RangeError on a province code or sequence out of range. */
export function formatResidentId(province: string | number, sequence: number): string {
  const provinceCode = typeof province === 'number' ? String(province).padStart(2, '0') : province;
  if (!/^\d{2}$/.test(provinceCode) || provinceCode === '00') {
    throw new RangeError(`province code must be two digits 01–99, got ${String(province)}`);
  }
  if (!Number.isSafeInteger(sequence) || sequence < 0 || sequence > MAX_RESIDENT_SEQUENCE) {
    throw new RangeError(`sequence must be an integer 0–${MAX_RESIDENT_SEQUENCE}, got ${sequence}`);
  }
  const digits = `${provinceCode}${String(sequence).padStart(9, '0')}`;
  return `${RESIDENT_ID_PREFIX}${digits}${mod11_2CheckChar(digits)}`;
}

/** Removes spaces and hyphens and upper-cases, as typed by a clerk or read from a card. */
export function normaliseResidentId(s: string): string {
  return s.replace(/[\s-]/g, '').toUpperCase();
}

export interface ResidentIdParts {
  value: string;
  province: string;
  sequence: number;
}

/** Parses a resident ID (after normalisation), or returns undefined when it is not valid. */
export function parseResidentId(s: string): ResidentIdParts | undefined {
  const value = normaliseResidentId(s);
  const m = /^HS(\d{2})(\d{9})([0-9X])$/.exec(value);
  if (m === null) return undefined;
  const [, province = '', sequence = '', check] = m;
  if (province === '00' || mod11_2CheckChar(province + sequence) !== check) return undefined;
  return { value, province, sequence: Number(sequence) };
}

export function isValidResidentId(s: string): boolean {
  return parseResidentId(s) !== undefined;
}
