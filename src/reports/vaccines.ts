// The expanded programme on immunization (Tiêm chủng mở rộng, TCMR) vaccines HSSK reports on:
// one data table mapping Immunization.vaccineCode codings to a programme vaccine and the doses
// a child needs to be fully vaccinated with it.
import type { Coding } from '@medplum/fhirtypes';
import { HSSK_CANONICAL } from '../fhir/systems.ts';

export const CVX = 'http://hl7.org/fhir/sid/cvx';
/** HSSK's own codes for the programme vaccines (the codes below), for inputs without CVX. */
export const EPI_VACCINE_SYSTEM = `${HSSK_CANONICAL}/CodeSystem/vac-xin-tcmr`;

export interface EpiVaccine {
  code: string;
  label: string;
  /** Doses for a complete schedule. */
  doses: number;
  /** Codings (besides EPI_VACCINE_SYSTEM|code) that mean this vaccine. */
  codings: readonly { system: string; code: string }[];
}

export const EPI_VACCINES: readonly EpiVaccine[] = [
  { code: 'bcg', label: 'Lao (BCG)', doses: 1, codings: [{ system: CVX, code: '19' }] },
  { code: 'hepb-birth', label: 'Viêm gan B sơ sinh', doses: 1, codings: [{ system: CVX, code: '08' }] },
  {
    code: 'dpt-hepb-hib',
    label: 'Bạch hầu – Ho gà – Uốn ván – Viêm gan B – Hib (5 trong 1)',
    doses: 3,
    codings: [{ system: CVX, code: '102' }, { system: CVX, code: '198' }],
  },
  { code: 'opv', label: 'Bại liệt uống (OPV)', doses: 3, codings: [{ system: CVX, code: '02' }] },
  { code: 'ipv', label: 'Bại liệt tiêm (IPV)', doses: 1, codings: [{ system: CVX, code: '10' }] },
  { code: 'measles', label: 'Sởi', doses: 1, codings: [{ system: CVX, code: '05' }] },
  { code: 'mr', label: 'Sởi – Rubella (MR)', doses: 1, codings: [{ system: CVX, code: '04' }] },
  { code: 'je', label: 'Viêm não Nhật Bản', doses: 3, codings: [{ system: CVX, code: '39' }, { system: CVX, code: '134' }] },
  { code: 'dpt-booster', label: 'Bạch hầu – Ho gà – Uốn ván nhắc lại (DPT4)', doses: 1, codings: [{ system: CVX, code: '01' }, { system: CVX, code: '20' }] },
];

const BY_CODING = new Map<string, string>();
for (const v of EPI_VACCINES) {
  BY_CODING.set(`${EPI_VACCINE_SYSTEM}|${v.code}`, v.code);
  for (const c of v.codings) BY_CODING.set(`${c.system}|${c.code}`, v.code);
}

/** The programme vaccine of a vaccineCode, if it is one. */
export function epiVaccineOf(codings: readonly Coding[] | undefined): string | undefined {
  for (const c of codings ?? []) {
    const hit = BY_CODING.get(`${c.system}|${c.code}`);
    if (hit) return hit;
  }
  return undefined;
}

export function vaccineLabel(code: string): string {
  return EPI_VACCINES.find((v) => v.code === code)?.label ?? code;
}

/** Birth cohorts a vaccination report covers: children of the last `years` years. */
export const COHORT_YEARS = 6;
