// XML1 diagnoses → Condition: MA_BENH_CHINH (4210: MA_BENH) is the main one, MA_BENH_KT
// (4210: MA_BENHKHAC) the `;`-separated secondary ones, MA_BENH_YHCT traditional-medicine codes.
// Codes in an excluded category (B8) are dropped with their text, before anything is built.
import type { CodeableConcept, Condition, Encounter } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import { icd10 } from '../../province/icd10.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { XmlSystem } from './constants.ts';
import { urn, type EpisodeContext } from './context.ts';
import { dateTime12, listValues, normaliseIcd10, splitList } from './convert.ts';
import type { XmlRecord } from './inner.ts';

export const conditionFields = [
  { field: 'MA_BENH_CHINH', alias: 'MA_BENH', fhir: 'Condition.code (ICD-10, A090 → A09.0), Encounter.diagnosis rank 1' },
  { field: 'MA_BENH_KT', alias: 'MA_BENHKHAC', fhir: 'Condition.code, one per code, Encounter.diagnosis rank 2…' },
  { field: 'MA_BENH_YHCT', fhir: 'Condition.code (ma-benh-yhct)' },
  { field: 'CHAN_DOAN_RV', alias: 'TEN_BENH', fhir: 'Condition.code.text (split on ";" when it lines up with the codes, else all on the main one)' },
  { field: 'CHAN_DOAN_VAO', fhir: 'Condition.note of the main diagnosis ("Chẩn đoán vào viện: …")' },
  { field: 'KET_QUA_DTRI', fhir: 'Condition.clinicalStatus of the main diagnosis (1 Khỏi → resolved, else active)' },
] as const;

/**
 * An ICD-10 code as a CodeableConcept, with the Vietnamese name of QĐ 4469 as display. Decision
 * (docs/integration/xml-4210-130.md): a code that is not ICD-10-shaped is left out with a warning
 * (undefined), and rejects the episode when it is the main diagnosis (`required`); a well-formed
 * code missing from the Ministry's list is kept as sent, with a warning — the list lags new codes
 * and the facility's diagnosis is still the diagnosis.
 */
export function icd10Concept(raw: string, field: string, ctx: EpisodeContext, text?: string, required = false): CodeableConcept | undefined {
  const code = normaliseIcd10(raw);
  if (code === undefined) {
    if (required) ctx.reject(field, `${field}: "${raw.slice(0, 20)}" không phải mã ICD-10 (một chữ cái, hai chữ số, tối đa hai chữ số sau dấu chấm).`);
    else ctx.warnings.push(`${field}: "${raw.slice(0, 20)}" không phải mã ICD-10; bỏ qua.`);
    return undefined;
  }
  const known = icd10(code);
  const warning = `${field}: mã ${code} không có trong danh mục ICD-10 (QĐ 4469/QĐ-BYT); vẫn lưu như cơ sở gửi.`;
  if (!known && !ctx.warnings.includes(warning)) ctx.warnings.push(warning);
  return { coding: [{ system: CodeSystem.icd10, code, ...(known ? { display: known.nameVi } : {}) }], text };
}

/** ICD-10 codes of a `;`-separated field, excluded ones dropped and counted. */
export function reasonCodes(raw: string | undefined, field: string, ctx: EpisodeContext): CodeableConcept[] {
  const out: CodeableConcept[] = [];
  for (const code of listValues(raw)) {
    if (ctx.exclusions.diagnosis(code)) continue;
    const c = icd10Concept(code, field, ctx);
    if (c) out.push(c);
  }
  return out;
}

interface Diagnosis {
  code: string;
  field: string;
  system: 'icd10' | 'yhct';
  text?: string;
}

export function mapConditions(xml1: XmlRecord, encounter: Encounter, ctx: EpisodeContext): AdaptedEntry[] {
  const main = xml1['MA_BENH_CHINH'] ?? xml1['MA_BENH'];
  const mainField = xml1['MA_BENH_CHINH'] !== undefined ? 'XML1.MA_BENH_CHINH' : 'XML1.MA_BENH';
  const secondary = listValues(xml1['MA_BENH_KT'] ?? xml1['MA_BENHKHAC']);
  const secondaryField = xml1['MA_BENH_KT'] !== undefined ? 'XML1.MA_BENH_KT' : 'XML1.MA_BENHKHAC';
  const texts = splitList(xml1['CHAN_DOAN_RV'] ?? xml1['TEN_BENH']);
  const aligned = main !== undefined && texts.length === 1 + secondary.length;

  const diagnoses: Diagnosis[] = [];
  if (main !== undefined) diagnoses.push({ code: main, field: mainField, system: 'icd10', text: aligned ? texts[0] : texts.join('; ') || undefined });
  secondary.forEach((code, i) => diagnoses.push({ code, field: `${secondaryField}/${i + 1}`, system: 'icd10', text: aligned ? texts[i + 1] : undefined }));
  listValues(xml1['MA_BENH_YHCT']).forEach((code, i) => diagnoses.push({ code, field: `XML1.MA_BENH_YHCT/${i + 1}`, system: 'yhct' }));

  const recorded = ctx.convert('XML1.NGAY_RA', xml1['NGAY_RA'], dateTime12);
  const admission = xml1['CHAN_DOAN_VAO'];
  const outcome = xml1['KET_QUA_DTRI'];
  const entries: AdaptedEntry[] = [];
  diagnoses.forEach((d, rank) => {
    if (ctx.exclusions.diagnosis(d.code)) return;
    const text = ctx.exclusions.keep(d.text);
    const code: CodeableConcept | undefined =
      d.system === 'icd10' ? icd10Concept(d.code, d.field, ctx, text, d.field === mainField) : { coding: [{ system: XmlSystem.traditionalDiagnosis, code: d.code }], text };
    if (!code) return;
    const isMain = rank === 0 && d.field === mainField;
    const condition: Condition = {
      resourceType: 'Condition',
      identifier: [ctx.identifier(d.field.replace('.', '/'))],
      clinicalStatus: {
        coding: [{ system: CodeSystem.conditionClinical, code: isMain && outcome === '1' ? 'resolved' : 'active' }],
      },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
      category: [{ coding: [{ system: CodeSystem.conditionCategory, code: 'encounter-diagnosis', display: 'Encounter Diagnosis' }] }],
      code,
      subject: ctx.patient,
      encounter: ctx.encounter,
      recordedDate: recorded,
    };
    if (isMain) {
      const note = ctx.exclusions.keep(admission);
      if (note) condition.note = [{ text: `Chẩn đoán vào viện: ${note}` }];
    }
    const fullUrl = urn();
    (encounter.diagnosis ??= []).push({
      condition: { reference: fullUrl },
      use: { coding: [{ system: XmlSystem.diagnosisRole, code: 'DD', display: 'Discharge diagnosis' }] },
      rank: rank + 1,
    });
    entries.push({ fullUrl, resource: condition });
  });
  return entries;
}
