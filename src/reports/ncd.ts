// Non-communicable disease registers (MISSION B6, D1): hypertension and diabetes. Who is known
// (a diagnosis), under management (an active EpisodeOfCare of the programme), seen recently and
// controlled by their last measurement.
import type { Coding, Observation } from '@medplum/fhirtypes';
import { HSSK_CANONICAL } from '../fhir/systems.ts';
import { normaliseIcd10 } from '../province/icd10.ts';

export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
/** Codes of HSSK's primary-care programmes (EpisodeOfCare.type). */
export const PROGRAMME_SYSTEM = `${HSSK_CANONICAL}/CodeSystem/chuong-trinh`;

export type Programme = 'hypertension' | 'diabetes';

export interface NcdProgramme {
  code: Programme;
  label: string;
  /** ICD-10 categories, inclusive. */
  icdFrom: string;
  icdTo: string;
  /** EpisodeOfCare.type codings of the programme. */
  careTypes: readonly { system: string; code: string }[];
  control: string;
}

export const NCD_PROGRAMMES: readonly NcdProgramme[] = [
  {
    code: 'hypertension',
    label: 'Tăng huyết áp (I10–I15)',
    icdFrom: 'I10',
    icdTo: 'I15',
    careTypes: [{ system: PROGRAMME_SYSTEM, code: 'hypertension' }, { system: PROGRAMME_SYSTEM, code: 'tang-huyet-ap' }, { system: SNOMED, code: '38341003' }],
    control: 'Huyết áp lần đo gần nhất < 140/90 mmHg',
  },
  {
    code: 'diabetes',
    label: 'Đái tháo đường (E10–E14)',
    icdFrom: 'E10',
    icdTo: 'E14',
    careTypes: [{ system: PROGRAMME_SYSTEM, code: 'diabetes' }, { system: PROGRAMME_SYSTEM, code: 'dai-thao-duong' }, { system: SNOMED, code: '73211009' }],
    control: 'HbA1c lần đo gần nhất < 7%',
  },
];

/** A visit within this many days counts as recent. */
export const RECENT_VISIT_DAYS = 90;

export function programmeOfIcd(raw: string): Programme | undefined {
  const category = normaliseIcd10(raw)?.slice(0, 3);
  if (!category) return undefined;
  return NCD_PROGRAMMES.find((p) => category >= p.icdFrom && category <= p.icdTo)?.code;
}

export function programmeOfCareType(codings: readonly Coding[]): Programme | undefined {
  return NCD_PROGRAMMES.find((p) => codings.some((c) => p.careTypes.some((t) => t.system === c.system && t.code === c.code)))?.code;
}

const BP_PANEL = ['85354-9', '55284-4'];
const SYSTOLIC = '8480-6';
const DIASTOLIC = '8462-4';
const HBA1C = ['4548-4', '17856-6', '59261-8'];

const hasLoinc = (codings: readonly Coding[] | undefined, codes: readonly string[]) =>
  (codings ?? []).some((c) => c.system === LOINC && c.code !== undefined && codes.includes(c.code));

/** A measurement that decides control: blood pressure (panel) or HbA1c. */
export function measurementOf(o: Observation): { programme: Programme; controlled: boolean } | undefined {
  if (o.status === 'entered-in-error' || o.status === 'cancelled') return undefined;
  if (hasLoinc(o.code?.coding, BP_PANEL)) {
    const value = (code: string) => o.component?.find((c) => hasLoinc(c.code.coding, [code]))?.valueQuantity?.value;
    const sys = value(SYSTOLIC);
    const dia = value(DIASTOLIC);
    if (sys === undefined || dia === undefined) return undefined;
    return { programme: 'hypertension', controlled: sys < 140 && dia < 90 };
  }
  if (hasLoinc(o.code?.coding, HBA1C)) {
    const q = o.valueQuantity;
    if (q?.value === undefined) return undefined;
    // IFCC mmol/mol → NGSP %: % = 0.0915 × mmol/mol + 2.15.
    const percent = q.unit === 'mmol/mol' || q.code === 'mmol/mol' ? 0.0915 * q.value + 2.15 : q.value;
    return { programme: 'diabetes', controlled: percent < 7 };
  }
  return undefined;
}

export function programmeLabel(code: string): string {
  return NCD_PROGRAMMES.find((p) => p.code === code)?.label ?? code;
}
