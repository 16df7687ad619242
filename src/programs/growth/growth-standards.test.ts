import { describe, expect, it } from 'vitest';
import type { Observation } from '@medplum/fhirtypes';
import { growthPoints } from './growth.ts';
import { lengthHeightForAgeZ, lmsAt, overweightStatus, standardisedLengthHeight, valueAtZ, weightForLengthHeightZ, type Indicator } from './who-lms.ts';

type Row = [x: number, m3: number, m2: number, median: number, p2: number, p3: number];

// WHO Child Growth Standards, simplified field tables (z-scores), values as printed (0.1 cm / 0.1 kg):
// [age in days or length/height in cm, −3 SD, −2 SD, median, +2 SD, +3 SD].
const PUBLISHED: { indicator: Indicator; sex: 'male' | 'female'; rows: Row[] }[] = [
  {
    indicator: 'length-height-for-age', sex: 'male', rows: [
      [0, 44.2, 46.1, 49.9, 53.7, 55.6],
      [365, 68.6, 71.0, 75.7, 80.5, 82.9],
      [731, 78.0, 81.0, 87.1, 93.2, 96.3], // 2 years: standing height
      [1826, 96.1, 100.7, 110.0, 119.2, 123.9],
    ],
  },
  {
    indicator: 'length-height-for-age', sex: 'female', rows: [
      [0, 43.6, 45.4, 49.1, 52.9, 54.7],
      [365, 66.3, 68.9, 74.0, 79.2, 81.7],
      [1826, 95.2, 99.9, 109.4, 118.9, 123.7],
    ],
  },
  { indicator: 'weight-for-length', sex: 'male', rows: [[45, 1.9, 2.0, 2.4, 3.0, 3.3]] },
  { indicator: 'weight-for-length', sex: 'female', rows: [[45, 1.9, 2.1, 2.5, 3.0, 3.3]] },
  { indicator: 'weight-for-height', sex: 'male', rows: [[65, 5.9, 6.3, 7.4, 8.8, 9.6]] },
  { indicator: 'weight-for-height', sex: 'female', rows: [[120, 17.3, 18.9, 22.8, 28.0, 31.2]] },
];

// Rows of the WHO expanded tables (anthro lenanthro/wflanthro/wfhanthro) that the data files do not
// carry: interpolation between the stored rows must land on them.
const BETWEEN_ROWS: { indicator: Indicator; sex: 'male' | 'female'; x: number; m: number; s: number }[] = [
  { indicator: 'length-height-for-age', sex: 'male', x: 15, m: 52.4978, s: 0.03645 },
  { indicator: 'length-height-for-age', sex: 'male', x: 100, m: 62.1826, s: 0.03306 },
  { indicator: 'length-height-for-age', sex: 'male', x: 1000, m: 93.9706, s: 0.03783 },
  { indicator: 'length-height-for-age', sex: 'female', x: 45, m: 55.4021, s: 0.03602 },
  { indicator: 'length-height-for-age', sex: 'female', x: 1500, m: 103.4842, s: 0.0421 },
  { indicator: 'weight-for-length', sex: 'male', x: 45.5, m: 2.5244, s: 0.09153 },
  { indicator: 'weight-for-length', sex: 'male', x: 75.5, m: 9.6041, s: 0.08301 },
  { indicator: 'weight-for-length', sex: 'female', x: 86.5, m: 11.594, s: 0.08895 },
  { indicator: 'weight-for-height', sex: 'male', x: 100.5, m: 15.4985, s: 0.08252 },
  { indicator: 'weight-for-height', sex: 'female', x: 112.5, m: 19.6116, s: 0.09527 },
];

