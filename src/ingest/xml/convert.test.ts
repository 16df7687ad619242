import { describe, expect, it } from 'vitest';
import { birthDate, ConvertError, date8, dateTime12, decodeXmlText, normaliseIcd10, splitList } from './convert.ts';

describe('dates of the XML formats', () => {
  it('turns yyyymmddHHMM into a dateTime in Vietnamese time (+07:00)', () => {
    expect(dateTime12('202508040815')).toBe('2025-08-04T08:15:00+07:00');
  });
  it('refuses impossible dates and times', () => {
    expect(() => date8('20250230')).toThrow(ConvertError);
    expect(() => dateTime12('202513010800')).toThrow(ConvertError);
    expect(() => dateTime12('202501012460')).toThrow(ConvertError);
    expect(() => dateTime12('2025-01-01')).toThrow(ConvertError);
  });
  it('accepts 29 February only in leap years', () => {
    expect(date8('20240229')).toBe('2024-02-29');
    expect(() => date8('20250229')).toThrow(ConvertError);
  });
});

describe('NGAY_SINH, the two generations and their "unknown" conventions', () => {
  it('QĐ 130: 0000 in place of month and day is a year-only birth date', () => {
    expect(birthDate('198800000000', '130')).toEqual({ value: '1988' });
  });
  it('QĐ 130: an unknown day only gives year and month', () => {
    expect(birthDate('198807000000', '130')).toEqual({ value: '1988-07' });
  });
  it('QĐ 130: a full date keeps day and ignores the hour', () => {
    expect(birthDate('198807211530', '130')).toEqual({ value: '1988-07-21' });
  });
  it('QĐ 4210: 0101 is kept but flagged as possibly unknown', () => {
    expect(birthDate('19600101', '4210')).toEqual({ value: '1960-01-01', note: 'possibly-unknown-day-month' });
    expect(birthDate('19600315', '4210')).toEqual({ value: '1960-03-15' });
  });
  it('QĐ 130: 01/01 is a real date (the 130 convention is 0000)', () => {
    expect(birthDate('196001010000', '130')).toEqual({ value: '1960-01-01' });
  });
  it('refuses a month without a day of 00 pattern that cannot exist', () => {
    expect(() => birthDate('198800150000', '130')).toThrow(ConvertError);
    expect(() => birthDate('19880230', '4210')).toThrow(ConvertError);
    expect(() => birthDate('1988', '130')).toThrow(ConvertError);
  });
});

describe('ICD-10 codes in the forms facilities send', () => {
  it.each([
    ['A090', 'A09.0'],
    ['A09.0', 'A09.0'],
    ['a09.0', 'A09.0'],
    [' I10 ', 'I10'],
    ['E119', 'E11.9'],
    ['A17.0†', 'A17.0'],
    ['G01*', 'G01'],
    ['S52.50', 'S52.50'],
  ])('%s → %s', (raw, code) => expect(normaliseIcd10(raw)).toBe(code));
  it('says when a text is not an ICD-10 code', () => {
    expect(normaliseIcd10('U50.491X')).toBeUndefined();
    expect(normaliseIcd10('viêm họng')).toBeUndefined();
  });
});

describe('small text helpers', () => {
  it('keeps empty items of ;-lists so parallel lists stay aligned', () => {
    expect(splitList('A;;C')).toEqual(['A', '', 'C']);
  });
  it('decodes the five XML entities and character references, nothing more', () => {
    expect(decodeXmlText('a &amp; b &lt;c&gt; &#272;&#x1EA1;')).toBe('a & b <c> Đạ');
    expect(decodeXmlText('&xxe;')).toBe('&xxe;');
  });
});
