// Vietnamese personal names for the synthetic province: family names with their national
// frequencies, middle and given names by sex and generation, and the naming customs of the
// ethnic minorities of Lâm Đồng. Frequencies are approximate (family names: the often-quoted
// national shares — Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 % …); they only need to be realistic
// enough that matching meets the same crowding of common names as in real data.
import { weighted, type Rng, type Weighted } from './prng.ts';

export type Sex = 'male' | 'female';

export const FAMILY_NAMES: Weighted<string> = weighted([
  ['Nguyễn', 38.4], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Huỳnh', 2.9], ['Hoàng', 2.2],
  ['Phan', 4.5], ['Võ', 2.4], ['Vũ', 1.5], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3],
  ['Ngô', 1.3], ['Dương', 1], ['Lý', 0.5], ['Đinh', 0.6], ['Đoàn', 0.6], ['Trương', 0.6],
  ['Lâm', 0.4], ['Mai', 0.4], ['Lương', 0.4], ['Trịnh', 0.4], ['Đào', 0.4], ['Cao', 0.35],
  ['Hà', 0.35], ['Tô', 0.25], ['Tạ', 0.2], ['Châu', 0.25], ['Lưu', 0.25], ['Quách', 0.15],
  ['Thái', 0.2], ['Kiều', 0.1], ['La', 0.1], ['Phùng', 0.15], ['Vương', 0.15], ['Từ', 0.1],
  ['Triệu', 0.15], ['Hứa', 0.1], ['Chu', 0.15], ['Nông', 0.1], ['Thân', 0.1], ['Văn', 0.1],
  ['Tăng', 0.1], ['Mạc', 0.05], ['Ông', 0.05], ['Khúc', 0.03], ['Lục', 0.05], ['Tôn', 0.05],
  ['Giang', 0.1], ['Kim', 0.05], ['Nghiêm', 0.05], ['Diệp', 0.05], ['Âu', 0.05],
]);

const MALE_MIDDLE: Weighted<string> = weighted([
  ['Minh', 10], ['Đức', 8], ['Hữu', 7], ['Quang', 6], ['Công', 5], ['Thành', 5], ['Quốc', 6],
  ['Ngọc', 3], ['Xuân', 3], ['Thanh', 5], ['Hoàng', 4], ['Duy', 3], ['Trung', 3], ['Anh', 3],
  ['Đình', 4], ['Tấn', 3], ['Tuấn', 2], ['Gia', 4], ['Bảo', 4], ['Hải', 2], ['Nhật', 3],
  ['Phúc', 2], ['Trọng', 2], ['Khánh', 2], ['Thế', 2], ['Kim', 1], ['Mạnh', 1], ['Việt', 2],
]);

const FEMALE_MIDDLE: Weighted<string> = weighted([
  ['Ngọc', 10], ['Thu', 6], ['Thanh', 6], ['Thị Thu', 2], ['Mai', 3], ['Bảo', 5], ['Khánh', 5],
  ['Minh', 5], ['Phương', 4], ['Hoài', 3], ['Thùy', 4], ['Kim', 5], ['Hồng', 4], ['Diệu', 2],
  ['Quỳnh', 3], ['Bích', 3], ['Thúy', 3], ['Hải', 2], ['Gia', 3], ['Tuyết', 2], ['Ánh', 2],
  ['Cẩm', 2], ['Mỹ', 4], ['Hà', 2], ['Lan', 1], ['Như', 3], ['Tường', 1], ['Yến', 1],
]);

