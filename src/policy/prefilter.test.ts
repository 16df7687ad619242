import { describe, expect, it } from 'vitest';
import {
  ARV_ABBREVIATIONS_AMBIGUOUS,
  ARV_ABBREVIATIONS_HIV_ONLY,
  CASE_SENSITIVE_WORDS,
  DRUG_TREATMENT_INGREDIENTS,
  EXCLUDED_PHRASES,
  HIV_ONLY_INGREDIENTS,
  HIV_PRODUCT_NAMES,
} from './excluded-lists.ts';
import { drugNameMayMatch, lowerNfc, Memo, textMayMatch } from './prefilter.ts';

const variants = (s: string): string[] => [
  s,
  s.toUpperCase(),
  s.normalize('NFD'),
  s.normalize('NFD').replace(/\p{M}/gu, ''),
  `Ghi chú: ${s.replace(/ /g, ' - ')}.`,
  `x${s.replace(/ /g, '\u0360')}y`,
];

describe('the policy screen in front of the word-level rules', () => {
  it('lets through every listed phrase and word however it is written', () => {
    const all = [
      ...Object.values(EXCLUDED_PHRASES).flat(),
      ...Object.values(CASE_SENSITIVE_WORDS).flat(),
      ...HIV_ONLY_INGREDIENTS.map((s) => `${s}e 300mg`),
      ...DRUG_TREATMENT_INGREDIENTS,
      ...HIV_PRODUCT_NAMES,
      ...ARV_ABBREVIATIONS_HIV_ONLY,
      ...ARV_ABBREVIATIONS_AMBIGUOUS,
      'HIV-1',
      'antiHIV',
      'Chẩn đoán B20.7',
    ];
    for (const phrase of all) for (const v of variants(phrase)) expect(textMayMatch(lowerNfc(v)), v).toBe(true);
    for (const name of [...HIV_ONLY_INGREDIENTS, ...HIV_PRODUCT_NAMES, 'Methadone 10mg/ml', 'TDF/3TC']) {
      expect(drugNameMayMatch(lowerNfc(name)), name).toBe(true);
    }
  });

  it('stops ordinary clinical text at once', () => {
    for (const t of ['Viêm phổi do vi khuẩn', 'Tăng huyết áp vô căn (nguyên phát)', 'Đái tháo đường type 2', 'Paracetamol 500mg']) {
      expect(textMayMatch(lowerNfc(t)), t).toBe(false);
    }
  });

  it('memoises within bounds: long keys are computed each time, a full table starts again', () => {
    const memo = new Memo<number>(2, 5);
    let calls = 0;
    const f = () => ++calls;
    memo.get('a', f);
    memo.get('a', f);
    expect(calls).toBe(1);
    memo.get('toolongkey', f);
    memo.get('toolongkey', f);
    expect(calls).toBe(3);
    memo.get('b', f);
    memo.get('c', f);
    memo.get('a', f);
    expect(calls).toBe(6);
  });
});
