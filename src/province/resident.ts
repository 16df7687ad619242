// A household member becomes a resident row: occupation, identifiers (CCCD, BHYT, BHXH),
// phone, address and the ways clerks write dates and sexes. The columns are those of the
// household import (issue 3, docs/data/synthetic-province.md).
import type { CommuneInfo } from './communes-context.ts';
import type { IdAllocator, Namespace } from './id-allocator.ts';
import { fullName, type PersonName, type Sex } from './names.ts';
import { ageOn, type BirthDate, type Member } from './population.ts';
import { weighted, type Rng } from './prng.ts';

export const HOUSEHOLD_COLUMNS = [
  'ma_ho', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'ma_bhxh', 'so_the_bhyt', 'quan_he_chu_ho',
  'dan_toc', 'nghe_nghiep', 'dia_chi', 'ma_xa', 'dien_thoai',
] as const;

export type DateFormat = 'dmy' | 'iso' | 'year';

export interface Resident {
  householdId: string;
  relation: string;
  name: PersonName;
  /** Overrides the name as written (a misspelt or ASCII copy in the identity test set). */
  writtenName?: string;
  sex: Sex;
  sexAsNumber: boolean;
  birth: BirthDate;
  dateFormat: DateFormat;
  /** 12-digit CCCD, 9-digit CMND, or ''. */
  idNumber: string;
  bhxh: string;
  card: string;
  ethnicity: string;
  occupation: string;
  address: string;
  /** The commune code as written: 2025, or pre-2025 as older systems still write. */
  communeCode: string;
  /** Today's commune (2025 code), whatever was written. */
  currentCommune: string;
  phone: string;
  /** Three-digit province code of birth registration (CCCD prefix). */
  birthProvince3: string;
}

const WORKING = weighted([
  ['Nông dân', 36], ['Công nhân', 11], ['Buôn bán', 9], ['Lao động tự do', 10], ['Nội trợ', 4],
  ['Giáo viên', 3], ['Công chức', 2.5], ['Viên chức', 2], ['Nhân viên văn phòng', 4], ['Kinh doanh', 3],
  ['Tài xế', 2], ['Thợ xây', 2], ['Thợ may', 1], ['Ngư dân', 2], ['Y tá', 0.5], ['Bác sĩ', 0.3],
  ['Kỹ sư', 1], ['Thất nghiệp', 2],
] as const);
const URBAN_WORKING = weighted([
  ['Buôn bán', 15], ['Công nhân', 14], ['Lao động tự do', 12], ['Nhân viên văn phòng', 10], ['Kinh doanh', 7],
  ['Nông dân', 10], ['Giáo viên', 4], ['Công chức', 4], ['Viên chức', 3], ['Nội trợ', 5], ['Tài xế', 3],
  ['Thợ xây', 2], ['Thợ may', 1], ['Y tá', 1], ['Bác sĩ', 0.6], ['Kỹ sư', 2], ['Thất nghiệp', 2],
] as const);

/** Occupation as written in household registers; empty for small children. */
export function occupationFor(rng: Rng, age: number, sex: Sex, urban: boolean): string {
  if (age < 6) return '';
  if (age < 15) return 'Học sinh';
  if (age < 18) return rng.chance(0.88) ? 'Học sinh' : rng.chance(0.5) ? 'Lao động tự do' : 'Nông dân';
  if (age < 23 && rng.chance(urban ? 0.4 : 0.22)) return 'Sinh viên';
  const retireAge = sex === 'male' ? 61 : 56;
  if (age >= retireAge && rng.chance(urban ? 0.35 : 0.16)) return 'Hưu trí';
  if (age >= 70) return rng.chance(0.6) ? 'Không' : 'Nông dân';
  let job = rng.draw(urban ? URBAN_WORKING : WORKING);
  if (job === 'Nội trợ' && sex === 'male') job = 'Lao động tự do';
  return job;
}

/** Which public benefit groups a household belongs to (poor and near-poor get state-paid cards). */
export type HouseholdStatus = 'poor' | 'near-poor' | 'none';