const MALE_GIVEN: Weighted<string> = weighted([
  ['Hùng', 5], ['Dũng', 5], ['Tuấn', 5], ['Minh', 6], ['Nam', 5], ['Sơn', 4], ['Hải', 4],
  ['Long', 4], ['Thắng', 3], ['Cường', 4], ['Hiếu', 3], ['Trung', 3], ['Hưng', 4], ['Phúc', 3],
  ['Khoa', 3], ['Huy', 5], ['Đức', 4], ['Quân', 4], ['Bình', 3], ['An', 4], ['Tài', 3],
  ['Thành', 4], ['Phong', 3], ['Vinh', 3], ['Việt', 2], ['Tâm', 3], ['Lâm', 2], ['Toàn', 2],
  ['Hoàng', 3], ['Kiên', 2], ['Thịnh', 2], ['Trí', 3], ['Tùng', 2], ['Hiệp', 2], ['Lộc', 3],
  ['Tú', 2], ['Phát', 3], ['Thông', 1], ['Nhân', 2], ['Đạt', 4], ['Khang', 3], ['Bảo', 3],
  ['Khôi', 3], ['Duy', 3], ['Thiện', 2], ['Nghĩa', 2], ['Quang', 2], ['Thái', 2], ['Châu', 1],
  ['Sang', 2], ['Tiến', 2], ['Hòa', 2], ['Lợi', 1], ['Tân', 2], ['Hậu', 2], ['Trọng', 1],
  ['Vũ', 2], ['Kiệt', 2], ['Nhật', 2], ['Anh', 4], ['Thuận', 2], ['Công', 1], ['Danh', 1],
]);

const FEMALE_GIVEN: Weighted<string> = weighted([
  ['Lan', 4], ['Hương', 5], ['Hoa', 4], ['Mai', 4], ['Linh', 6], ['Trang', 5], ['Hà', 4],
  ['Thảo', 5], ['Nhung', 3], ['Hằng', 4], ['Ngọc', 3], ['Anh', 6], ['Phương', 4], ['Thủy', 4],
  ['Hạnh', 3], ['Yến', 3], ['Dung', 3], ['Oanh', 2], ['Tuyết', 2], ['Vân', 3], ['Hiền', 3],
  ['Loan', 3], ['Nga', 3], ['Thu', 3], ['Huyền', 4], ['Trinh', 3], ['Nhi', 4], ['Vy', 4],
  ['My', 3], ['Ngân', 4], ['Quyên', 2], ['Duyên', 3], ['Diễm', 2], ['Uyên', 3], ['Châu', 2],
  ['Tâm', 2], ['Hậu', 2], ['Thư', 3], ['Giang', 3], ['Liên', 2], ['Lệ', 2], ['Hồng', 3],
  ['Xuân', 2], ['Thanh', 2], ['Nhàn', 2], ['Bích', 1], ['Cúc', 1], ['Đào', 1], ['Hiếu', 1],
  ['Tú', 1], ['Trâm', 3], ['Quỳnh', 3], ['Như', 2], ['Hân', 3], ['Khánh', 2], ['An', 3],
  ['Thơm', 1], ['Sương', 1], ['Phượng', 2], ['Mơ', 1], ['Lụa', 1], ['Tiên', 2], ['Kiều', 1],
]);

/** Names given mostly before 1975 (and "Thị"/"Văn" middles) fade out; these are the young ones. */
const MODERN_FEMALE_GIVEN: Weighted<string> = weighted([
  ['Anh', 6], ['Linh', 5], ['Vy', 5], ['Nhi', 5], ['Ngân', 4], ['Hân', 4], ['Thư', 4],
  ['An', 4], ['My', 4], ['Trâm', 3], ['Uyên', 3], ['Quỳnh', 3], ['Khuê', 2], ['Ngọc', 3],
  ['Châu', 2], ['Như', 2], ['Tiên', 2], ['Diệp', 1], ['Nhiên', 2], ['Chi', 3], ['Hà', 2],
]);

const MODERN_MALE_GIVEN: Weighted<string> = weighted([
  ['Khang', 5], ['Khôi', 5], ['Bảo', 4], ['Phúc', 4], ['Minh', 5], ['Huy', 4], ['Nam', 3],
  ['Khoa', 4], ['Quân', 4], ['Đạt', 3], ['Kiệt', 3], ['Lâm', 3], ['Phong', 3], ['An', 4],
  ['Duy', 3], ['Thịnh', 2], ['Vinh', 2], ['Nhật', 3], ['Hưng', 2], ['Long', 3], ['Tín', 2],
]);

