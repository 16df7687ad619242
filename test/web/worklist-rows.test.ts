import { describe, expect, it } from 'vitest';
import { worklistsVi } from '../../web/src/shared/messages/worklists.vi.ts';
import { ageText, detailText, statusText, zText, type WorklistRow } from '../../web/src/staff/worklist-rows.ts';

// The same substitution as i18n.tsx's translate(), over the Vietnamese texts of the worklists.
const t = (key: keyof typeof worklistsVi, params: Record<string, string | number> = {}) =>
  worklistsVi[key].replace(/\{(\w+)\}/g, (m, p: string) => (params[p] === undefined ? m : String(params[p])));

const row = (detail: Record<string, unknown>): WorklistRow => ({
  patientId: 'p', name: 'A', birthDate: '2024-01-01', gender: 'male', address: null, communeCode: '24820',
  kind: 'malnutrition', itemKey: 'height-for-age', dueDate: '2025-01-01', status: 'moderate', title: 'x', detail, resourceRef: null,
});

describe('worklist rows as the commune worker reads them', () => {
  it('gives a newborn\'s age in days, a young child\'s in months, then years', () => {
    expect(ageText(t, '2025-03-01', '2025-03-21')).toBe('20 ngày tuổi');
    expect(ageText(t, '2025-01-15', '2025-03-21')).toBe('2 tháng tuổi');
    expect(ageText(t, '2023-04-22', '2025-03-21')).toBe('22 tháng tuổi');
    expect(ageText(t, '1960-05-01', '2025-03-21')).toBe('64 tuổi');
    expect(ageText(t, '1960', '2025-03-21')).toBe('65 tuổi');
    expect(ageText(t, null, '2025-03-21')).toBe('');
  });

  it('names statuses in Vietnamese and keeps an unknown one as it is', () => {
    expect(statusText(t, 'overdue')).toBe('Quá hạn');
    expect(statusText(t, 'overweight')).toBe('Thừa cân');
    expect(statusText(t, 'something-new')).toBe('something-new');
  });

  it('writes z-scores with a true minus and a decimal comma, with weight and length', () => {
    expect(zText(-2.45)).toBe('−2,45');
    expect(zText(2.1)).toBe('+2,1');
    expect(detailText(t, row({ z: -2.45, weightKg: 4, heightCm: 52.5 }))).toBe('z = −2,45 · 4 kg · 52,5 cm');
    expect(detailText(t, row({ controlDisplay: 'Chưa kiểm soát' }))).toBe('Kiểm soát: Chưa kiểm soát');
    expect(detailText(t, row({ expectedDelivery: '2025-06-01' }))).toBe('Dự sinh 01/06/2025');
    expect(detailText(t, row({}))).toBe('');
  });
});
