import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESIDENT_GROUPS, RESIDENT_GROUP_DISPLAY, ageOn, residentGroups, schoolAge, type ResidentGroupCode } from './resident-groups.ts';

const asOf = '2026-03-15';

function groups(birthDate: string | undefined, occupation?: string | { text?: string; code?: string }, on: string | Date = asOf): ResidentGroupCode[] {
  return residentGroups({ birthDate, occupation, asOf: on });
}

describe('ages', () => {
  it('counts completed years, the birthday itself included', () => {
    expect(ageOn('2020-03-15', asOf)).toBe(6);
    expect(ageOn('2020-03-16', asOf)).toBe(5);
    expect(ageOn(undefined, asOf)).toBeUndefined();
    expect(ageOn('15/03/2020', asOf)).toBeUndefined();
  });

  it('takes a year-only birth date as 1 January and a year-month date as the 1st', () => {
    expect(ageOn('1966', asOf)).toBe(60);
    expect(ageOn('1966-04', asOf)).toBe(59);
  });

  it('counts school age by calendar year, changing in September', () => {
    expect(schoolAge(2019, '2025-08-31')).toBe(5);
    expect(schoolAge(2019, '2025-09-05')).toBe(6);
    expect(schoolAge(2019, new Date(Date.UTC(2026, 2, 15)))).toBe(6);
  });
});

describe('resident groups', () => {
  it('has a Vietnamese display name for every code', () => {
    expect(RESIDENT_GROUPS.map((g) => g.code)).toEqual([
      'under-6', 'pupil-primary', 'pupil-lower-secondary', 'pupil-upper-secondary', 'student', 'employee', 'elderly', 'retiree', 'other',
    ]);
    expect(RESIDENT_GROUP_DISPLAY['under-6']).toBe('Trẻ em dưới 6 tuổi');
    expect(RESIDENT_GROUP_DISPLAY.elderly).toBe('Người cao tuổi (từ 60 tuổi)');
  });

  it('puts children under 6 in their own group', () => {
    expect(groups('2022-05-01')).toEqual(['under-6']);
    expect(groups('2020-03-16')).toEqual(['under-6']);
  });

  it('counts a child who started grade 1 before turning 6 as under 6 and a primary pupil', () => {
    expect(groups('2019-10-20', undefined, '2025-09-10')).toEqual(['under-6', 'pupil-primary']);
  });

  it('places pupils by school year from the birth year alone', () => {
    // School year 2025–26: grade 1 = born 2019, grade 5 = 2015, grade 6 = 2014, grade 9 = 2011,
    // grade 10 = 2010, grade 12 = 2008.
    expect(groups('2019')).toEqual(['pupil-primary']);
    expect(groups('2015')).toEqual(['pupil-primary']);
    expect(groups('2014')).toEqual(['pupil-lower-secondary']);
    expect(groups('2011')).toEqual(['pupil-lower-secondary']);
    expect(groups('2010')).toEqual(['pupil-upper-secondary']);
    expect(groups('2008-12-31')).toEqual(['pupil-upper-secondary']);
    expect(groups('2007')).toEqual(['other']);
  });

  it('lets the occupation override the school-age guess', () => {
    expect(groups('2009', 'Công nhân may')).toEqual(['employee']);
    expect(groups('2009', 'Sinh viên cao đẳng')).toEqual(['student']);
    expect(groups('2009', 'Lao động tự do')).toEqual(['other']);
  });

  it('reads the school level stated in the occupation, also past 17', () => {
    expect(groups('2007', 'Học sinh THPT')).toEqual(['pupil-upper-secondary']);
    expect(groups('2012', 'học sinh lớp 8')).toEqual(['pupil-lower-secondary']);
    expect(groups('2006', 'Học sinh')).toEqual(['pupil-upper-secondary']);
  });

  it('recognises students of universities, colleges and vocational schools', () => {
    for (const text of ['Sinh viên', 'SINH VIEN', 'Học viên cao học', 'nghiên cứu sinh', 'Học nghề', 'Học sinh trung cấp']) {
      expect(groups('2003', text)).toEqual(['student']);
    }
  });

  it('recognises civil servants and employees, typed with or without diacritics', () => {
    for (const text of ['Công chức', 'vien chuc', 'Công nhân', 'Nhân viên văn phòng', 'Giáo viên', 'Bác sĩ', 'CBCNV', 'Bộ đội', 'Người lao động']) {
      expect(groups('1985', text)).toEqual(['employee']);
    }
  });

  it('uses a VSCO occupation code of major groups 0–4 as employment when there is no text', () => {
    expect(groups('1985', { code: '2211' })).toEqual(['employee']);
    expect(groups('1985', { code: '6111' })).toEqual(['other']);
    expect(groups('1985', { code: '2211', text: 'Nông dân' })).toEqual(['other']);
  });

  it('counts people from 60 as elderly, and retirees as retirees at any age', () => {
    expect(groups('1966-03-15')).toEqual(['elderly']);
    expect(groups('1966-03-16')).toEqual(['other']);
    expect(groups('1955', 'Hưu trí')).toEqual(['retiree', 'elderly']);
    expect(groups('1970', 'nghỉ hưu')).toEqual(['retiree']);
    expect(groups('1960', 'Giáo viên')).toEqual(['employee', 'elderly']);
  });

  it('puts free labourers, adults without occupation and unknown ages in "other"', () => {
    expect(groups('1990', 'Làm ruộng')).toEqual(['other']);
    expect(groups('1990', 'Buôn bán')).toEqual(['other']);
    expect(groups('1990')).toEqual(['other']);
    expect(groups(undefined)).toEqual(['other']);
    expect(groups(undefined, 'Công nhân')).toEqual(['employee']);
  });

  it('always returns at least one known group and never repeats one', () => {
    const known = new Set(RESIDENT_GROUPS.map((g) => g.code));
    const occupation = fc.constantFrom(undefined, 'Sinh viên', 'Công nhân', 'Hưu trí', 'Học sinh', 'Làm ruộng', 'xyz');
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2026 }), fc.integer({ min: 1, max: 12 }), occupation, (year, month, occ) => {
        const result = groups(`${year}-${String(month).padStart(2, '0')}`, occ);
        expect(result.length).toBeGreaterThan(0);
        expect(new Set(result).size).toBe(result.length);
        for (const g of result) expect(known.has(g)).toBe(true);
      }),
    );
  });

  it('rejects an as-of date that is not a date', () => {
    expect(() => groups('1990', undefined, 'hôm nay')).toThrow(RangeError);
  });
});
