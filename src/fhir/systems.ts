// Every identifier system, code system and extension URL HSSK writes or reads, in one place.
// The Ministry of Health's draft Vietnam CORE IG (hl7.fhir.vn.core, canonical
// http://fhir.ehealth.gov.vn/core) is followed where it defines a system; where it is silent,
// HSSK defines its own under HSSK_CANONICAL. See docs/integration/identifiers.md.

/** Canonical base of the Vietnam CORE IG (draft, Cục CNTT – Bộ Y tế). */
export const VN_CORE = 'http://fhir.ehealth.gov.vn/core';
/** Canonical base of HSSK's own definitions. */
export const HSSK_CANONICAL = 'http://fhir.hssk.vn';

/** Identifier systems (NamingSystem). */
export const IdentifierSystem = {
  /** Căn cước công dân / số định danh cá nhân (12 digits). Vietnam CORE IG. */
  cccd: `${VN_CORE}/sid/national_id`,
  /** Chứng minh nhân dân (9 or 12 digits, no longer valid since 2025). Vietnam CORE IG. */
  cmnd: `${VN_CORE}/sid/citizen_id`,
  /** Mã thẻ BHYT (15 characters). Vietnam CORE IG. */
  bhytCard: `${VN_CORE}/sid/insurance_number`,
  /** Hộ chiếu. Vietnam CORE IG. */
  passport: `${VN_CORE}/sid/passport_number`,
  /** A facility's own patient number. Vietnam CORE IG. */
  patientInternalId: `${VN_CORE}/sid/patient-internal-id`,
  /** Chứng chỉ hành nghề of a health worker. Vietnam CORE IG. */
  practitionerLicense: `${VN_CORE}/sid/provider-medical-license-number`,
  /** Mã số BHXH (10 digits, lifelong; the number printed on BHYT cards since 2021). HSSK. */
  bhxh: `${HSSK_CANONICAL}/sid/ma-so-bhxh`,
  /** The resident ID HSSK issues (mã định danh HSSK, with a check digit). HSSK. */
  residentId: `${HSSK_CANONICAL}/sid/resident-id`,
  /** Mã cơ sở khám chữa bệnh (5 characters). HSSK. */
  facilityCode: `${HSSK_CANONICAL}/sid/ma-cskcb`,
  /** Household id (mã hộ) of the household registry. HSSK. */
  household: `${HSSK_CANONICAL}/sid/ma-ho`,
  /** Administrative unit code (GSO). HSSK. */
  adminUnit: `${HSSK_CANONICAL}/sid/don-vi-hanh-chinh`,
} as const;

/** Identifier system of a facility's treatment episodes (MA_LK): one system per facility. */
export function episodeIdentifierSystem(facilityCode: string): string {
  return `${HSSK_CANONICAL}/sid/ma-lk/${facilityCode}`;
}

/** Code systems. */
export const CodeSystem = {
  /** ICD-10 as published by QĐ 4469/QĐ-BYT (Vietnamese names). */
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  /** Administrative units after 1 July 2025 (province → commune), GSO codes. HSSK. */
  adminUnit2025: `${HSSK_CANONICAL}/CodeSystem/don-vi-hanh-chinh-2025`,
  /** Administrative units before 1 July 2025 (province → district → commune), GSO codes. HSSK. */
  adminUnitPre2025: `${HSSK_CANONICAL}/CodeSystem/don-vi-hanh-chinh-truoc-2025`,
  /** 54 ethnic groups, QĐ 121-TCTK/PPCĐ. HSSK. */
  ethnicity: `${HSSK_CANONICAL}/CodeSystem/dan-toc`,
  /** Occupations, QĐ 34/2020/QĐ-TTg. HSSK. */
  occupation: `${HSSK_CANONICAL}/CodeSystem/nghe-nghiep`,
  /** Resident groups of MISSION A4. HSSK. */
  residentGroup: `${HSSK_CANONICAL}/CodeSystem/nhom-doi-tuong`,
  /** Facility types (hospital, commune health station, …). HSSK. */
  facilityType: `${HSSK_CANONICAL}/CodeSystem/loai-co-so`,
  /** MA_LOAI_KCB, type of care of an episode (QĐ 130 / QĐ 4210). HSSK. */
  careType: `${HSSK_CANONICAL}/CodeSystem/ma-loai-kcb`,
  /** Local drug, service and lab codes of the Ministry's lists (XML2–XML4). HSSK. */
  drugCode: `${HSSK_CANONICAL}/CodeSystem/ma-thuoc`,
  serviceCode: `${HSSK_CANONICAL}/CodeSystem/ma-dich-vu`,
  labIndicator: `${HSSK_CANONICAL}/CodeSystem/ma-chi-so`,
  /** Department codes (MA_KHOA). HSSK. */
  department: `${HSSK_CANONICAL}/CodeSystem/ma-khoa`,
  /** Relationship to the head of household (quan hệ với chủ hộ). HSSK. */
  householdRelationship: `${HSSK_CANONICAL}/CodeSystem/quan-he-chu-ho`,
  /** HL7 v3 role codes (family relationships). */
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
} as const;

/** Extensions. */
export const Extension = {
  /** Ethnic group (dân tộc) of a Patient. */
  ethnicity: `${HSSK_CANONICAL}/StructureDefinition/dan-toc`,
  /** Occupation (nghề nghiệp) of a Patient. */
  occupation: `${HSSK_CANONICAL}/StructureDefinition/nghe-nghiep`,
  /** Nationality, HL7 core extension. */
  nationality: 'http://hl7.org/fhir/StructureDefinition/patient-nationality',
  /** Religion, HL7 core extension. */
  religion: 'http://hl7.org/fhir/StructureDefinition/patient-religion',
  /** Administrative unit codes on an Address: commune (2025 code) and, when given, the old code. */
  addressCommune: `${HSSK_CANONICAL}/StructureDefinition/address-commune`,
  addressCommuneOld: `${HSSK_CANONICAL}/StructureDefinition/address-commune-old`,
  addressProvince: `${HSSK_CANONICAL}/StructureDefinition/address-province`,
  /** Resident groups (A4) computed for a Patient. */
  residentGroup: `${HSSK_CANONICAL}/StructureDefinition/resident-group`,
  /** Verification against the national population database (A6): date and result. */
  populationVerification: `${HSSK_CANONICAL}/StructureDefinition/population-verification`,
  /** Which province an instance received a record from (hub mode). */
  sourceProvince: `${HSSK_CANONICAL}/StructureDefinition/source-province`,
  /**
   * On a Patient's ContactPoint or Address: the entry is the resident's own statement (C5), not
   * a facility's; valueReference names the Patient whose account reported it.
   */
  selfReported: `${HSSK_CANONICAL}/StructureDefinition/self-reported`,
  /**
   * On a self-reported Address: the commune the resident named (2025 code). Deliberately not
   * address-commune, so a resident's statement never moves their record to another commune's
   * health workers, registers or reports until a facility records it.
   */
  selfReportedCommune: `${HSSK_CANONICAL}/StructureDefinition/self-reported-commune`,
} as const;

/** Tags HSSK puts in meta.tag. */
export const Tag = {
  /** Marks the demo data set loaded by `npm start` on first run. */
  demo: { system: `${HSSK_CANONICAL}/CodeSystem/tag`, code: 'demo', display: 'Dữ liệu mẫu (demo)' },
  /** A resident's own statement (C5), written with their token; set by the server, never trusted from the client. */
  selfReported: { system: `${HSSK_CANONICAL}/CodeSystem/tag`, code: 'self-reported', display: 'Người dân tự khai báo' },
} as const;
