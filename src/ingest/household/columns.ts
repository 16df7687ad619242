// The household import format (issue 3, docs/integration/household-import.md): columns and the
// relationship-to-head vocabulary.
import { CodeSystem, HSSK_CANONICAL } from '../../fhir/systems.ts';

export const HOUSEHOLD_COLUMNS = [
  'ma_ho', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'ma_bhxh', 'so_the_bhyt', 'quan_he_chu_ho',
  'dan_toc', 'nghe_nghiep', 'dia_chi', 'ma_xa', 'dien_thoai',
] as const;
export type HouseholdColumn = (typeof HOUSEHOLD_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly HouseholdColumn[] = ['ma_ho', 'ho_ten'];

export type HouseholdRow = Partial<Record<HouseholdColumn, string>>;

export interface Relationship {
  /** Code in CodeSystem.householdRelationship. */
  code: string;
  display: string;
  /** HL7 v3 RoleCode of the member's relation to the head, when there is an exact one. */
  v3?: string;
}

const REL: [string, string, string | undefined][] = [
  ['chu-ho', 'Chủ hộ', 'ONESELF'],
  ['vo', 'Vợ', 'WIFE'],
  ['chong', 'Chồng', 'HUSB'],
  ['con', 'Con', 'CHILD'],
  ['bo', 'Bố', 'FTH'],
  ['me', 'Mẹ', 'MTH'],
  ['ong', 'Ông', 'GRPRN'],
  ['ba', 'Bà', 'GRPRN'],
  // "Cháu" is a grandchild or a nephew/niece: no exact v3 code.
  ['chau', 'Cháu', undefined],
  ['anh', 'Anh', 'BRO'],
  ['chi', 'Chị', 'SIS'],
  ['em', 'Em', 'SIB'],
  ['khac', 'Khác', undefined],
];

export const RELATIONSHIPS: ReadonlyMap<string, Relationship> = new Map(
  REL.map(([code, display, v3]) => [code, { code, display, ...(v3 ? { v3 } : {}) }]),
);

export const RELATIONSHIP_SYSTEM = CodeSystem.householdRelationship;

/** Extension on Group.member: the member's relationship to the head of household. HSSK. */
export const HOUSEHOLD_RELATIONSHIP_EXTENSION = `${HSSK_CANONICAL}/StructureDefinition/quan-he-chu-ho`;
/** Extension on RelatedPerson: the member's own Patient record. HSSK. */
export const RELATED_PATIENT_EXTENSION = `${HSSK_CANONICAL}/StructureDefinition/related-patient`;
/** Identifier system of the household RelatedPerson links: `ma_ho/member patient id`. HSSK. */
export const HOUSEHOLD_LINK_SYSTEM = `${HSSK_CANONICAL}/sid/lien-ket-ho`;
