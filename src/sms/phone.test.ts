import { describe, expect, it } from 'vitest';
import { maskPhone, normalisePhone } from './phone.ts';

describe('phone numbers', () => {
  it('reads the usual ways Vietnamese numbers are written as one number', () => {
    for (const raw of ['0912345678', '0912 345 678', '84912345678', '+84 912-345-678', '+84912345678']) {
      expect(normalisePhone(raw)).toBe('+84912345678');
    }
  });
  it('refuses what is not a Vietnamese phone number', () => {
    for (const raw of ['', '12345', '00912345678', '+1 650 555 0100', 'abc0912345678']) expect(normalisePhone(raw)).toBeUndefined();
  });
  it('shows only the last three digits', () => {
    expect(maskPhone('+84912345678')).toBe('*******678');
  });
});
