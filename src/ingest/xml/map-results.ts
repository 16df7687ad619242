// XML4 → Observation per indicator (MA_CHI_SO), grouped into one DiagnosticReport per service
// (MA_DICH_VU), which the XML3 Procedure of that service points to (Procedure.report). Results
// that mention an excluded category (an HIV test, a drug screen) are dropped whole (B8).
import type { DiagnosticReport, Observation, Procedure, Reference } from '@medplum/fhirtypes';
import { foldVietnamese } from '../../fhir/fold.ts';
import { CodeSystem } from '../../fhir/systems.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { XmlSystem } from './constants.ts';
import { applyRules, urn, type DroppedField, type EpisodeContext, type FieldRule } from './context.ts';
import { dateTime12, decimal, listValues } from './convert.ts';
import type { XmlRecord } from './inner.ts';
import { dropUndefined, uniqueKey } from './map-medications.ts';

/** LOINC for the commonest indicators, by words of TEN_CHI_SO (diacritics and case folded): the
 *  Ministry's MA_CHI_SO list (QĐ 7603 PL11 / QĐ 1227/2025) carries no LOINC. First match wins. */
export const LOINC_BY_NAME: readonly { words: string; loinc: string; display: string }[] = [
  { words: 'hba1c', loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' },
  { words: 'glucose', loinc: '2345-7', display: 'Glucose [Mass or Moles/volume] in Serum or Plasma' },
  { words: 'creatinin', loinc: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma' },
  { words: 'ure', loinc: '3094-0', display: 'Urea nitrogen [Mass/volume] in Serum or Plasma' },
  { words: 'cholesterol toan phan', loinc: '2093-3', display: 'Cholesterol [Mass/volume] in Serum or Plasma' },
  { words: 'triglycerid', loinc: '2571-8', display: 'Triglyceride [Mass/volume] in Serum or Plasma' },
  { words: 'hdl', loinc: '2085-9', display: 'HDL Cholesterol' },
  { words: 'ldl', loinc: '13457-7', display: 'LDL Cholesterol (calculated)' },
  { words: 'ast', loinc: '1920-8', display: 'AST [Enzymatic activity/volume] in Serum or Plasma' },
  { words: 'alt', loinc: '1742-6', display: 'ALT [Enzymatic activity/volume] in Serum or Plasma' },
  { words: 'huyet sac to', loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' },
  { words: 'hemoglobin', loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' },
  { words: 'bach cau', loinc: '6690-2', display: 'Leukocytes [#/volume] in Blood' },
  { words: 'hong cau', loinc: '789-8', display: 'Erythrocytes [#/volume] in Blood' },
  { words: 'tieu cau', loinc: '777-3', display: 'Platelets [#/volume] in Blood' },
  { words: 'hematocrit', loinc: '4544-3', display: 'Hematocrit [Volume Fraction] of Blood' },
];

/** Units of DON_VI_DO that have a UCUM code. */
const UCUM: Record<string, string> = {
  'mmol/l': 'mmol/L', 'umol/l': 'umol/L', 'µmol/l': 'umol/L', 'μmol/l': 'umol/L', 'g/l': 'g/L', 'mg/dl': 'mg/dL', 'g/dl': 'g/dL',
  '%': '%', 'u/l': 'U/L', 'g/l ': 'g/L', 'l/l': 'L/L', 'fl': 'fL', 'pg': 'pg', 'g/l.': 'g/L',
  'g/l(10^9/l)': '10*9/L', 'g/l*': '10*9/L', 'giga/l': '10*9/L', 't/l': '10*12/L', 'tera/l': '10*12/L', 'mmhg': 'mm[Hg]', 'kg': 'kg', 'cm': 'cm',
};

function loincFor(name: string | undefined): { loinc: string; display: string } | undefined {
  if (!name) return undefined;
  const folded = ` ${foldVietnamese(name).replace(/[^a-z0-9]+/g, ' ')} `;
  return LOINC_BY_NAME.find((e) => folded.includes(` ${e.words} `));
}

export const resultRules: readonly FieldRule<Observation>[] = [
  {
    field: 'MA_CHI_SO',
    fhir: 'Observation.code.coding (ma-chi-so) + LOINC when the name is known',
    apply: (o, v, { record }) => {
      const name = record['TEN_CHI_SO'];
      o.code = { coding: [{ system: CodeSystem.labIndicator, code: v, display: name }], text: name };
      const loinc = loincFor(name);
      if (loinc) o.code.coding!.push({ system: CodeSystem.loinc, code: loinc.loinc, display: loinc.display });
    },
  },
  { field: 'TEN_CHI_SO', fhir: 'Observation.code.text', apply: (o, v) => void ((o.code ??= {}).text ??= v) },
  {
    field: 'GIA_TRI',
    fhir: 'Observation.valueQuantity (numeric, unit DON_VI_DO, UCUM when known) else valueString',
    apply: (o, v, { record }) => {
      const n = decimal(v);
      const unit = record['DON_VI_DO'];
      if (n === undefined) {
        o.valueString = v;
        return;
      }
      const ucum = unit ? UCUM[unit.toLowerCase()] : undefined;
      o.valueQuantity = dropUndefined({ value: n, unit, system: ucum ? CodeSystem.ucum : undefined, code: ucum });
    },
  },
  { field: 'MA_MAY', fhir: 'Observation.device (display = machine code)', apply: (o, v) => void (o.device = { display: v, identifier: { system: XmlSystem.machine, value: v } }) },
  { field: 'MO_TA', fhir: 'Observation.note', apply: (o, v) => void (o.note = [{ text: v }]) },
  { field: 'KET_LUAN', fhir: 'Observation.interpretation.text; DiagnosticReport.conclusion', apply: (o, v) => void (o.interpretation = [{ text: v }]) },
  { field: 'NGAY_KQ', fhir: 'Observation.effectiveDateTime; DiagnosticReport.issued', apply: (o, v, { ctx, field }) => void (o.effectiveDateTime = ctx.convert(field, v, dateTime12)) },
  {
    field: 'MA_BS_DOC_KQ',
    fhir: 'Observation.performer (Practitioner)',
    apply: (o, v, { ctx }) => void (o.performer = listValues(v).map((c) => ctx.practitioner(c))),
  },
];

export const resultDropped: readonly DroppedField[] = [
  { field: 'DON_VI_DO', reason: 'Đơn vị của GIA_TRI (valueQuantity.unit).' },
  { field: 'MA_DICH_VU', reason: 'Nhóm kết quả thành DiagnosticReport (code = dịch vụ).' },
  { field: 'STT, DU_PHONG', reason: 'STT làm định danh.' },
];

export function mapResults(rows: readonly XmlRecord[], procedures: Map<string, Procedure>, ctx: EpisodeContext): AdaptedEntry[] {
  const entries: AdaptedEntry[] = [];
  const groups = new Map<string, { results: Reference<Observation>[]; conclusions: string[]; issued?: string; names: Set<string> }>();
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (ctx.exclusions.text(row['TEN_CHI_SO'], row['GIA_TRI'], row['MO_TA'], row['KET_LUAN'])) return;
    const key = uniqueKey(row['STT'], i, seen);
    const observation: Observation = {
      resourceType: 'Observation',
      identifier: [ctx.identifier(`XML4/${key}`)],
      status: 'final',
      category: [{ coding: [{ system: CodeSystem.observationCategory, code: row['GIA_TRI'] === undefined && row['MO_TA'] ? 'imaging' : 'laboratory' }] }],
      code: { text: 'Chỉ số cận lâm sàng' },
      subject: ctx.patient,
      encounter: ctx.encounter,
    };
    applyRules(resultRules, 'XML4', row, observation, ctx);
    const fullUrl = urn();
    entries.push({ fullUrl, resource: observation });
    const service = row['MA_DICH_VU'] ?? '';
    const group = groups.get(service) ?? { results: [], conclusions: [], names: new Set<string>() };
    group.results.push({ reference: fullUrl });
    const conclusion = row['KET_LUAN'];
    if (conclusion && !group.conclusions.includes(conclusion)) group.conclusions.push(conclusion);
    if (observation.effectiveDateTime && (!group.issued || observation.effectiveDateTime > group.issued)) group.issued = observation.effectiveDateTime;
    groups.set(service, group);
  });
  for (const [service, group] of groups) {
    const procedure = procedures.get(service);
    const name = procedure?.code?.text;
    const report: DiagnosticReport = {
      resourceType: 'DiagnosticReport',
      identifier: [ctx.identifier(`XML4/DV/${service || 'khac'}`)],
      status: 'final',
      code: service
        ? { coding: [{ system: CodeSystem.serviceCode, code: service, display: name }], text: name ?? `Dịch vụ cận lâm sàng ${service}` }
        : { text: 'Kết quả cận lâm sàng' },
      subject: ctx.patient,
      encounter: ctx.encounter,
      issued: group.issued?.length === 25 ? group.issued : undefined,
      effectiveDateTime: group.issued,
      performer: [ctx.organization()],
      result: group.results,
      conclusion: group.conclusions.join('; ') || undefined,
    };
    const fullUrl = urn();
    entries.push({ fullUrl, resource: dropUndefined(report) });
    if (procedure) (procedure.report ??= []).push({ reference: fullUrl });
  }
  return entries;
}
