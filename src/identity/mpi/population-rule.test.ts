import { describe, expect, it } from 'vitest';
import { populationRule } from './population-rule.ts';

// A stand-in for the admin-unit table: old code 11111 became 22222; old 33333 was split in two.
const current = (code: string) => ({ '11111': ['22222'], '33333': ['44444', '55555'] })[code] ?? [];

describe('where the population rule applies', () => {
  it('auto: to records stating a covered commune, by its 2025 code or an old code of it', () => {
    const rule = populationRule('auto', new Set(['22222', '44444']), current);
    expect(rule.appliesTo({ communeCode: '22222' })).toBe(true);
    expect(rule.appliesTo({ communeCode: '11111' })).toBe(true);
    expect(rule.appliesTo({ communeCode: '66666' })).toBe(false);
  });

  it('auto: not to a record without a commune, nor to an old commune only part of which is covered', () => {
    const rule = populationRule('auto', new Set(['22222', '44444']), current);
    expect(rule.appliesTo({ fullName: 'Nguyễn Văn An' })).toBe(false);
    expect(rule.appliesTo({ communeCode: '33333' })).toBe(false);
    expect(populationRule('auto', new Set(['44444', '55555']), current).appliesTo({ communeCode: '33333' })).toBe(true);
  });

  it('on applies everywhere, off nowhere, whatever is covered', () => {
    expect(populationRule('on', new Set(), current).appliesTo({ communeCode: '66666' })).toBe(true);
    expect(populationRule('off', new Set(['22222']), current).appliesTo({ communeCode: '22222' })).toBe(false);
  });
});
