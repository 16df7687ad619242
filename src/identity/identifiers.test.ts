import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CCCD_PROVINCES,
  checkCccdConsistency,
  makeCccd,
  normalisePhone,
  parseBhytCard,
  validateBhxh,
  validateCccd,
  validateCmnd,
  type Sex,
  type Validation,
} from './identifiers.ts';

function errorCodes<T>(result: Validation<T>): string[] {
  return result.ok ? [] : result.errors.map((e) => e.code);
}

const provinceCode = fc.constantFrom(...CCCD_PROVINCES.keys());
const sex = fc.constantFrom<Sex>('male', 'female');
const birthYear = fc.integer({ min: 1900, max: 2025 });
const serial = fc.integer({ min: 0, max: 999_999 });

describe('CCCD', () => {
  it('the province table has the 63 pre-2025 provinces, 001 Hà Nội to 096 Cà Mau', () => {
    expect(CCCD_PROVINCES.size).toBe(63);
    expect(CCCD_PROVINCES.get('001')).toBe('Thành phố Hà Nội');
    expect(CCCD_PROVINCES.get('096')).toBe('Tỉnh Cà Mau');
    expect(CCCD_PROVINCES.get('060')).toBe('Tỉnh Bình Thuận');
  });

  it('reads province, sex and birth year out of a number', () => {
    const result = validateCccd('001085012345', 2026);
    expect(result).toEqual({
      ok: true,
      value: { value: '001085012345', provinceCode: '001', provinceName: 'Thành phố Hà Nội', sex: 'male', birthYear: 1985, serial: '012345' },
    });
    const woman = validateCccd('079303000001', 2026);
    expect(woman.ok && woman.value.sex).toBe('female');
    expect(woman.ok && woman.value.birthYear).toBe(2003);
  });

  it('accepts a number typed with spaces or dots', () => {
    expect(validateCccd(' 001 085 012.345 ', 2026).ok).toBe(true);
  });

  it('rejects an empty entry, letters, and a wrong length, with a Vietnamese message', () => {
    expect(errorCodes(validateCccd('  '))).toEqual(['cccd.empty']);
    expect(errorCodes(validateCccd('00108501234A'))).toEqual(['cccd.not-digits']);
    const short = validateCccd('00108501234');
    expect(errorCodes(short)).toEqual(['cccd.length']);
    expect(!short.ok && short.errors[0].message).toBe('Số CCCD phải gồm đúng 12 chữ số, nhận được 11 chữ số.');
  });

  it('rejects province codes that do not exist (003, 097, 000, 100)', () => {
    for (const code of ['003', '097', '000', '100', '005', '013']) {
      expect(errorCodes(validateCccd(`${code}085012345`))).toEqual(['cccd.province-unknown']);
    }
  });

  it('rejects a century digit that puts the birth in the future', () => {
    expect(errorCodes(validateCccd('001299012345', 2026))).toEqual(['cccd.birth-year-in-future']);
    expect(errorCodes(validateCccd('001400012345', 2026))).toEqual(['cccd.birth-year-in-future']);
    expect(validateCccd('001226012345', 2026).ok).toBe(true);
  });

  it('every generated number is valid and gives back its province, sex and year', () => {
    fc.assert(
      fc.property(provinceCode, sex, birthYear, serial, (p, s, y, r) => {
        const cccd = makeCccd(p, s, y, r);
        const parsed = validateCccd(cccd, 2026);
        expect(parsed.ok).toBe(true);
        if (parsed.ok) {
          expect(parsed.value.provinceCode).toBe(p);
          expect(parsed.value.sex).toBe(s);
          expect(parsed.value.birthYear).toBe(y);
        }
        expect(checkCccdConsistency(cccd, { sex: s, birthYear: y }, 2026).ok).toBe(true);
      }),
    );
  });

  it('uses century digits 0/1 for the 1900s, 2/3 for the 2000s and 4/5 for the 2100s', () => {
    expect(makeCccd('001', 'male', 1999, 1)[3]).toBe('0');
    expect(makeCccd('001', 'female', 1999, 1)[3]).toBe('1');
    expect(makeCccd('001', 'male', 2000, 1)[3]).toBe('2');
    expect(makeCccd('001', 'female', 2099, 1)[3]).toBe('3');
    expect(makeCccd('001', 'male', 2100, 1)[3]).toBe('4');
    expect(makeCccd('001', 'female', 2100, 1)[3]).toBe('5');
  });

  it('makeCccd refuses an unknown province, an impossible year or a bad serial', () => {
    expect(() => makeCccd('003', 'male', 1990, 1)).toThrow(RangeError);
    expect(() => makeCccd('001', 'male', 1899, 1)).toThrow(RangeError);
    expect(() => makeCccd('001', 'male', 1990, '12345')).toThrow(RangeError);
    expect(() => makeCccd('001', 'male', 1990, 1_000_000)).toThrow(RangeError);
  });

  it('reports a sex that contradicts the 4th digit, and a birth year that contradicts digits 4–6', () => {
    const both = checkCccdConsistency('001085012345', { sex: 'female', birthYear: 1986 }, 2026);
    expect(errorCodes(both)).toEqual(['cccd.sex-mismatch', 'cccd.birth-year-mismatch']);
    expect(!both.ok && both.errors[0].message).toContain('giới tính nam, nhưng hồ sơ ghi nữ');
    expect(!both.ok && both.errors[1]?.message).toContain('năm sinh 1985');
  });

  it('does not check what the record does not state (unknown sex, no birth year)', () => {
    expect(checkCccdConsistency('001085012345', {}, 2026).ok).toBe(true);
    expect(checkCccdConsistency('001085012345', { sex: 'unknown' }, 2026).ok).toBe(true);
    expect(checkCccdConsistency('001085012345', { sex: 'other', birthYear: undefined }, 2026).ok).toBe(true);
  });

  it('a person born in one century is never consistent with the same two digits of another', () => {
    fc.assert(
      fc.property(provinceCode, sex, fc.integer({ min: 1900, max: 1999 }), serial, (p, s, y, r) => {
        const cccd = makeCccd(p, s, y, r);
        expect(errorCodes(checkCccdConsistency(cccd, { birthYear: y + 100 }, 2200))).toEqual(['cccd.birth-year-mismatch']);
      }),
    );
  });
});

