import { describe, expect, it } from 'vitest';
import {
  ageRules,
  ageRulesOf,
  asterisksOf,
  chapterOf,
  femaleOnlyCodes,
  groupOf,
  groupsOf,
  icd10,
  icd10Count,
  isAgePlausible,
  isNotMainDiagnosis,
  maleOnlyCodes,
  normaliseIcd10,
  notMainDiagnosisCodes,
  sexRestriction,
  undottedIcd10,
} from './icd10.ts';

describe('ICD-10 look-up', () => {
  it('holds the 12,219 rows of QĐ 4469 as 12,137 distinct codes', () => {
    // 82 category codes are listed twice in the source, plain and with their † or * mark.
    expect(icd10Count()).toBe(12219 - 82);
  });

  it('finds a code written with or without the dot', () => {
    const dotted = icd10('A09.0');
    expect(dotted?.nameVi).toBe('Viêm dạ dày - ruột và đại tràng khác do nhiễm trùng và không xác định');
    expect(dotted?.nameEn).toBe('Other and unspecified gastroenteritis and colitis of infectious origin');
    expect(icd10('A090')).toEqual(dotted);
    expect(icd10(' j209 ')?.code).toBe('J20.9');
    expect(icd10('A09')?.code).toBe('A09');
  });

  it('normalises to the dotted form and back', () => {
    expect(normaliseIcd10('A090')).toBe('A09.0');
    expect(normaliseIcd10('m0100')).toBe('M01.00');
    expect(normaliseIcd10('G01*')).toBe('G01');
    expect(normaliseIcd10('A09.')).toBe('A09');
    expect(normaliseIcd10('A9')).toBeUndefined();
    expect(normaliseIcd10('A09.012')).toBeUndefined();
    expect(normaliseIcd10('')).toBeUndefined();
    expect(undottedIcd10('A09.0')).toBe('A090');
  });

  it('keeps the dagger and asterisk marks of the dual classification', () => {
    expect(icd10('A17')?.mark).toBe('†');
    expect(icd10('D63')?.mark).toBe('*');
    expect(icd10('A09')?.mark).toBeUndefined();
    expect(asterisksOf('A010')).toContain('G01');
  });

  it('answers nothing for a well-formed code outside the list', () => {
    expect(icd10('A00.5')).toBeUndefined();
    expect(icd10('not a code')).toBeUndefined();
  });
});

describe('chapters and groups', () => {
  it('places a code in its chapter', () => {
    expect(chapterOf('A09.0')).toMatchObject({ number: 'I', range: 'A00-B99', nameVi: 'Bệnh nhiễm trùng và ký sinh trùng' });
    expect(chapterOf('D63')).toMatchObject({ number: 'III', range: 'D50-D89' });
    expect(chapterOf('J209')?.number).toBe('X');
    expect(chapterOf('xyz')).toBeUndefined();
  });

  it('places a code in its group, and in nested sub-groups where the list has them', () => {
    expect(groupOf('A09.0')).toMatchObject({ level: 'group', range: 'A00-A09', nameVi: 'Bệnh nhiễm trùng đường ruột' });
    expect(groupsOf('C01').map((g) => g.range)).toEqual(['C00-C97', 'C00-C75', 'C00-C14']);
    expect(groupOf('C01')?.level).toBe('subgroup2');
  });
});

describe('rule lists', () => {
  it('has the sizes of appendices A2, A4.1, A4.2 and ten age rules', () => {
    expect(notMainDiagnosisCodes().size).toBe(1263);
    expect(femaleOnlyCodes().size).toBe(843);
    expect(maleOnlyCodes().size).toBe(112);
    expect(ageRules().map((r) => r.id)).toEqual(['A3.1', 'A3.2', 'A3.3', 'A3.4', 'A3.5', 'A3.6', 'A3.7', 'A3.8', 'A3.9', 'A3.10']);
  });

  it('knows codes that may not be the main diagnosis', () => {
    expect(isNotMainDiagnosis('B95.0')).toBe(true);
    expect(isNotMainDiagnosis('B950')).toBe(true);
    expect(isNotMainDiagnosis('A09.0')).toBe(false);
  });

  it('knows codes restricted to one sex', () => {
    expect(sexRestriction('N40')).toBe('male');
    expect(sexRestriction('C51.0')).toBe('female');
    expect(sexRestriction('J20.9')).toBeUndefined();
  });

  it('checks the age of a newborn-only code', () => {
    expect(ageRulesOf('P07.3').map((r) => r.id)).toContain('A3.1');
    expect(isAgePlausible('P073', { days: 10, years: 0 })).toBe(true);
    expect(isAgePlausible('P073', { days: 3650, years: 10 })).toBe(false);
    expect(isAgePlausible('J20.9', { days: 30000, years: 82 })).toBe(true);
  });
});
