import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatResidentId, isValidResidentId, mod11_2CheckChar, normaliseResidentId, parseResidentId } from './resident-id.ts';

const province = fc.integer({ min: 1, max: 99 });
const sequence = fc.integer({ min: 0, max: 999_999_999 });

describe('resident ID', () => {
  it('is HS, the province, nine sequence digits and a check character', () => {
    const id = formatResidentId('68', 1234);
    expect(id).toMatch(/^HS68000001234[0-9X]$/);
    expect(id).toHaveLength(14);
    expect(formatResidentId(1, 0)).toMatch(/^HS01000000000[0-9X]$/);
  });

  it('uses the ISO 7064 MOD 11-2 check character (standard example 0794 → 0)', () => {
    expect(mod11_2CheckChar('0794')).toBe('0');
    // ISO 7064 example used by ORCID: 000000021825009 → 7.
    expect(mod11_2CheckChar('000000021825009')).toBe('7');
    expect(mod11_2CheckChar('000000021694233')).toBe('X');
  });

  it('every issued ID is valid and gives back its province and sequence', () => {
    fc.assert(
      fc.property(province, sequence, (p, n) => {
        const id = formatResidentId(p, n);
        expect(parseResidentId(id)).toEqual({ value: id, province: String(p).padStart(2, '0'), sequence: n });
      }),
    );
  });

  it('accepts lower case, spaces and hyphens', () => {
    const id = formatResidentId('79', 42);
    const typed = `${id.slice(0, 2).toLowerCase()} ${id.slice(2, 4)}-${id.slice(4, 9)} ${id.slice(9).toLowerCase()}`;
    expect(isValidResidentId(typed)).toBe(true);
    expect(normaliseResidentId(typed)).toBe(id);
  });

  it('catches every single-digit error', () => {
    fc.assert(
      fc.property(province, sequence, fc.integer({ min: 2, max: 12 }), fc.integer({ min: 1, max: 9 }), (p, n, pos, delta) => {
        const id = formatResidentId(p, n);
        const digit = (Number(id[pos]) + delta) % 10;
        const wrong = id.slice(0, pos) + String(digit) + id.slice(pos + 1);
        expect(isValidResidentId(wrong)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('catches every wrong check character', () => {
    fc.assert(
      fc.property(province, sequence, fc.constantFrom(...'0123456789X'), (p, n, c) => {
        const id = formatResidentId(p, n);
        fc.pre(c !== id[13]);
        expect(isValidResidentId(id.slice(0, 13) + c)).toBe(false);
      }),
    );
  });

  it('catches every swap of two different neighbouring characters, check character included', () => {
    fc.assert(
      fc.property(province, sequence, fc.integer({ min: 2, max: 12 }), (p, n, pos) => {
        const id = formatResidentId(p, n);
        const a = id[pos] ?? '';
        const b = id[pos + 1] ?? '';
        fc.pre(a !== b);
        const swapped = id.slice(0, pos) + b + a + id.slice(pos + 2);
        expect(isValidResidentId(swapped)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('exhaustively: no single-digit change or adjacent swap of a fixed ID stays valid', () => {
    const id = formatResidentId('68', 123_456_789);
    for (let pos = 2; pos < 13; pos++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === id[pos]) continue;
        expect(isValidResidentId(id.slice(0, pos) + String(d) + id.slice(pos + 1))).toBe(false);
      }
      const a = id[pos] ?? '';
      const b = id[pos + 1] ?? '';
      if (a !== b) expect(isValidResidentId(id.slice(0, pos) + b + a + id.slice(pos + 2))).toBe(false);
    }
  });

  it('rejects other shapes: wrong prefix, length, province 00, letters in the digits', () => {
    const id = formatResidentId('68', 7);
    expect(isValidResidentId(`HX${id.slice(2)}`)).toBe(false);
    expect(isValidResidentId(id.slice(0, 13))).toBe(false);
    expect(isValidResidentId(`${id}0`)).toBe(false);
    expect(isValidResidentId('HS00000000000' + mod11_2CheckChar('00000000000'))).toBe(false);
    expect(isValidResidentId('HS6800000A0071')).toBe(false);
    expect(isValidResidentId('')).toBe(false);
  });

  it('refuses to issue an ID for an impossible province or sequence', () => {
    expect(() => formatResidentId('00', 1)).toThrow(RangeError);
    expect(() => formatResidentId('6', 1)).toThrow(RangeError);
    expect(() => formatResidentId(100, 1)).toThrow(RangeError);
    expect(() => formatResidentId('68', -1)).toThrow(RangeError);
    expect(() => formatResidentId('68', 1_000_000_000)).toThrow(RangeError);
    expect(() => formatResidentId('68', 1.5)).toThrow(RangeError);
  });
});
