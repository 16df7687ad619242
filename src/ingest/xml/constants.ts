// URIs and fixed codes the XML 4210/130 adapter writes that src/fhir/systems.ts does not (yet)
// define. Each is HSSK's own (under HSSK_CANONICAL) unless it names a published system; they are
// listed in docs/integration/xml-4210-130.md so they can move to systems.ts once others use them.
import { HSSK_CANONICAL } from '../../fhir/systems.ts';

/** A facility's own patient number (MA_BN): only unique within that facility, hence one system
 *  per facility, like episodes — so identity matching never links two facilities' numbers. */
export function patientNumberSystem(facilityCode: string): string {
  return `${HSSK_CANONICAL}/sid/ma-bn/${facilityCode}`;
}

/** A facility's medical-record number (MA_HSBA) of an episode. */
export function medicalRecordNumberSystem(facilityCode: string): string {
  return `${HSSK_CANONICAL}/sid/ma-hsba/${facilityCode}`;
}

export const XmlSystem = {
  /** Nationality codes of TT 07/2016/TT-BCA Phụ lục 2 (MA_QUOCTICH). */
  nationality: `${HSSK_CANONICAL}/CodeSystem/quoc-tich`,
  /** Route codes of the Ministry's shared code list (DUONG_DUNG, e.g. 1.01 = uống). */
  route: `${HSSK_CANONICAL}/CodeSystem/duong-dung`,
  /** Drug registration numbers (SO_DANG_KY) as a second coding of the drug. */
  drugRegistration: `${HSSK_CANONICAL}/CodeSystem/so-dang-ky-thuoc`,
  /** Medical supplies (MA_VAT_TU, XML3). */
  supplyCode: `${HSSK_CANONICAL}/CodeSystem/ma-vat-tu`,
  /** Traditional-medicine diagnosis codes (MA_BENH_YHCT). */
  traditionalDiagnosis: `${HSSK_CANONICAL}/CodeSystem/ma-benh-yhct`,
  /** ICD-9-CM procedure codes (MA_PTTT_QT, QĐ 4440/QĐ-BYT). Published HL7 system. */
  icd9cm: 'http://hl7.org/fhir/sid/icd-9-cm',
  /** KET_QUA_DTRI: treatment outcome (1 Khỏi … 8 Tử vong ngoại viện). */
  treatmentOutcome: `${HSSK_CANONICAL}/CodeSystem/ket-qua-dieu-tri`,
  /** MA_LOAI_RV (130) / TINH_TRANG_RV (4210): type of discharge, kept besides the HL7 code. */
  dischargeType: `${HSSK_CANONICAL}/CodeSystem/ma-loai-ra-vien`,
  /** MA_LYDO_CT (XML13): reason for referral. */
  referralReason: `${HSSK_CANONICAL}/CodeSystem/ly-do-chuyen-tuyen`,
  /** Names of XML fields, used as codes of Observation components and Composition sections that
   *  have no better standard code (code = field name, e.g. GIAI_DOAN_BENH). */
  xmlField: `${HSSK_CANONICAL}/CodeSystem/truong-xml-130`,
  /** XML12 disability type (DANG_KHUYETTAT) and level (MUC_DO_KHUYETTAT). */
  disabilityType: `${HSSK_CANONICAL}/CodeSystem/dang-khuyet-tat`,
  disabilityLevel: `${HSSK_CANONICAL}/CodeSystem/muc-do-khuyet-tat`,
  /** XML15 tuberculosis classifications and treatment codes (code = `${FIELD}-${value}`). */
  tuberculosis: `${HSSK_CANONICAL}/CodeSystem/quan-ly-lao`,
  /** MA_NHOM: cost group of an XML2/XML3 line (QĐ 5937/QĐ-BYT Phụ lục 3), as Procedure.category. */
  costGroup: `${HSSK_CANONICAL}/CodeSystem/ma-nhom-chi-phi`,
  /** Body-site codes of VI_TRI_TH_DVKT. */
  bodySite: `${HSSK_CANONICAL}/CodeSystem/vi-tri-co-the`,
  /** Analyser / imaging machine codes (MA_MAY), as Device identifiers. */
  machine: `${HSSK_CANONICAL}/sid/ma-may`,
  /** HL7 code systems used here and not in systems.ts. */
  dischargeDisposition: 'http://terminology.hl7.org/CodeSystem/discharge-disposition',
  coverageClass: 'http://terminology.hl7.org/CodeSystem/coverage-class',
  diagnosisRole: 'http://terminology.hl7.org/CodeSystem/diagnosis-role',
  v3ParticipationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  coverageType: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
} as const;

export const XmlExtension = {
  /** Episode outcome (KET_QUA_DTRI) on Encounter: R4 Encounter has no outcome element. */
  treatmentOutcome: `${HSSK_CANONICAL}/StructureDefinition/ket-qua-dieu-tri`,
  /** Costs of one XML2/XML3 line, as sub-extensions named by the XML field (valueDecimal). */
  cost: `${HSSK_CANONICAL}/StructureDefinition/chi-phi-xml`,
  /** Drug strength as printed (HAM_LUONG, free text such as "500mg"): R4 strength is a Ratio. */
  strength: `${HSSK_CANONICAL}/StructureDefinition/ham-luong`,
  /** Place of first registration on a BHYT card (MA_DKBD), on Coverage. */
  primaryCareFacility: `${HSSK_CANONICAL}/StructureDefinition/noi-dang-ky-kcb-ban-dau`,
  /** HL7 core extensions. */
  birthTime: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime',
  birthPlace: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
} as const;

/** LOINC codes this adapter writes (document types, section codes, vital signs). */
export const Loinc = {
  dischargeSummary: '18842-5',
  episodeSummary: '34133-9',
  admissionDiagnosis: '46241-6',
  dischargeDiagnosis: '11535-2',
  hospitalCourse: '8648-8',
  relevantResults: '30954-2',
  dischargeInstructions: '8653-8',
  chiefComplaint: '10154-3',
  medicationsUsed: '10160-0',
  plannedProcedures: '18776-5',
  bodyWeight: '29463-7',
  birthWeight: '8339-4',
  bloodGroup: '882-1',
} as const;

/** The facility that sent or treated: the Organization is found by identifier, not created here. */
export const BHXH_PAYOR_DISPLAY = 'Bảo hiểm xã hội Việt Nam';
