// Vietnamese phone numbers for SMS: accepted as 0912345678, 84912345678 or +84 912 345 678 and kept
// in one form (+84…), so the number on a Patient record and the one a resident types compare equal.
// The parsing lives with the other forms in src/fhir/phone.ts.
export { phoneForSms as normalisePhone } from '../fhir/phone.ts';

/** What may be shown back to the user: the last three digits only. */
export function maskPhone(phone: string): string {
  return `*******${phone.slice(-3)}`;
}
