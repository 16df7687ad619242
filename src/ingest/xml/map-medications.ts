// XML2 → MedicationRequest (the order: NGAY_YL, prescriber, dosage) + MedicationDispense (what was
// actually given or handed over: quantity, NGAY_TH_YL). Antiretrovirals and opioid-substitution
// medicines (B8) are dropped whole, before anything is built.
import type { CodeableConcept, Dosage, MedicationDispense, MedicationRequest } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { XmlExtension, XmlSystem } from './constants.ts';
import { applyRules, urn, type DroppedField, type EpisodeContext, type FieldRule } from './context.ts';
import { dateTime12, decimal, listValues } from './convert.ts';
import type { XmlRecord } from './inner.ts';
import { costExtension } from './map-costs.ts';
import { reasonCodes } from './map-conditions.ts';

/** What both resources share, built first from the row. */
interface DrugLine {
  request: MedicationRequest;
  dosage: Dosage;
}

function medication(line: DrugLine): CodeableConcept {
  return (line.request.medicationCodeableConcept ??= {});
}

export const medicationRules: readonly FieldRule<DrugLine>[] = [
  { field: 'MA_THUOC', fhir: 'MedicationRequest/Dispense.medicationCodeableConcept.coding (ma-thuoc)', apply: (l, v) => void (medication(l).coding ??= []).unshift({ system: CodeSystem.drugCode, code: v }) },
  {
    field: 'TEN_THUOC',
    fhir: 'medicationCodeableConcept.text and coding.display',
    apply: (l, v) => {
      const m = medication(l);
      m.text = v;
      const first = m.coding?.[0];
      if (first?.system === CodeSystem.drugCode) first.display = v;
    },
  },
  { field: 'SO_DANG_KY', fhir: 'medicationCodeableConcept.coding (so-dang-ky-thuoc)', apply: (l, v) => void (medication(l).coding ??= []).push({ system: XmlSystem.drugRegistration, code: v }) },
  { field: 'HAM_LUONG', fhir: 'MedicationRequest.extension[ham-luong] (text as printed)', apply: (l, v) => void (l.request.extension ??= []).push({ url: XmlExtension.strength, valueString: v }) },
  { field: 'DUONG_DUNG', fhir: 'dosageInstruction.route (duong-dung)', apply: (l, v) => void (l.dosage.route = { coding: [{ system: XmlSystem.route, code: v }] }) },
  { field: 'DANG_BAO_CHE', fhir: 'dosageInstruction.method.text (dạng bào chế)', apply: (l, v) => void (l.dosage.method = { text: v }) },
  { field: 'LIEU_DUNG', fhir: 'dosageInstruction.text', apply: (l, v) => void (l.dosage.text = v) },
  { field: 'CACH_DUNG', fhir: 'dosageInstruction.patientInstruction', apply: (l, v) => void (l.dosage.patientInstruction = v) },
  {
    field: 'SO_LUONG',
    fhir: 'MedicationRequest.dispenseRequest.quantity, MedicationDispense.quantity (unit DON_VI_TINH)',
    apply: (l, v, { record }) => {
      const n = decimal(v);
      if (n !== undefined) l.request.dispenseRequest = { quantity: { value: n, unit: record['DON_VI_TINH'] } };
    },
  },
  { field: 'NGAY_YL', fhir: 'MedicationRequest.authoredOn', apply: (l, v, { ctx, field }) => void (l.request.authoredOn = ctx.convert(field, v, dateTime12)) },
  {
    field: 'MA_BAC_SI',
    fhir: 'MedicationRequest.requester (Practitioner by CCHN)',
    apply: (l, v, { ctx }) => {
      const first = listValues(v)[0];
      if (first) l.request.requester = ctx.practitioner(first);
    },
  },
  { field: 'MA_BENH', fhir: 'MedicationRequest.reasonCode (ICD-10, excluded codes dropped)', apply: (l, v, { ctx, field }) => void (l.request.reasonCode = reasonCodes(v, field, ctx)) },
  {
    field: 'MA_KHOA',
    fhir: 'MedicationRequest.category.coding (ma-khoa of the ordering department)',
    apply: (l, v) => void (l.request.category = [{ coding: [{ system: CodeSystem.department, code: listValues(v)[0] ?? v }] }]),
  },
];

export const medicationDropped: readonly DroppedField[] = [
  { field: 'DON_VI_TINH', reason: 'Đơn vị của SO_LUONG (quantity.unit).' },
  { field: 'NGAY_TH_YL', reason: 'MedicationDispense.whenHandedOver.' },
  { field: 'DON_GIA … T_BHTT, PHAM_VI, MA_PTTT, NGUON_CTRA, TT_THAU, MA_NHOM', reason: 'Chi phí: extension chi-phi-xml (xem map-costs.ts).' },
  { field: 'MA_PP_CHEBIEN, MA_CSKCB_THUOC, MA_DICH_VU, VET_THUONG_TP, DU_PHONG, STT', reason: 'Thông tin thanh toán/quản lý; STT làm định danh.' },
];

export function mapMedications(rows: readonly XmlRecord[], ctx: EpisodeContext): AdaptedEntry[] {
  const entries: AdaptedEntry[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (ctx.exclusions.medication(row['MA_THUOC'], row['TEN_THUOC'])) return;
    if (ctx.exclusions.text(row['TEN_THUOC'], row['LIEU_DUNG'], row['CACH_DUNG'])) return;
    const key = uniqueKey(row['STT'], i, seen);
    const dosage: Dosage = {};
    const request: MedicationRequest = {
      resourceType: 'MedicationRequest',
      identifier: [ctx.identifier(`XML2/${key}`)],
      status: 'completed',
      intent: 'order',
      subject: ctx.patient,
      encounter: ctx.encounter,
    } as MedicationRequest;
    applyRules(medicationRules, 'XML2', row, { request, dosage }, ctx);
    request.medicationCodeableConcept ??= { text: 'Thuốc không rõ tên' };
    if (Object.keys(dosage).length) request.dosageInstruction = [dosage];
    if (request.reasonCode?.length === 0) delete request.reasonCode;
    const cost = costExtension(row);
    if (cost) (request.extension ??= []).push(cost);
    const requestUrl = urn();
    entries.push({ fullUrl: requestUrl, resource: request });

    const dispense: MedicationDispense = {
      resourceType: 'MedicationDispense',
      identifier: [ctx.identifier(`XML2/${key}/cap-phat`)],
      status: 'completed',
      medicationCodeableConcept: request.medicationCodeableConcept,
      subject: ctx.patient,
      context: ctx.encounter,
      authorizingPrescription: [{ reference: requestUrl }],
      quantity: request.dispenseRequest?.quantity,
      whenHandedOver: ctx.convert('XML2.NGAY_TH_YL', row['NGAY_TH_YL'], dateTime12) ?? request.authoredOn,
      dosageInstruction: request.dosageInstruction,
    };
    entries.push({ fullUrl: urn(), resource: dropUndefined(dispense) });
  });
  return entries;
}

/** STT, or the row number when STT is missing or repeated, so identifiers stay unique. */
export function uniqueKey(stt: string | undefined, index: number, seen: Set<string>): string {
  let key = stt && !seen.has(stt) ? stt : `dong-${index + 1}`;
  while (seen.has(key)) key = `${key}-${index + 1}`;
  seen.add(key);
  return key;
}

export function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