/** Share of "Văn" / "Thị" as the middle name, which falls generation after generation. */
function traditionalMiddleShare(sex: Sex, birthYear: number): number {
  if (sex === 'male') return birthYear < 1970 ? 0.62 : birthYear < 1995 ? 0.42 : 0.15;
  return birthYear < 1970 ? 0.85 : birthYear < 1995 ? 0.6 : 0.22;
}

export function familyName(rng: Rng): string {
  return rng.draw(FAMILY_NAMES);
}

export function middleName(rng: Rng, sex: Sex, birthYear: number): string {
  if (rng.chance(traditionalMiddleShare(sex, birthYear))) return sex === 'male' ? 'Văn' : 'Thị';
  return rng.draw(sex === 'male' ? MALE_MIDDLE : FEMALE_MIDDLE);
}

export function givenName(rng: Rng, sex: Sex, birthYear: number): string {
  const modern = birthYear >= 2005 && rng.chance(0.5);
  if (sex === 'male') return rng.draw(modern ? MODERN_MALE_GIVEN : MALE_GIVEN);
  // Some girls born since 2000 get a two-word given name (Nguyễn Ngọc Bảo Anh).
  const given = rng.draw(modern ? MODERN_FEMALE_GIVEN : FEMALE_GIVEN);
  if (birthYear >= 2000 && rng.chance(0.08)) return `${rng.draw(FEMALE_MIDDLE).split(' ')[0]} ${given}`;
  return given;
}

/** A Kinh (or Hoa, Tày, Nùng … — they use the same pattern) full name: family + middle + given. */
export function kinhName(rng: Rng, sex: Sex, birthYear: number, family: string): { family: string; middle: string; given: string } {
  let middle = middleName(rng, sex, birthYear);
  let given = givenName(rng, sex, birthYear);
  // Avoid "Minh Minh", which no parent writes.
  for (let i = 0; i < 3 && (given === middle || given.startsWith(`${middle} `)); i++) given = givenName(rng, sex, birthYear);
  if (given === middle) middle = sex === 'male' ? 'Văn' : 'Thị';
  return { family, middle, given };
}

/**
 * Naming customs of the highland minorities of Lâm Đồng: the clan name comes first (it plays
 * the part of the family name and follows the mother among the matrilineal K'Ho, Mạ and Chu Ru),
 * then "K'" for men or "Ka" / "Ma" for women before the personal name. Chăm and Raglai families
 * of the former Bình Thuận mostly write Kinh-style names with their own family names.
 */
