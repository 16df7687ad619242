// Which vaccines an Immunization resource gave, in the TCMR code system (or by CVX code).
import type { Immunization } from '@medplum/fhirtypes';
import { ProgramSystem } from '../codes.ts';
import { localDateOf, type IsoDate } from '../dates.ts';
import type { EpiSchedule } from './schedule.ts';

export interface GivenDose {
  vaccine: string;
  date: IsoDate;
  immunizationId?: string;
}

export function givenDoses(immunizations: readonly Immunization[], schedule: EpiSchedule): GivenDose[] {
  const byCvx = new Map<string, string>();
  for (const v of schedule.vaccines) for (const c of v.cvx) byCvx.set(c, v.code);
  const known = new Set(schedule.vaccines.map((v) => v.code));
  const out: GivenDose[] = [];
  for (const imm of immunizations) {
    if (imm.status !== 'completed') continue;
    const date = localDateOf(imm.occurrenceDateTime ?? imm.occurrenceString);
    if (!date) continue;
    let vaccine: string | undefined;
    for (const c of imm.vaccineCode?.coding ?? []) {
      if (c.system === ProgramSystem.vaccine && c.code && known.has(c.code)) vaccine = c.code;
      else if (c.system === ProgramSystem.cvx && c.code) vaccine ??= byCvx.get(c.code);
    }
    if (vaccine) out.push({ vaccine, date, ...(imm.id ? { immunizationId: imm.id } : {}) });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}
