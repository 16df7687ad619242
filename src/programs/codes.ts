// Code systems and identifiers of the programme state (src/fhir/systems.ts holds the shared ones;
// these belong to the programmes and are documented in docs/programs.md).
import { HSSK_CANONICAL } from '../fhir/systems.ts';

export const ProgramSystem = {
  /** EpisodeOfCare.type: the programme (tcmr, hypertension, diabetes, pregnancy, …). */
  programme: `${HSSK_CANONICAL}/CodeSystem/chuong-trinh`,
  /** EPI vaccines (TCMR) — Immunization.vaccineCode. */
  vaccine: `${HSSK_CANONICAL}/CodeSystem/vac-xin-tcmr`,
  cvx: 'http://hl7.org/fhir/sid/cvx',
  /** ImmunizationRecommendation.recommendation.forecastStatus. */
  forecastStatus: 'http://terminology.hl7.org/CodeSystem/immunization-recommendation-status',
  /** Encounter.type of programme visits (QĐ 831 health check, antenatal visit, NCD follow-up). */
  visitType: `${HSSK_CANONICAL}/CodeSystem/loai-kham-chuong-trinh`,
  /** Flag.code of alerts raised for the commune station. */
  alert: `${HSSK_CANONICAL}/CodeSystem/canh-bao`,
  /** How a register membership came about (Condition, manual, centre list). */
  enrolmentSource: `${HSSK_CANONICAL}/CodeSystem/nguon-dang-ky`,
  /** Stable identifiers of centre-list rows (per centre). */
  centreList: `${HSSK_CANONICAL}/sid/danh-sach-trung-tam`,
} as const;

export const ProgramExtension = {
  /** The specialised centre (mã CSKCB) that referred the resident (B7). */
  referringCentre: `${HSSK_CANONICAL}/StructureDefinition/referring-centre`,
  /** Control status of a register member (controlled | uncontrolled | unknown). */
  controlStatus: `${HSSK_CANONICAL}/StructureDefinition/control-status`,
  /** Expected delivery date of a pregnancy episode. */
  expectedDelivery: `${HSSK_CANONICAL}/StructureDefinition/expected-delivery-date`,
} as const;

export const LOINC = {
  bodyWeight: '29463-7',
  bodyHeight: '8302-2',
  bodyLength: '8306-3',
  bpPanel: '85354-9',
  systolic: '8480-6',
  diastolic: '8462-4',
  expectedDelivery: '11778-8',
  lastMenstrualPeriod: '8665-2',
  hba1c: '4548-4',
} as const;

export const VISIT_TYPES = {
  healthCheck: { code: 'kham-suc-khoe-831', display: 'Khám sức khỏe định kỳ (QĐ 831/QĐ-BYT)' },
  antenatal: { code: 'kham-thai', display: 'Khám thai' },
  ncdFollowUp: { code: 'tai-kham-benh-man-tinh', display: 'Tái khám bệnh mạn tính' },
} as const;