const MINORITY_CLANS: Record<string, readonly string[]> = {
  "K'Ho": ['Cil', 'Kră Jăn', 'Liêng Hót', 'Păng Ting', 'Rơ Ông', 'Bon Đing', 'Đa Gout', 'Lơ Mu', 'Kơ Să', 'Sơ Ao', 'Ya', 'Liêng Jrang'],
  'Mạ': ['Điểu', 'Ka Dơi', 'Bơ Đạp', 'Ma Lé'],
  'Chu Ru': ['Touneh', 'Ya', 'Ma Ly', 'Bon Jâu Ma'],
};
const MINORITY_GIVEN: readonly string[] = [
  'Brơi', 'Điều', 'Ha', 'Hoan', 'Sol', 'Jăn', 'Thông', 'Bình', 'Dung', 'Nhiêng', 'Siêu', 'Mai', 'Plin',
  'Brồ', 'Dơng', 'Jrang', 'Kriêng', 'Lin', 'Sơr', 'Tơr', 'Đen', 'Hỏa', 'Nhơn', 'Giang', 'Hồng', 'Mát',
];
const CHAM_FAMILIES: Weighted<string> = weighted([
  ['Thuận', 3], ['Thông', 2], ['Đàng', 3], ['Quảng', 2], ['Lưu', 1], ['Bá', 2], ['Châu', 1], ['Phú', 1], ['Trượng', 1], ['Hán', 1],
]);
const HMONG_FAMILIES: Weighted<string> = weighted([['Giàng', 3], ['Vàng', 3], ['Lầu', 2], ['Sùng', 2], ['Thào', 2], ['Hờ', 1], ['Mùa', 1], ['Lý', 1]]);
const DAO_FAMILIES: Weighted<string> = weighted([['Triệu', 3], ['Bàn', 3], ['Lý', 2], ['Đặng', 2], ['Chảo', 1]]);
const TAY_NUNG_FAMILIES: Weighted<string> = weighted([['Hoàng', 3], ['Nông', 3], ['Lục', 1], ['Lương', 2], ['Vi', 1], ['Hà', 2], ['Ma', 1], ['Triệu', 1], ['Lý', 1], ['Nguyễn', 2]]);
const RAGLAI_FAMILIES: Weighted<string> = weighted([['Katơr', 3], ['Pi Năng', 3], ['Chamaléa', 3], ['Mấu', 2], ['Cao', 1]]);

/** The family-name part a child of this ethnic group inherits. */
export function familyNameFor(rng: Rng, ethnicity: string): string {
  if (ethnicity === "M'Nông") return 'Điểu';
  const clans = MINORITY_CLANS[ethnicity];
  if (clans) return rng.pick(clans);
  if (ethnicity === 'Chăm') return rng.draw(CHAM_FAMILIES);
  if (ethnicity === 'Raglai') return rng.draw(RAGLAI_FAMILIES);
  if (ethnicity === "H'Mông") return rng.draw(HMONG_FAMILIES);
  if (ethnicity === 'Dao') return rng.draw(DAO_FAMILIES);
  if (ethnicity === 'Tày' || ethnicity === 'Nùng') return rng.draw(TAY_NUNG_FAMILIES);
  return familyName(rng);
}

/** Whether the family name passes from the mother (matrilineal groups). */
export function isMatrilineal(ethnicity: string): boolean {
  return ethnicity === "K'Ho" || ethnicity === 'Mạ' || ethnicity === 'Chu Ru' || ethnicity === "M'Nông";
}

export interface PersonName {
  family: string;
  middle: string;
  given: string;
}

export function fullName(n: PersonName): string {
  return [n.family, n.middle, n.given].filter((p) => p !== '').join(' ');
}

export function nameFor(rng: Rng, sex: Sex, birthYear: number, ethnicity: string, family: string): PersonName {
  if (ethnicity === "M'Nông") {
    // M'Nông men often write "Điểu K'…", women "Thị …".
    const given = rng.pick(MINORITY_GIVEN);
    return sex === 'male' ? { family: 'Điểu', middle: '', given: `K'${given}` } : { family: 'Thị', middle: '', given };
  }
  if (MINORITY_CLANS[ethnicity]) {
    const given = rng.pick(MINORITY_GIVEN);
    const prefix = sex === 'male' ? "K'" : rng.chance(0.7) ? 'Ka' : 'Ma';
    return { family, middle: '', given: prefix === "K'" ? `K'${given}` : `${prefix} ${given}` };
  }
  if (ethnicity === "H'Mông") {
    // Giàng A Páo, Vàng Thị Mỷ.
    return { family, middle: sex === 'male' ? 'A' : 'Thị', given: givenName(rng, sex, birthYear) };
  }
  if (ethnicity === 'Chăm' || ethnicity === 'Raglai') {
    return { family, middle: sex === 'male' ? (rng.chance(0.5) ? 'Văn' : '') : rng.chance(0.6) ? 'Thị' : '', given: givenName(rng, sex, birthYear) };
  }
  return kinhName(rng, sex, birthYear, family);
}
