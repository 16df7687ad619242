import { describe, expect, it } from 'vitest';
import { phoneForSms, phoneSearchKey, validateMobilePhone } from './phone.ts';

describe('Vietnamese phone numbers, in their two forms', () => {
  it('gives one search key for the ways a number is written, and a key for anything stored', () => {
    for (const raw of ['0912345678', '+84 912.345.678', '84912345678', '(091) 234-5678']) expect(phoneSearchKey(raw)).toBe('0912345678');
    expect(phoneSearchKey('028 3812 3456')).toBe('02838123456');
    expect(phoneSearchKey('không có')).toBe('');
  });

  it('validates a mobile into the domestic form, with a stray 0 or 0084, and says why a number is refused', () => {
    for (const raw of ['0912 345 678', '+84 0912345678', '0084912345678', '84912345678']) expect(validateMobilePhone(raw)).toEqual({ ok: true, value: '0912345678' });
    expect(validateMobilePhone('')).toMatchObject({ ok: false, code: 'phone.empty' });
    expect(validateMobilePhone('09x2345678')).toMatchObject({ ok: false, code: 'phone.format' });
    expect(validateMobilePhone('091234567')).toMatchObject({ ok: false, code: 'phone.length', message: expect.stringContaining('9 chữ số') });
    expect(validateMobilePhone('02838123456')).toMatchObject({ ok: false, code: 'phone.length' });
    expect(validateMobilePhone('0212345678')).toMatchObject({ ok: false, code: 'phone.not-mobile' });
  });

  it('gives SMS gateways the +84 form, landlines included, and nothing ambiguous', () => {
    expect(phoneForSms('0912 345 678')).toBe('+84912345678');
    expect(phoneForSms('028 3812 3456')).toBe('+842838123456');
    for (const raw of ['+84 0912345678', '0084912345678', '12345', '+1 650 555 0100']) expect(phoneForSms(raw)).toBeUndefined();
  });
});