/**
 * The BHYT participant group (mã đối tượng) and benefit level, from age, occupation and the
 * household's status (vn-standards.md §5.2), and whether the person holds a card at all.
 */
export function bhytGroup(rng: Rng, age: number, occupation: string, status: HouseholdStatus, minority: boolean): [string, number] | undefined {
  if (age < 6) return rng.chance(0.985) ? ['TE', 1] : undefined;
  if (status === 'poor') return ['HN', 2];
  if (minority && rng.chance(0.45)) return ['DT', 2];
  if (occupation === 'Hưu trí') return ['HT', 3];
  if (age >= 60 && rng.chance(0.015)) return ['CC', 1];
  if (age >= 80) return ['BT', 2];
  if (status === 'near-poor') return ['CN', 3];
  if (occupation === 'Học sinh') return rng.chance(0.96) ? ['HS', 4] : undefined;
  if (occupation === 'Sinh viên') return rng.chance(0.93) ? ['SV', 4] : undefined;
  if (occupation === 'Công chức' || occupation === 'Viên chức' || occupation === 'Giáo viên' || occupation === 'Bác sĩ' || occupation === 'Y tá') return ['HC', 4];
  if (occupation === 'Công nhân' || occupation === 'Nhân viên văn phòng' || occupation === 'Kỹ sư') return rng.chance(0.95) ? ['DN', 4] : undefined;
  // Everyone else buys a household card (GD), which one in five lets lapse.
  return rng.chance(0.8) ? ['GD', 4] : undefined;
}

const STREETS = [
  'Trần Hưng Đạo', 'Lê Lợi', 'Nguyễn Huệ', 'Hai Bà Trưng', 'Quang Trung', 'Phan Bội Châu', 'Hùng Vương',
  'Nguyễn Trãi', 'Lý Thường Kiệt', 'Lê Hồng Phong', '3 Tháng 2', 'Trần Phú', 'Nguyễn Văn Cừ', 'Ngô Quyền',
  'Bà Triệu', 'Võ Thị Sáu', 'Nguyễn Du', 'Phan Chu Trinh', 'Lê Duẩn', 'Nguyễn Tất Thành', 'Yersin',
  'Phạm Ngọc Thạch', 'Bùi Thị Xuân', 'Hoàng Văn Thụ', 'Tôn Đức Thắng', 'Nguyễn Thị Minh Khai',
];
const VILLAGE_WORDS = ['Phú', 'Tân', 'An', 'Bình', 'Hòa', 'Thạnh', 'Lợi', 'Lạc', 'Hiệp', 'Thuận', 'Xuân', 'Đông', 'Tây', 'Nam', 'Bắc', 'Trung', 'Mỹ', 'Hưng'];

/** The street part of an address: a house on a street in town, a village (thôn, bon) in the country. */
export function streetAddress(rng: Rng, info: CommuneInfo, ethnicity: string): string {
  if (info.urban) {
    const r = rng.float();
    if (r < 0.5) return `Số ${rng.between(1, 320)} đường ${rng.pick(STREETS)}`;
    if (r < 0.8) return `Tổ dân phố ${rng.between(1, 30)}`;
    return `Khu phố ${rng.between(1, 12)}`;
  }
  if (ethnicity === "M'Nông" && rng.chance(0.7)) return `Bon ${rng.pick(['Bu', 'Ja', 'Bu Đắk', "N'Jang", 'Păng'])} ${rng.pick(['Sir', 'Rê', 'Lạch', 'Prăng', 'Ra'])}`;
  return rng.chance(0.6) ? `Thôn ${rng.between(1, 16)}` : `Thôn ${rng.pick(VILLAGE_WORDS)} ${rng.pick(VILLAGE_WORDS)}`;
}

export function formatDate(birth: BirthDate, format: DateFormat): string {
  const dd = String(birth.day).padStart(2, '0');
  const mm = String(birth.month).padStart(2, '0');
  if (format === 'year') return String(birth.year);
  if (format === 'iso') return `${birth.year}-${mm}-${dd}`;
  return `${dd}/${mm}/${birth.year}`;
}

