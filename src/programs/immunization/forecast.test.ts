import { describe, expect, it } from 'vitest';
import type { Immunization } from '@medplum/fhirtypes';
import { ProgramSystem } from '../codes.ts';
import { vaccinationBook } from './forecast.ts';
import { givenDoses, type GivenDose } from './given-doses.ts';
import { epiSchedule } from './schedule.ts';
import { tetanusForecast } from './tetanus.ts';

const dose = (vaccine: string, date: string): GivenDose => ({ vaccine, date });
const find = (book: ReturnType<typeof vaccinationBook>, series: string, n: number) => book.doses.find((d) => d.series === series && d.dose === n)!;

describe('the vaccination book (TCMR schedule)', () => {
  it('a child vaccinated on time has every dose so far done and the next one upcoming at its age', () => {
    const given = [
      dose('VGB', '2024-01-10'), dose('BCG', '2024-01-12'),
      dose('DPT-VGB-Hib', '2024-03-10'), dose('OPV', '2024-03-10'),
      dose('DPT-VGB-Hib', '2024-04-10'), dose('OPV', '2024-04-10'),
      dose('DPT-VGB-Hib', '2024-05-10'), dose('OPV', '2024-05-10'),
    ];
    const book = vaccinationBook('2024-01-10', given, '2024-05-20');
    for (const s of ['hepb-birth', 'bcg']) expect(find(book, s, 1).status).toBe('done');
    for (const n of [1, 2, 3]) expect(find(book, 'dpt-hepb-hib', n).status).toBe('done');
    expect(find(book, 'ipv', 1)).toMatchObject({ status: 'upcoming', dueDate: '2024-06-10' });
    expect(find(book, 'measles', 1)).toMatchObject({ status: 'upcoming', dueDate: '2024-10-10' });
    expect(book.complete).toBe(false);
  });

  it('a late starter catches up at the minimum interval, not at the recommended ages', () => {
    // First visit at 7 months: DPT-VGB-Hib 1 today, dose 2 four weeks later, dose 3 four weeks after that.
    const birth = '2024-01-01';
    const book1 = vaccinationBook(birth, [dose('DPT-VGB-Hib', '2024-08-01')], '2024-08-01');
    expect(find(book1, 'dpt-hepb-hib', 2)).toMatchObject({ status: 'upcoming', dueDate: '2024-08-29' });
    expect(find(book1, 'dpt-hepb-hib', 3).status).toBe('waiting');
    const book2 = vaccinationBook(birth, [dose('DPT-VGB-Hib', '2024-08-01'), dose('DPT-VGB-Hib', '2024-08-29')], '2024-09-01');
    expect(find(book2, 'dpt-hepb-hib', 3)).toMatchObject({ status: 'upcoming', dueDate: '2024-09-26' });
  });

  it('missed doses become overdue four weeks after their due date, and the birth dose expires', () => {
    const book = vaccinationBook('2024-01-01', [], '2024-04-15');
    expect(find(book, 'dpt-hepb-hib', 1)).toMatchObject({ status: 'overdue', dueDate: '2024-03-01' });
    expect(find(book, 'dpt-hepb-hib', 2).status).toBe('waiting');
    expect(find(book, 'hepb-birth', 1).status).toBe('too-late');
    expect(find(book, 'bcg', 1).status).toBe('overdue');
  });

  it('a dose given before the minimum age does not count and is reported as invalid', () => {
    const book = vaccinationBook('2024-01-01', [dose('DPT-VGB-Hib', '2024-01-20')], '2024-03-02');
    expect(find(book, 'dpt-hepb-hib', 1).status).toBe('due');
    expect(book.invalid).toEqual([dose('DPT-VGB-Hib', '2024-01-20')]);
  });

  it('the measles–rubella and DPT booster doses respect the interval after the earlier series', () => {
    const given = [dose('SOI', '2025-05-20')];
    const book = vaccinationBook('2024-01-01', given, '2025-06-01');
    // MR is recommended at 18 months (2025-07-01); that is already ≥ 28 days after measles.
    expect(find(book, 'mr', 1)).toMatchObject({ status: 'upcoming', dueDate: '2025-07-01' });
  });

  it('reads Immunization resources coded in the TCMR system or by CVX, and ignores ones not given', () => {
    const imm = (code: string, system: string, status: Immunization['status'] = 'completed'): Immunization => ({
      resourceType: 'Immunization', status, vaccineCode: { coding: [{ system, code }] }, patient: { reference: 'Patient/x' }, occurrenceDateTime: '2024-03-01',
    });
    const doses = givenDoses([imm('BCG', ProgramSystem.vaccine), imm('10', ProgramSystem.cvx), imm('OPV', ProgramSystem.vaccine, 'not-done')], epiSchedule());
    expect(doses.map((d) => d.vaccine).sort()).toEqual(['BCG', 'IPV']);
  });
});

describe('tetanus (UV) for women', () => {
  it('a pregnant woman without doses needs UV1 now and UV2 a month later, at the latest a month before delivery', () => {
    const t = tetanusForecast({ given: [], asOf: '2025-03-01', pregnancyDueDate: '2025-08-01', inTargetAge: true });
    expect(t.next).toMatchObject({ label: expect.stringContaining('UV1'), status: 'due', latestDate: '2025-07-02' });
    const t2 = tetanusForecast({ given: [dose('UV', '2025-03-01')], asOf: '2025-03-10', pregnancyDueDate: '2025-08-01', inTargetAge: true });
    expect(t2.next).toMatchObject({ dose: 2, status: 'upcoming', dueDate: '2025-03-31' });
  });

  it('a pregnant woman protected until after delivery needs no dose', () => {
    const given = [dose('UV', '2020-01-01'), dose('UV', '2020-02-01'), dose('UV', '2020-09-01')];
    const t = tetanusForecast({ given, asOf: '2025-03-01', pregnancyDueDate: '2025-08-01', inTargetAge: true });
    expect(t.protectedUntil! > '2025-08-01').toBe(true);
    expect(t.next).toBeUndefined();
  });

  it('women outside the target ages are not called for routine doses', () => {
    expect(tetanusForecast({ given: [], asOf: '2025-03-01', inTargetAge: false }).next).toBeUndefined();
  });
});
