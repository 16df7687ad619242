import { describe, expect, it } from 'vitest';
import { lmsAt, nutritionStatus, valueAtZ, weightForAgeZ } from './who-lms.ts';

// WHO Child Growth Standards, weight-for-age z-score tables (0–5 years), values in kg rounded to
// 0.1 as printed: [age in days, −3 SD, −2 SD, median, +2 SD, +3 SD].
const REFERENCE: Record<'male' | 'female', [number, number, number, number, number, number][]> = {
  male: [
    [0, 2.1, 2.5, 3.3, 4.4, 5.0],
    [365, 6.9, 7.7, 9.6, 12.0, 13.3],
    [731, 8.6, 9.7, 12.2, 15.3, 17.1],
    [1826, 12.4, 14.1, 18.3, 24.2, 27.9],
  ],
  female: [
    [0, 2.0, 2.4, 3.2, 4.2, 4.8],
    [365, 6.3, 7.0, 8.9, 11.5, 13.1],
    [731, 8.1, 9.0, 11.5, 14.8, 17.0],
    [1826, 12.1, 13.7, 18.2, 24.9, 29.5],
  ],
};

describe('WHO weight-for-age z-scores', () => {
  for (const sex of ['male', 'female'] as const) {
    it(`reproduces the published ${sex === 'male' ? 'boys' : 'girls'}' SD curves at birth, 1, 2 and 5 years`, () => {
      for (const [day, m3, m2, med, p2, p3] of REFERENCE[sex]) {
        const lms = lmsAt('weight-for-age', sex, day)!;
        expect(valueAtZ(lms, -3)).toBeCloseTo(m3, 1);
        expect(valueAtZ(lms, -2)).toBeCloseTo(m2, 1);
        expect(valueAtZ(lms, 0)).toBeCloseTo(med, 1);
        expect(valueAtZ(lms, 2)).toBeCloseTo(p2, 1);
        expect(valueAtZ(lms, 3)).toBeCloseTo(p3, 1);
      }
    });
  }

  it('gives z = 0 at the median and ±2 at the published −2/+2 SD weights', () => {
    expect(weightForAgeZ('male', 365, 9.646)).toBeCloseTo(0, 3);
    expect(weightForAgeZ('male', 0, 3.3464)).toBeCloseTo(0, 3);
    expect(weightForAgeZ('female', 731, 11.4809)).toBeCloseTo(0, 3);
    const lms = lmsAt('weight-for-age', 'male', 365)!;
    expect(weightForAgeZ('male', 365, valueAtZ(lms, -2))).toBeCloseTo(-2, 6);
  });

  it('beyond −3 SD uses the WHO restricted method (distance in units of the −2/−3 SD gap)', () => {
    const lms = lmsAt('weight-for-age', 'male', 365)!;
    const sd3 = valueAtZ(lms, -3);
    const gap = valueAtZ(lms, -2) - sd3;
    expect(weightForAgeZ('male', 365, sd3 - gap)).toBeCloseTo(-4, 6);
  });

  it('interpolates between tabulated ages and refuses ages outside 0–60 months', () => {
    const z = weightForAgeZ('female', 500, 9.9)!;
    expect(z).toBeGreaterThan(-0.2);
    expect(z).toBeLessThan(0.2);
    expect(weightForAgeZ('male', 1900, 18)).toBeUndefined();
  });

  it('flags underweight below −2 SD and severe underweight below −3 SD', () => {
    expect(nutritionStatus(-1.9)).toBe('normal');
    expect(nutritionStatus(-2.5)).toBe('moderate');
    expect(nutritionStatus(-3.2)).toBe('severe');
  });
});