describe('CMND and mã số BHXH', () => {
  it('accepts a 9- or 12-digit CMND and nothing else', () => {
    expect(validateCmnd('285 123 456')).toEqual({ ok: true, value: '285123456' });
    expect(validateCmnd('001085012345').ok).toBe(true);
    expect(errorCodes(validateCmnd('2851234567'))).toEqual(['cmnd.length']);
    expect(errorCodes(validateCmnd('28512345x'))).toEqual(['cmnd.not-digits']);
    expect(errorCodes(validateCmnd('000000000'))).toEqual(['cmnd.all-zeros']);
    expect(errorCodes(validateCmnd(''))).toEqual(['cmnd.empty']);
  });

  it('accepts a 10-digit mã số BHXH but not ten zeros', () => {
    expect(validateBhxh('79 1205 8865')).toEqual({ ok: true, value: '7912058865' });
    expect(errorCodes(validateBhxh('0000000000'))).toEqual(['bhxh.all-zeros']);
    expect(errorCodes(validateBhxh('791205886'))).toEqual(['bhxh.length']);
    expect(errorCodes(validateBhxh('79120588A5'))).toEqual(['bhxh.not-digits']);
    expect(errorCodes(validateBhxh(''))).toEqual(['bhxh.empty']);
  });

  it('any 10 digits other than all zeros are a valid mã số BHXH', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (s) => {
        expect(validateBhxh(s).ok).toBe(!/^0+$/.test(s));
      }),
    );
  });
});

