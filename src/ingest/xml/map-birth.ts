// XML9 (giấy chứng sinh) → for each child: a newborn Patient (an additional entry, not the
// episode's patient), a RelatedPerson "mother/carer" of that newborn carrying the mother's
// identifiers so identity resolution can tie the two records, a contact on the newborn, and a
// birth-weight Observation.
import type { Observation, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { CodeSystem, Extension, IdentifierSystem } from '../../fhir/systems.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { Loinc, XmlExtension } from './constants.ts';
import { urn, type EpisodeContext } from './context.ts';
import { date8, dateTime12, decimal, gender, personName } from './convert.ts';
import type { XmlRecord } from './inner.ts';

export const birthFields = [
  { field: 'HO_TEN_CON', fhir: 'Patient(newborn).name (else "Con của <HO_TEN_NND>")' },
  { field: 'GIOI_TINH_CON', fhir: 'Patient(newborn).gender' },
  { field: 'NGAY_SINH_CON', fhir: 'Patient(newborn).birthDate + extension[patient-birthTime]' },
  { field: 'NOI_SINH_CON', fhir: 'Patient(newborn).extension[patient-birthPlace].valueAddress.text' },
  { field: 'SO_CON', fhir: 'Patient(newborn).multipleBirthInteger (order of the record) when > 1' },
  { field: 'MA_THE_TAM', fhir: 'Patient(newborn).identifier (BHYT card, temporary)' },
  { field: 'CAN_NANG_CON', fhir: 'Observation LOINC 8339-4 birth weight (g)' },
  { field: 'HO_TEN_NND, NGAYSINH_NND, SO_CCCD_NND, MA_BHXH_NND, MA_THE_NND, MA_DANTOC_NND, NOI_CU_TRU_NND, MAXA_CU_TRU', fhir: 'RelatedPerson (MTH) of the newborn; Patient(newborn).contact' },
  { field: 'HO_TEN_CHA', fhir: 'Patient(newborn).contact (FTH)' },
  { field: 'TINH_TRANG_CON, SINHCON_PHAUTHUAT, SINHCON_DUOI32TUAN, LAN_SINH, SO_CON_SONG, NGUOI_DO_DE, GHI_CHU, SO, QUYEN_SO, NGAY_CT', fhir: 'Composition section "Giấy chứng sinh" (text)' },
] as const;

function role(code: 'MTH' | 'FTH', display: string) {
  return [{ coding: [{ system: CodeSystem.v3RoleCode, code, display }], text: display }];
}

export function mapBirths(rows: readonly XmlRecord[], ctx: EpisodeContext): AdaptedEntry[] {
  const entries: AdaptedEntry[] = [];
  rows.forEach((row, i) => {
    const n = i + 1;
    const field = (f: string) => `XML9.${f}`;
    const newbornUrl = urn();
    const mother = row['HO_TEN_NND'];
    const newborn: Patient = {
      resourceType: 'Patient',
      identifier: [ctx.identifier(`XML9/${n}`)],
      name: [{ use: 'official', ...personName(row['HO_TEN_CON'] ?? (mother ? `Con của ${mother}` : 'Trẻ sơ sinh')) }],
    };
    if (row['MA_THE_TAM']) newborn.identifier!.push({ system: IdentifierSystem.bhytCard, value: row['MA_THE_TAM'], use: 'temp' });
    const sex = ctx.convert(field('GIOI_TINH_CON'), row['GIOI_TINH_CON'], gender);
    if (sex) newborn.gender = sex;
    const born = ctx.convert(field('NGAY_SINH_CON'), row['NGAY_SINH_CON'], dateTime12);
    if (born) {
      newborn.birthDate = born.slice(0, 10);
      if (born.length > 10) newborn.extension = [{ url: XmlExtension.birthTime, valueDateTime: born }];
    }
    const place = ctx.exclusions.keep(row['NOI_SINH_CON']);
    if (place) (newborn.extension ??= []).push({ url: XmlExtension.birthPlace, valueAddress: { text: place } });
    const count = decimal(row['SO_CON'] ?? '');
    if (count !== undefined && count > 1) newborn.multipleBirthInteger = n;
    newborn.contact = [];
    if (mother) newborn.contact.push({ relationship: role('MTH', 'Mẹ'), name: personName(mother) });
    if (row['HO_TEN_CHA']) newborn.contact.push({ relationship: role('FTH', 'Cha'), name: personName(row['HO_TEN_CHA']) });
    if (newborn.contact.length === 0) delete newborn.contact;
    entries.push({ fullUrl: newbornUrl, resource: newborn });

    if (mother) {
      const related: RelatedPerson = {
        resourceType: 'RelatedPerson',
        identifier: [ctx.identifier(`XML9/${n}/ME`)],
        patient: { reference: newbornUrl },
        relationship: role('MTH', 'Mẹ hoặc người nuôi dưỡng'),
        name: [personName(mother)],
      };
      const ids = related.identifier!;
      const cccd = row['SO_CCCD_NND'];
      if (cccd && /^\d{12}$/.test(cccd)) ids.push({ system: IdentifierSystem.cccd, value: cccd });
      else if (cccd && /^\d{9}$/.test(cccd)) ids.push({ system: IdentifierSystem.cmnd, value: cccd });
      if (row['MA_BHXH_NND']) ids.push({ system: IdentifierSystem.bhxh, value: row['MA_BHXH_NND'] });
      if (row['MA_THE_NND']) ids.push({ system: IdentifierSystem.bhytCard, value: row['MA_THE_NND'] });
      const birth = ctx.convert(field('NGAYSINH_NND'), row['NGAYSINH_NND'], date8);
      if (birth) related.birthDate = birth;
      const address = ctx.exclusions.keep(row['NOI_CU_TRU_NND']);
      if (address || row['MAXA_CU_TRU']) {
        related.address = [{ text: address }];
        if (row['MAXA_CU_TRU']) related.address[0]!.extension = [{ url: Extension.addressCommune, valueCode: row['MAXA_CU_TRU'] }];
        if (!address) delete related.address[0]!.text;
      }
      entries.push({ fullUrl: urn(), resource: related });
    }

    const grams = decimal(row['CAN_NANG_CON'] ?? '');
    if (grams !== undefined) {
      const weight: Observation = {
        resourceType: 'Observation',
        identifier: [ctx.identifier(`XML9/${n}/CAN_NANG`)],
        status: 'final',
        category: [{ coding: [{ system: CodeSystem.observationCategory, code: 'vital-signs' }] }],
        code: { coding: [{ system: CodeSystem.loinc, code: Loinc.birthWeight, display: 'Birth weight Measured' }], text: 'Cân nặng khi sinh' },
        subject: { reference: newbornUrl },
        encounter: ctx.encounter,
        valueQuantity: { value: grams, unit: 'g', system: CodeSystem.ucum, code: 'g' },
      };
      if (born) weight.effectiveDateTime = born;
      entries.push({ fullUrl: urn(), resource: weight });
    }
  });
  return entries;
}
