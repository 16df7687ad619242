// XML1 → Patient: the resident as the facility knows them. Identity resolution (not this module)
// decides whether it is an existing resident. BHYT cards are in map-coverage.ts.
import type { Address, Patient } from '@medplum/fhirtypes';
import { CodeSystem, Extension, IdentifierSystem } from '../../fhir/systems.ts';
import { parseBhytCard } from '../../identity/identifiers.ts';
import { XmlSystem, patientNumberSystem } from './constants.ts';
import type { DroppedField, FieldRule, RowContext } from './context.ts';
import { birthDate, gender, listValues, personName } from './convert.ts';

function address(p: Patient): Address {
  p.address ??= [{ use: 'home' }];
  return p.address[0]!;
}

function addExtension(target: { extension?: { url: string }[] }, ext: { url: string } & Record<string, unknown>): void {
  (target.extension ??= []).push(ext);
}

/** SO_CCCD carries a CCCD (12 digits), an old CMND (9) or a passport number (letter + 7 digits). */
function personalIdentifier(p: Patient, value: string, row: RowContext): void {
  const v = value.replace(/\s/g, '').toUpperCase();
  const system = /^\d{12}$/.test(v)
    ? IdentifierSystem.cccd
    : /^\d{9}$/.test(v)
      ? IdentifierSystem.cmnd
      : /^[A-Z]\d{7,8}$/.test(v)
        ? IdentifierSystem.passport
        : undefined;
  if (system === undefined) {
    row.ctx.warnings.push(`${row.field}: "${v}" không phải CCCD (12 số), CMND (9 số) hay hộ chiếu; bỏ qua.`);
    return;
  }
  (p.identifier ??= []).push({ system, value: v });
}

/** Each BHYT card of the episode also identifies the person, and its last 10 digits are the
 *  lifelong mã số BHXH (cards since 2021 print only those). */
function cardIdentifiers(p: Patient, value: string, row: RowContext): void {
  for (const raw of listValues(value)) {
    const card = parseBhytCard(raw);
    if (!card.ok) {
      row.ctx.warnings.push(`${row.field}: ${card.errors[0].message}`);
      continue;
    }
    const ids = (p.identifier ??= []);
    if (card.value.form === 'full' && !ids.some((i) => i.system === IdentifierSystem.bhytCard && i.value === card.value.code)) {
      ids.push({ system: IdentifierSystem.bhytCard, value: card.value.code });
    }
    if (!ids.some((i) => i.system === IdentifierSystem.bhxh && i.value === card.value.bhxh)) {
      ids.push({ system: IdentifierSystem.bhxh, value: card.value.bhxh });
    }
  }
}

export const patientRules: readonly FieldRule<Patient>[] = [
  {
    field: 'MA_BN',
    fhir: 'Patient.identifier (ma-bn/<MA_CSKCB>)',
    apply: (p, v, { ctx }) => void (p.identifier ??= []).push({ system: patientNumberSystem(ctx.facility), value: v }),
  },
  { field: 'HO_TEN', fhir: 'Patient.name (text, family = first word, given = the rest)', apply: (p, v) => void (p.name = [{ use: 'official', ...personName(v) }]) },
  { field: 'SO_CCCD', fhir: 'Patient.identifier (CCCD | CMND | hộ chiếu)', apply: personalIdentifier },
  {
    field: 'NGAY_SINH',
    fhir: 'Patient.birthDate (yyyy, yyyy-mm or yyyy-mm-dd)',
    apply: (p, v, { ctx, field }) => {
      const b = ctx.convert(field, v, (raw) => birthDate(raw, ctx.generation));
      if (b === undefined) return;
      p.birthDate = b.value;
      if (b.note) ctx.warnings.push(`${field} ${v}: theo quy ước QĐ 4210, 01/01 có thể thay cho ngày và tháng sinh không rõ; giữ nguyên ngày.`);
    },
  },
  { field: 'GIOI_TINH', fhir: 'Patient.gender (1 male, 2 female, 3 unknown)', apply: (p, v, { ctx, field }) => void (p.gender = ctx.convert(field, v, gender)) },
  {
    field: 'MA_QUOCTICH',
    fhir: 'Patient.extension[patient-nationality].code',
    apply: (p, v) =>
      addExtension(p, { url: Extension.nationality, extension: [{ url: 'code', valueCodeableConcept: { coding: [{ system: XmlSystem.nationality, code: v }] } }] }),
  },
  { field: 'MA_DANTOC', fhir: 'Patient.extension[dan-toc]', apply: (p, v) => addExtension(p, { url: Extension.ethnicity, valueCoding: { system: CodeSystem.ethnicity, code: v } }) },
  {
    field: 'MA_NGHE_NGHIEP',
    fhir: 'Patient.extension[nghe-nghiep]',
    apply: (p, v) => addExtension(p, { url: Extension.occupation, valueCoding: { system: CodeSystem.occupation, code: v } }),
  },
  { field: 'DIA_CHI', fhir: 'Patient.address.text', apply: (p, v, { ctx }) => void (address(p).text = ctx.exclusions.keep(v)) },
  { field: 'MATINH_CU_TRU', fhir: 'Patient.address.extension[address-province]', apply: (p, v) => addExtension(address(p), { url: Extension.addressProvince, valueCode: v }) },
  {
    field: 'MAXA_CU_TRU',
    fhir: 'Patient.address.extension[address-commune] (old or new code, as sent)',
    apply: (p, v) => addExtension(address(p), { url: Extension.addressCommune, valueCode: v }),
  },
  { field: 'DIEN_THOAI', fhir: 'Patient.telecom (phone)', apply: (p, v) => void (p.telecom = [{ system: 'phone', value: v.replace(/[\s.]/g, '') }]) },
  { field: 'MA_THE_BHYT', alias: 'MA_THE', fhir: 'Patient.identifier (BHYT card; mã số BHXH = last 10 characters)', apply: cardIdentifiers },
];

export const patientDropped: readonly DroppedField[] = [
  { field: 'MAHUYEN_CU_TRU', reason: 'Không còn cấp huyện từ 1/7/2025; mã xã đủ để xác định địa bàn.' },
];
