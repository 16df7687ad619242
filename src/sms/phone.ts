// Vietnamese phone numbers: accepted as 0912345678, 84912345678 or +84 912 345 678 and kept
// in one form (+84…), so the number on a Patient record and the one a resident types compare equal.

export function normalisePhone(raw: string): string | undefined {
  const digits = raw.replace(/[\s.()-]/g, '');
  let national: string;
  if (/^\+84\d+$/.test(digits)) national = digits.slice(3);
  else if (/^84\d{9,10}$/.test(digits)) national = digits.slice(2);
  else if (/^0\d{9,10}$/.test(digits)) national = digits.slice(1);
  else return undefined;
  if (!/^[1-9]\d{8,9}$/.test(national)) return undefined;
  return `+84${national}`;
}

/** What may be shown back to the user: the last three digits only. */
export function maskPhone(phone: string): string {
  return `*******${phone.slice(-3)}`;
}