describe('WHO length/height-for-age and weight-for-length/height', () => {
  for (const { indicator, sex, rows } of PUBLISHED) {
    it(`reproduces the published ${indicator} SD curves for ${sex === 'male' ? 'boys' : 'girls'}`, () => {
      for (const [x, m3, m2, med, p2, p3] of rows) {
        const lms = lmsAt(indicator, sex, x)!;
        expect(valueAtZ(lms, -3)).toBeCloseTo(m3, 1);
        expect(valueAtZ(lms, -2)).toBeCloseTo(m2, 1);
        expect(valueAtZ(lms, 0)).toBeCloseTo(med, 1);
        expect(valueAtZ(lms, 2)).toBeCloseTo(p2, 1);
        expect(valueAtZ(lms, 3)).toBeCloseTo(p3, 1);
      }
    });
  }

  it('interpolates between the stored rows onto the WHO expanded tables', () => {
    for (const { indicator, sex, x, m, s } of BETWEEN_ROWS) {
      const lms = lmsAt(indicator, sex, x)!;
      expect(Math.abs(lms.m - m) / m).toBeLessThan(0.0005);
      expect(lms.s).toBeCloseTo(s, 4);
    }
  });

  it('gives z = 0 at the median and −2 at the published −2 SD length', () => {
    expect(lengthHeightForAgeZ('male', 0, 49.8842)).toBeCloseTo(0, 4);
    expect(lengthHeightForAgeZ('female', 365, 74.0049)).toBeCloseTo(0, 4);
    expect(lengthHeightForAgeZ('male', 1826, 100.7)).toBeCloseTo(-2, 1);
    expect(weightForLengthHeightZ('male', 100, 45, 2.441)).toBeCloseTo(0, 4);
    expect(weightForLengthHeightZ('female', 1000, 120, 22.8173)).toBeCloseTo(0, 4);
  });

  it('changes from length to height at 731 days (the 24-month step in the median)', () => {
    expect(lmsAt('length-height-for-age', 'male', 730)!.m).toBe(87.8018);
    expect(lmsAt('length-height-for-age', 'male', 731)!.m).toBe(87.1303);
    expect(lmsAt('length-height-for-age', 'female', 730)!.m).toBe(86.4008);
    expect(lmsAt('length-height-for-age', 'female', 731)!.m).toBe(85.7299);
  });

  it('adds 0.7 cm to a standing height before 24 months and subtracts it from a lying length after', () => {
    expect(standardisedLengthHeight(400, 75, 'standing')).toBeCloseTo(75.7, 6);
    expect(standardisedLengthHeight(400, 75, 'lying')).toBe(75);
    expect(standardisedLengthHeight(900, 90, 'lying')).toBeCloseTo(89.3, 6);
    expect(standardisedLengthHeight(900, 90, 'standing')).toBe(90);
    expect(standardisedLengthHeight(900, 90)).toBe(90);
    expect(lengthHeightForAgeZ('male', 400, 75, 'standing')).toBeCloseTo(lengthHeightForAgeZ('male', 400, 75.7)!, 9);
    expect(lengthHeightForAgeZ('female', 900, 90, 'lying')).toBeCloseTo(lengthHeightForAgeZ('female', 900, 89.3)!, 9);
    expect(weightForLengthHeightZ('male', 400, 75, 9.5, 'standing')).toBeCloseTo(weightForLengthHeightZ('male', 400, 75.7, 9.5)!, 9);
  });

  it('uses weight-for-length under 731 days and weight-for-height from then on', () => {
    const forLength = lmsAt('weight-for-length', 'male', 80)!;
    const forHeight = lmsAt('weight-for-height', 'male', 80)!;
    expect(weightForLengthHeightZ('male', 700, 80, forLength.m)).toBeCloseTo(0, 6);
    expect(weightForLengthHeightZ('male', 731, 80, forHeight.m)).toBeCloseTo(0, 6);
    // Without an age: by the position, else lying below 87 cm.
    expect(weightForLengthHeightZ('male', undefined, 80, forLength.m)).toBeCloseTo(0, 6);
    expect(weightForLengthHeightZ('male', undefined, 80, forHeight.m, 'standing')).toBeCloseTo(0, 6);
    expect(weightForLengthHeightZ('male', undefined, 90, lmsAt('weight-for-height', 'male', 90)!.m)).toBeCloseTo(0, 6);
  });

  it('restricts weight-for-height beyond ±3 SD but not length/height-for-age', () => {
    const lms = lmsAt('weight-for-height', 'female', 100)!;
    const sd3 = valueAtZ(lms, 3);
    const gap = sd3 - valueAtZ(lms, 2);
    expect(weightForLengthHeightZ('female', 1200, 100, sd3 + gap)).toBeCloseTo(4, 6);
    const l = lmsAt('length-height-for-age', 'female', 1200)!;
    expect(lengthHeightForAgeZ('female', 1200, l.m * (1 - 4 * l.s))).toBeCloseTo(-4, 6);
  });

  it('refuses measurements outside the standards', () => {
    expect(lengthHeightForAgeZ('male', 1827, 110)).toBeUndefined();
    expect(lengthHeightForAgeZ('male', -1, 50)).toBeUndefined();
    expect(weightForLengthHeightZ('male', 100, 44.9, 2.4)).toBeUndefined();
    expect(weightForLengthHeightZ('male', 100, 110.1, 18)).toBeUndefined();
    expect(weightForLengthHeightZ('male', 900, 64.9, 7)).toBeUndefined();
    expect(weightForLengthHeightZ('male', 900, 120.1, 22)).toBeUndefined();
    expect(weightForLengthHeightZ('male', 900, 100, 0)).toBeUndefined();
  });

  it('flags overweight above +2 SD and obesity above +3 SD', () => {
    expect(overweightStatus(1.9)).toBe('normal');
    expect(overweightStatus(2.4)).toBe('overweight');
    expect(overweightStatus(3.1)).toBe('obese');
  });
});

describe('a child\'s growth points', () => {
  const obs = (code: string, date: string, value: number, unit: string, id: string): Observation => ({
    resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] },
    effectiveDateTime: date, valueQuantity: { value, unit, code: unit },
  });

  it('pairs weight and length of a day and computes the three z-scores with their flags', () => {
    // A boy of 400 days, 70 cm lying and 6.9 kg: short and thin for his age.
    const points = growthPoints('male', '2024-01-01', [
      obs('29463-7', '2025-02-04', 6900, 'g', 'w1'),
      obs('8306-3', '2025-02-04', 70, 'cm', 'h1'),
      obs('29463-7', '2024-06-01', 7.0, 'kg', 'w0'),
    ]);
    expect(points.map((p) => p.date)).toEqual(['2024-06-01', '2025-02-04']);
    const p = points[1]!;
    expect(p).toMatchObject({ ageDays: 400, weightKg: 6.9, heightCm: 70, position: 'lying', observationId: 'w1', heightObservationId: 'h1' });
    expect(p.heightForAgeZ).toBeCloseTo(lengthHeightForAgeZ('male', 400, 70)!, 2);
    expect(p.heightForAgeZ!).toBeLessThan(-2);
    expect(p.stunting).toBe('moderate');
    expect(p.weightForHeightZ).toBeCloseTo(weightForLengthHeightZ('male', 400, 70, 6.9)!, 2);
    expect(p.wasting).toBe('moderate');
    expect(points[0]!.heightForAgeZ).toBeUndefined();
  });

  it('reads a standing height in metres (8308-9) and adjusts it before 24 months', () => {
    const [p] = growthPoints('female', '2024-01-01', [obs('8308-9', '2025-02-04', 0.74, 'm', 'h')]);
    expect(p!.position).toBe('standing');
    expect(p!.heightForAgeZ).toBeCloseTo(lengthHeightForAgeZ('female', 400, 74.7)!, 2);
  });
});
