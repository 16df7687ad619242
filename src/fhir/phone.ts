// Vietnamese phone numbers, in one place for their three uses (they had drifted apart in three
// modules). Two output forms:
// - domestic 0xxxxxxxxx: the search index (`phoneSearchKey`, lenient, never fails, so that any
//   stored telecom gets a key) and identifier validation (`validateMobilePhone`, mobiles only,
//   with the reason a number is refused, for clerks and import reports);
// - international +84…: what SMS gateways take (`phoneForSms`), landlines (9-digit subscriber
//   numbers) included, because break-glass notices may go to a family's landline.
// Each use keeps its own leniency on purpose; the shared pieces are the separators people
// type and how the country code is taken off.

/** Without the separators people type inside a number: spaces, dots, brackets, hyphens. */
export function compactPhone(raw: string): string {
  return raw.replace(/[\s.()-]/g, '');
}

/** Domestic form of a number with a country code (+84, 0084, or 84 before 9–10 digits); a stray 0 after it is kept once. */
function domesticFromInternational(compact: string): string | undefined {
  const rest = /^(?:\+84|0084|84(?=\d{9,10}$))(.*)$/.exec(compact)?.[1];
  if (rest === undefined) return undefined;
  return rest.startsWith('0') ? rest : `0${rest}`;
}

/** The search-index key: "+84 912.345.678" and "0912345678" both → "0912345678". Never fails. */
export function phoneSearchKey(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.startsWith('+84')) return `0${digits.slice(3)}`;
  if (digits.startsWith('84') && digits.length === 11) return `0${digits.slice(2)}`;
  return digits.replace(/\+/g, '');
}

export type PhoneProblem = 'phone.empty' | 'phone.format' | 'phone.length' | 'phone.not-mobile';

export type PhoneCheck = { ok: true; value: string } | { ok: false; code: PhoneProblem; message: string };

/**
 * A Vietnamese mobile number in the domestic form 0xxxxxxxxx, or why not (in Vietnamese).
 * Accepts +84 / 84 / 0084 prefixes, and a stray 0 after the country code ("+84 0912…").
 */
export function validateMobilePhone(raw: string): PhoneCheck {
  const compact = compactPhone(raw);
  if (compact === '') return { ok: false, code: 'phone.empty', message: 'Chưa nhập số điện thoại.' };
  if (!/^\+?\d+$/.test(compact)) {
    return { ok: false, code: 'phone.format', message: `Số điện thoại chỉ được gồm chữ số (có thể bắt đầu bằng +84), nhận được "${raw.trim()}".` };
  }
  const domestic = domesticFromInternational(compact) ?? compact;
  if (domestic.length !== 10) {
    return { ok: false, code: 'phone.length', message: `Số điện thoại di động phải gồm 10 chữ số (dạng 0xxxxxxxxx), nhận được ${domestic.length} chữ số.` };
  }
  if (!/^0[35789]/.test(domestic)) {
    return { ok: false, code: 'phone.not-mobile', message: `Số ${domestic} không phải số di động Việt Nam (đầu số 03, 05, 07, 08 hoặc 09).` };
  }
  return { ok: true, value: domestic };
}

/**
 * The +84… form SMS gateways take, from 0912345678, 84912345678 or +84 912 345 678; mobiles and
 * landlines (9 or 10 digits after the country code). Stricter than validation about prefixes:
 * no 0084, no stray 0 after +84 — what the gateway gets must be unambiguous.
 */
export function phoneForSms(raw: string): string | undefined {
  const compact = compactPhone(raw);
  const subscriber = /^\+84(\d+)$/.exec(compact)?.[1] ?? /^84(\d{9,10})$/.exec(compact)?.[1] ?? /^0(\d{9,10})$/.exec(compact)?.[1];
  if (subscriber === undefined || !/^[1-9]\d{8,9}$/.test(subscriber)) return undefined;
  return `+84${subscriber}`;
}