describe('BHYT card code', () => {
  it('splits a 15-character code into group, benefit level, province and mã số BHXH', () => {
    expect(parseBhytCard('GD4010120152431')).toEqual({
      ok: true,
      value: { form: 'full', code: 'GD4010120152431', group: 'GD', benefitLevel: 4, provinceCode: '01', bhxh: '0120152431' },
    });
  });

  it('accepts lower case and spaces and normalises them', () => {
    const card = parseBhytCard(' gd 4 01 0120152431 ');
    expect(card.ok && card.value.code).toBe('GD4010120152431');
  });

  it('accepts the 10-digit mã số printed on cards since 2021', () => {
    expect(parseBhytCard('7912058865')).toEqual({ ok: true, value: { form: 'bhxh-number', code: '7912058865', bhxh: '7912058865' } });
    expect(errorCodes(parseBhytCard('0000000000'))).toEqual(['bhyt.bhxh']);
  });

  it('names the wrong part of a malformed card code', () => {
    expect(errorCodes(parseBhytCard(''))).toEqual(['bhyt.empty']);
    expect(errorCodes(parseBhytCard('GD401012015243'))).toEqual(['bhyt.length']);
    expect(errorCodes(parseBhytCard('G14010120152431'))).toEqual(['bhyt.group']);
    expect(errorCodes(parseBhytCard('GD6010120152431'))).toEqual(['bhyt.benefit-level']);
    expect(errorCodes(parseBhytCard('GD0010120152431'))).toEqual(['bhyt.benefit-level']);
    expect(errorCodes(parseBhytCard('GD4A10120152431'))).toEqual(['bhyt.province']);
    expect(errorCodes(parseBhytCard('GD4000120152431'))).toEqual(['bhyt.province']);
    expect(errorCodes(parseBhytCard('GD401012015243X'))).toEqual(['bhyt.bhxh']);
    expect(errorCodes(parseBhytCard('GD4010000000000'))).toEqual(['bhyt.bhxh']);
    const bad = parseBhytCard('GD6010120152431');
    expect(!bad.ok && bad.errors[0].message).toContain('mức hưởng');
  });

  it('every well-formed code parses back into the parts it was built from', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z]{2}$/),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 99 }),
        fc.stringMatching(/^[1-9]\d{9}$/),
        (group, level, province, bhxh) => {
          const provinceCode = String(province).padStart(2, '0');
          const card = parseBhytCard(`${group.toLowerCase()} ${level}${provinceCode} ${bhxh}`);
          expect(card).toEqual({
            ok: true,
            value: { form: 'full', code: `${group}${level}${provinceCode}${bhxh}`, group, benefitLevel: level, provinceCode, bhxh },
          });
        },
      ),
    );
  });
});

describe('phone numbers', () => {
  it('normalises +84, 84 and 0084 forms to 0xxxxxxxxx', () => {
    for (const raw of ['0912345678', '+84912345678', '84912345678', '0084912345678', '+84 91 234 5678', '(+84) 912-345-678', '+840912345678']) {
      expect(normalisePhone(raw)).toEqual({ ok: true, value: '0912345678' });
    }
  });

  it('accepts every mobile prefix 03, 05, 07, 08, 09', () => {
    fc.assert(
      fc.property(fc.constantFrom('3', '5', '7', '8', '9'), fc.stringMatching(/^\d{8}$/), (p, rest) => {
        expect(normalisePhone(`0${p}${rest}`)).toEqual({ ok: true, value: `0${p}${rest}` });
        expect(normalisePhone(`+84${p}${rest}`)).toEqual({ ok: true, value: `0${p}${rest}` });
      }),
    );
  });

  it('rejects landlines, wrong lengths and letters', () => {
    expect(errorCodes(normalisePhone('02838123456'))).toEqual(['phone.length']);
    expect(errorCodes(normalisePhone('0238123456'))).toEqual(['phone.not-mobile']);
    expect(errorCodes(normalisePhone('091234567'))).toEqual(['phone.length']);
    expect(errorCodes(normalisePhone('09123456789'))).toEqual(['phone.length']);
    expect(errorCodes(normalisePhone('09123abc78'))).toEqual(['phone.format']);
    expect(errorCodes(normalisePhone(''))).toEqual(['phone.empty']);
  });
});
