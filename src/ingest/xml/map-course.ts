// XML5 → clinical course. No ClinicalImpression: each XML5 row becomes an Observation (LOINC 8648-8
// "Hospital course", valueString = DIEN_BIEN_LS) with the stage, consultation and operation notes
// as components, and the episode Composition lists them in its "Diễn biến lâm sàng" section.
// A text that mentions an excluded category is dropped (the row whole if it is the course itself).
import type { Observation, ObservationComponent } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { Loinc, XmlSystem } from './constants.ts';
import { urn, type EpisodeContext } from './context.ts';
import { dateTime12, listValues } from './convert.ts';
import type { XmlRecord } from './inner.ts';
import { uniqueKey } from './map-medications.ts';

/** Narrative fields of XML5 (4210: DIEN_BIEN) → where they go. */
export const courseFields = [
  { field: 'DIEN_BIEN_LS', alias: 'DIEN_BIEN', fhir: 'Observation.valueString' },
  { field: 'GIAI_DOAN_BENH', fhir: 'Observation.component[GIAI_DOAN_BENH].valueString' },
  { field: 'HOI_CHAN', fhir: 'Observation.component[HOI_CHAN].valueString' },
  { field: 'PHAU_THUAT', fhir: 'Observation.component[PHAU_THUAT].valueString' },
  { field: 'THOI_DIEM_DBLS', alias: 'NGAY_YL', fhir: 'Observation.effectiveDateTime' },
  { field: 'NGUOI_THUC_HIEN', fhir: 'Observation.performer (Practitioner)' },
] as const;

const COMPONENTS: readonly [field: string, label: string][] = [
  ['GIAI_DOAN_BENH', 'Giai đoạn bệnh'],
  ['HOI_CHAN', 'Kết quả hội chẩn'],
  ['PHAU_THUAT', 'Cách thức phẫu thuật, thủ thuật'],
];

export function mapCourse(rows: readonly XmlRecord[], ctx: EpisodeContext): AdaptedEntry[] {
  const entries: AdaptedEntry[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    const course = ctx.exclusions.keep(row['DIEN_BIEN_LS'] ?? row['DIEN_BIEN']);
    const components: ObservationComponent[] = [];
    for (const [field, label] of COMPONENTS) {
      const text = ctx.exclusions.keep(row[field]);
      if (text) components.push({ code: { coding: [{ system: XmlSystem.xmlField, code: field, display: label }], text: label }, valueString: text });
    }
    if (!course && components.length === 0) return;
    const key = uniqueKey(row['STT'], i, seen);
    const time = row['THOI_DIEM_DBLS'] ?? row['NGAY_YL'];
    const observation: Observation = {
      resourceType: 'Observation',
      identifier: [ctx.identifier(`XML5/${key}`)],
      status: 'final',
      category: [{ coding: [{ system: CodeSystem.observationCategory, code: 'exam' }] }],
      code: { coding: [{ system: CodeSystem.loinc, code: Loinc.hospitalCourse, display: 'Hospital course Narrative' }], text: 'Diễn biến lâm sàng' },
      subject: ctx.patient,
      encounter: ctx.encounter,
      effectiveDateTime: ctx.convert(row['THOI_DIEM_DBLS'] ? 'XML5.THOI_DIEM_DBLS' : 'XML5.NGAY_YL', time, dateTime12),
    };
    if (!observation.effectiveDateTime) delete observation.effectiveDateTime;
    if (course) observation.valueString = course;
    if (components.length) observation.component = components;
    const performers = listValues(row['NGUOI_THUC_HIEN']).map((c) => ctx.practitioner(c));
    if (performers.length) observation.performer = performers;
    entries.push({ fullUrl: urn(), resource: observation });
  });
  return entries;
}
