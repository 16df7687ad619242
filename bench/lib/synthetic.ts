// Synthetic FHIR data for the FHIR-core benchmark: Patients with Vietnamese names and
// identifiers, and Observations (vital signs and labs) spread over them. Deterministic.
import type { Observation, Patient } from '@medplum/fhirtypes';
import { IdentifierSystem } from '../../src/fhir/systems.ts';

const FAMILY = ['Nguyễn', 'Nguyễn', 'Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE_M = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Công'];
const MIDDLE_F = ['Thị', 'Thị', 'Ngọc', 'Thu', 'Kim', 'Thanh', 'Mỹ'];
const GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Hùng', 'Hải', 'Khoa', 'Long', 'Minh', 'Nam', 'Phúc', 'Quang', 'Sơn', 'Tài', 'Thắng', 'Trung', 'Tuấn', 'Việt'];
const GIVEN_F = ['Anh', 'Bích', 'Chi', 'Dung', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Nga', 'Ngọc', 'Nhung', 'Phương', 'Thảo', 'Trang', 'Yến'];

export const OBSERVATION_CODES = [
  { code: '8480-6', display: 'Huyết áp tâm thu', unit: 'mm[Hg]', min: 95, max: 190 },
  { code: '8462-4', display: 'Huyết áp tâm trương', unit: 'mm[Hg]', min: 55, max: 120 },
  { code: '29463-7', display: 'Cân nặng', unit: 'kg', min: 3, max: 95 },
  { code: '8867-4', display: 'Nhịp tim', unit: '/min', min: 50, max: 130 },
  { code: '2339-0', display: 'Glucose máu', unit: 'mmol/L', min: 3.5, max: 15 },
  { code: '4548-4', display: 'HbA1c', unit: '%', min: 4.5, max: 11 },
  { code: '2160-0', display: 'Creatinine', unit: 'umol/L', min: 40, max: 200 },
  { code: '8310-5', display: 'Nhiệt độ', unit: 'Cel', min: 36, max: 40 },
];

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, list: T[]): T => list[Math.floor(r() * list.length)]!;

export function patientId(i: number): string {
  return `bench-p-${i}`;
}

export function cccdOf(i: number): string {
  return `068${String(i % 10_000_000_00).padStart(9, '0')}`;
}

export function makePatient(i: number): Patient {
  const r = prng(i * 7919 + 1);
  const male = r() < 0.5;
  const family = pick(r, FAMILY);
  const middle = pick(r, male ? MIDDLE_M : MIDDLE_F);
  const given = pick(r, male ? GIVEN_M : GIVEN_F);
  const year = 1930 + Math.floor(r() * 94);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  return {
    resourceType: 'Patient',
    id: patientId(i),
    identifier: [{ system: IdentifierSystem.cccd, value: cccdOf(i) }],
    name: [{ text: `${family} ${middle} ${given}`, family, given: [middle, given] }],
    gender: male ? 'male' : 'female',
    birthDate: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    telecom: [{ system: 'phone', value: `09${String(10_000_000 + i).slice(-8)}` }],
    address: [{ text: `Thôn ${1 + (i % 9)}, xã ${pick(r, ['Đức Trọng', 'Hiệp Thạnh', 'Liên Nghĩa', 'Phú Hội', 'Tân Hội'])}, Lâm Đồng` }],
  };
}

export function makeObservation(patientIndex: number, j: number): Observation {
  const r = prng(patientIndex * 104729 + j * 31 + 7);
  const kind = OBSERVATION_CODES[j % OBSERVATION_CODES.length]!;
  const value = Math.round((kind.min + r() * (kind.max - kind.min)) * 10) / 10;
  const day = 1 + Math.floor(r() * 1800);
  const date = new Date(Date.UTC(2021, 0, 1) + day * 86_400_000);
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: j % 8 < 4 ? 'vital-signs' : 'laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: kind.code, display: kind.display }] },
    subject: { reference: `Patient/${patientId(patientIndex)}` },
    effectiveDateTime: date.toISOString().slice(0, 10) + 'T08:00:00+07:00',
    valueQuantity: { value, unit: kind.unit, system: 'http://unitsofmeasure.org', code: kind.unit },
  };
}