/** Mostly dd/mm/yyyy; some systems export ISO dates; the year alone when the day was never known. */
export function dateFormatFor(rng: Rng, birth: BirthDate): DateFormat {
  const r = rng.float();
  const yearOnly = birth.year < 1960 ? 0.12 : 0.015;
  if (r < yearOnly) return 'year';
  return r < yearOnly + 0.1 ? 'iso' : 'dmy';
}

export function toRow(r: Resident): string[] {
  const sex = r.sexAsNumber ? (r.sex === 'male' ? '1' : '2') : r.sex === 'male' ? 'Nam' : 'Nữ';
  return [
    r.householdId, r.writtenName ?? fullName(r.name), formatDate(r.birth, r.dateFormat), sex, r.idNumber, r.bhxh, r.card,
    r.relation, r.ethnicity, r.occupation, r.address, r.communeCode, r.phone,
  ];
}

export interface ResidentContext {
  rng: Rng;
  ids: IdAllocator;
  ns: Namespace;
  asOf: BirthDate;
  /** Old province codes of the deployment (CCCD prefixes of people born here). */
  oldProvinces: readonly string[];
  /** All 63 old province codes (people born elsewhere). */
  allOldProvinces: readonly string[];
}

/** Birth registration province: mostly where the commune was, some born elsewhere in the province or in another one. */
export function birthProvinceFor(ctx: ResidentContext, home: string): string {
  const r = ctx.rng.float();
  const code = r < 0.8 ? home : r < 0.9 ? ctx.rng.pick(ctx.oldProvinces) : ctx.rng.pick(ctx.allOldProvinces);
  return `0${code}`;
}

/** Identifiers a person of this age and status holds. */
export function assignIdentifiers(ctx: ResidentContext, r: Resident, age: number, status: HouseholdStatus, home: string): void {
  const { rng, ids, ns } = ctx;
  // CCCD for nearly everyone from 14; since 2024 some younger children have one too.
  const hasCccd = age >= 14 ? rng.chance(0.97) : rng.chance(0.1);
  if (hasCccd) r.idNumber = ids.cccd(ns, r.birthProvince3, r.sex, r.birth.year);
  else if (age >= 40 && rng.chance(0.03)) r.idNumber = ids.cmnd(ns);
  const group = bhytGroup(rng, age, r.occupation, status, r.ethnicity !== 'Kinh' && r.ethnicity !== 'Hoa');
  if (group) {
    const bhxh = ids.bhxh(ns, rng.chance(0.92) ? home : (rng.pick(ctx.allOldProvinces)));
    r.card = `${group[0]}${group[1]}${home}${bhxh}`;
    r.bhxh = bhxh;
    // Some registers carry only one of the two.
    const r2 = rng.float();
    if (r2 < 0.08) r.bhxh = '';
    else if (r2 < 0.1) r.card = '';
  } else if (age >= 18 && rng.chance(0.1)) {
    r.bhxh = ids.bhxh(ns, home); // a lapsed card: the lifelong number stays
  }
  const phoneShare = age < 15 ? 0 : age < 18 ? 0.45 : age < 70 ? 0.9 : age < 80 ? 0.6 : 0.3;
  if (rng.chance(phoneShare)) r.phone = ids.mobile(ns, rng);
}

export function ageOf(r: { birth: BirthDate }, asOf: BirthDate): number {
  return ageOn(r.birth, asOf);
}

export function residentFromMember(m: Member, base: Omit<Resident, 'relation' | 'name' | 'sex' | 'birth' | 'ethnicity' | 'idNumber' | 'bhxh' | 'card' | 'phone' | 'occupation' | 'dateFormat' | 'sexAsNumber' | 'birthProvince3'>): Resident {
  return {
    ...base,
    relation: m.relation,
    name: m.name,
    sex: m.sex,
    birth: m.birth,
    ethnicity: m.ethnicity,
    idNumber: '',
    bhxh: '',
    card: '',
    phone: '',
    occupation: '',
    dateFormat: 'dmy',
    sexAsNumber: false,
    birthProvince3: '',
  };
}
