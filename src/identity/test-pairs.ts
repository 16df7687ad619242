// A seeded generator of labelled record pairs for measuring the matcher: the same resident
// recorded twice with realistic entry errors, and different residents who look alike (twins,
// namesakes born the same year in one commune, parents and children, people sharing a given
// name and birth year). Used by matcher.test.ts; deterministic for a given seed.
import { makeCccd, type Sex } from './identifiers.ts';
import { foldVietnamese } from './names.ts';
import type { PersonFacts } from './matcher.ts';

/** mulberry32: small, fast, good enough for test data. */
export function seededRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)] as T;
}

/** Picks by weight; weights need not sum to 1. */
function pickWeighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rng() * total;
  for (const [item, w] of items) {
    x -= w;
    if (x < 0) return item;
  }
  return (items[items.length - 1] as readonly [T, number])[0];
}

/** Zipf-like weights: the first names of a list are much more common than the last. */
function zipf(names: readonly string[]): [string, number][] {
  return names.map((n, i) => [n, 1 / (i + 1) ** 0.9]);
}

const FAMILY: [string, number][] = [
  ['Nguyễn', 38.4], ['Trần', 12.1], ['Lê', 9.5], ['Phạm', 7], ['Hoàng', 3], ['Huỳnh', 2.1], ['Phan', 4.5],
  ['Vũ', 2], ['Võ', 1.9], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1],
  ['Lý', 0.5], ['Trương', 0.8], ['Đinh', 0.7], ['Đoàn', 0.6], ['Lâm', 0.5], ['Mai', 0.5], ['Trịnh', 0.5],
  ['Lương', 0.4], ['Cao', 0.4], ['Hà', 0.4], ['Tạ', 0.3], ['Chu', 0.2], ['Phùng', 0.2], ['Lưu', 0.2], ['Tô', 0.2],
  ['Thái', 0.2], ['Quách', 0.1], ['Kiều', 0.1], ['Khuất', 0.05], ['Triệu', 0.1], ['Vương', 0.1], ['La', 0.1],
];
const MALE_MIDDLE: [string, number][] = [
  ['Văn', 50], ['Đức', 6], ['Minh', 6], ['Quang', 5], ['Hữu', 5], ['Thanh', 4], ['Công', 4], ['Xuân', 3],
  ['Trung', 2], ['Gia', 3], ['Bảo', 2], ['Đình', 3], ['Quốc', 3], ['Tuấn', 1], ['Hoàng', 2], ['Ngọc', 1],
];
const FEMALE_MIDDLE: [string, number][] = [
  ['Thị', 55], ['Ngọc', 6], ['Thu', 5], ['Thanh', 4], ['Minh', 3], ['Kim', 3], ['Hồng', 3], ['Thị Ngọc', 2],
  ['Thị Thu', 2], ['Bảo', 2], ['Phương', 2], ['Diệu', 1], ['Khánh', 2], ['Thùy', 2], ['Mỹ', 2], ['Hải', 1],
];
const MALE_GIVEN = zipf([
  'Anh', 'Hùng', 'Dũng', 'Tuấn', 'Nam', 'Hải', 'Minh', 'Long', 'Đức', 'Sơn', 'Cường', 'Hiếu', 'Quang', 'Thắng',
  'Bình', 'Trung', 'Đạt', 'Hoàng', 'Phúc', 'Khánh', 'Quân', 'Vinh', 'Tùng', 'Huy', 'Thành', 'Tú', 'Tâm', 'Lâm',
  'Phong', 'Nghĩa', 'Toàn', 'Thịnh', 'Hưng', 'Lợi', 'Tín', 'Kiên', 'Khoa', 'Duy', 'Bảo', 'Lộc', 'Thái', 'Nhân',
  'Hậu', 'Tài', 'Việt', 'Sỹ', 'Kỳ', 'Hy', 'Khôi', 'Quyết', 'Chiến', 'Tiến', 'Doanh', 'Khải', 'Vượng', 'Định',
]);
const FEMALE_GIVEN = zipf([
  'Anh', 'Linh', 'Hương', 'Trang', 'Thảo', 'Hà', 'Hoa', 'Lan', 'Hằng', 'Phương', 'Mai', 'Huyền', 'Nhung', 'Yến',
  'Thủy', 'Hạnh', 'Hiền', 'Ngọc', 'Thu', 'Nga', 'Loan', 'Nhi', 'Vy', 'Trinh', 'Giang', 'Dung', 'Oanh', 'Quyên',
  'Tâm', 'Châu', 'Diệp', 'Hồng', 'Uyên', 'Vân', 'Xuân', 'Thư', 'Ly', 'My', 'Duyên', 'Ánh', 'Liên', 'Trâm',
  'Khuê', 'Diệu', 'Thoa', 'Lân', 'Cúc', 'Đào', 'Huệ', 'Sương', 'Tuyết', 'Kiều', 'Hảo', 'Nguyệt', 'Thắm', 'Bích',
]);

/** The truth about one resident. */
interface Person {
  family: string;
  middle: string;
  given: string;
  sex: Sex;
  year: number;
  month: number;
  day: number;
  commune: string;
  cccd?: string;
  bhxh?: string;
  phone?: string;
}

const COMMUNES = Array.from({ length: 80 }, (_, i) => String(22_000 + i * 7).padStart(5, '0'));
const CCCD_PROVINCES_USED: [string, number][] = [['060', 80], ['068', 5], ['079', 5], ['001', 3], ['058', 4], ['038', 3]];

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rng() * 10));
  return s;
}

function randomPhone(rng: Rng): string {
  return `0${pick(rng, ['3', '5', '7', '8', '9'])}${digits(rng, 8)}`;
}

function givenFor(rng: Rng, sex: Sex): string {
  return pickWeighted(rng, sex === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
}

function newPerson(rng: Rng, overrides: Partial<Person> = {}): Person {
  const sex: Sex = overrides.sex ?? (rng() < 0.5 ? 'male' : 'female');
  const year = overrides.year ?? 1935 + Math.floor(rng() * 91);
  const person: Person = {
    family: pickWeighted(rng, FAMILY),
    middle: pickWeighted(rng, sex === 'male' ? MALE_MIDDLE : FEMALE_MIDDLE),
    given: givenFor(rng, sex),
    sex,
    year,
    month: 1 + Math.floor(rng() * 12),
    day: 1 + Math.floor(rng() * 28),
    commune: pick(rng, COMMUNES),
    ...overrides,
  };
  // Fresh identifiers for every person, unless the caller shares them (a household phone).
  delete person.cccd;
  delete person.bhxh;
  if (rng() < (year <= 2011 ? 0.65 : 0.2)) person.cccd = makeCccd(pickWeighted(rng, CCCD_PROVINCES_USED), sex, year, digits(rng, 6));
  if (rng() < 0.4) person.bhxh = `${pick(rng, ['60', '68', '79'])}${digits(rng, 8)}`;
  if (overrides.phone !== undefined) person.phone = overrides.phone;
  else if (rng() < 0.5) person.phone = randomPhone(rng);
  else delete person.phone;
  return person;
}

// ---------------------------------------------------------------------------------------------
// Entry errors

/** One typing error in a word: swap, drop, double or replace a letter (not the first). */
function typo(rng: Rng, word: string): string {
  if (word.length < 3) return word;
  const i = 1 + Math.floor(rng() * (word.length - 1));
  switch (Math.floor(rng() * 4)) {
    case 0:
      return i < word.length - 1 ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : word.slice(0, -1);
    case 1:
      return word.slice(0, i) + word.slice(i + 1);
    case 2:
      return word.slice(0, i) + word[i] + word.slice(i);
    default:
      return word.slice(0, i) + pick(rng, [...'aeiounhtgc']) + word.slice(i + 1);
  }
}

function iyVariant(word: string): string {
  return word.replace(/ý$/, 'í').replace(/ỳ$/, 'ì').replace(/ỹ$/, 'ĩ').replace(/y$/, 'i');
}

/** The full name as one record writes it. */
function writtenName(rng: Rng, p: Person, errorScale: number): string {
  let family = p.family;
  let middle = p.middle.split(' ');
  let given = p.given;
  if (rng() < 0.04 * errorScale) {
    const which = rng();
    if (which < 0.4) given = typo(rng, given);
    else if (which < 0.7) family = typo(rng, family);
    else middle = middle.map((w, i) => (i === 0 ? typo(rng, w) : w));
  }
  if (rng() < 0.04 * errorScale) middle = middle.slice(1);
  if (rng() < 0.03) given = iyVariant(given);
  let name = [family, ...middle, given].filter((w) => w !== '').join(' ');
  if (rng() < 0.3 * errorScale) name = foldVietnamese(name);
  if (rng() < 0.2) name = name.toUpperCase();
  return name;
}

/**
 * Birth-date errors per incoming record (the stored record has half as many): no date, year
 * only, year and month only, day and month swapped, mistyped year, mistyped day.
 */
export const DATE_ERRORS = {
  missing: 0.02,
  yearOnly: 0.03,
  yearMonth: 0.01,
  swapped: 0.02,
  yearTypo: 0.01,
  dayTypo: 0.01,
};

function writtenDate(rng: Rng, p: Person, errorScale: number): string | undefined {
  const mm = String(p.month).padStart(2, '0');
  const dd = String(p.day).padStart(2, '0');
  const r = rng() / errorScale;
  let bound = DATE_ERRORS.missing;
  if (r < bound) return undefined;
  if (r < (bound += DATE_ERRORS.yearOnly)) return String(p.year);
  if (r < (bound += DATE_ERRORS.yearMonth)) return `${p.year}-${mm}`;
  if (r < (bound += DATE_ERRORS.swapped) && p.day <= 12 && p.day !== p.month) return `${p.year}-${dd}-${mm}`;
  if (r < (bound += DATE_ERRORS.yearTypo)) return `${yearTypo(rng, p.year)}-${mm}-${dd}`;
  if (r < bound + DATE_ERRORS.dayTypo) return `${p.year}-${mm}-${dayTypo(rng, dd)}`;
  return `${p.year}-${mm}-${dd}`;
}

/** A birth year one year off, or with its tens or units digit mistyped. */
function yearTypo(rng: Rng, year: number): number {
  if (rng() < 0.4) return year + pick(rng, [-1, 1]);
  const step = rng() < 0.5 ? 1 : 10;
  const digit = Math.floor(year / step) % 10;
  const other = (digit + 1 + Math.floor(rng() * 9)) % 10;
  return year + (other - digit) * step;
}

/** A day of month one digit away from dd (12 → 13, 12 → 22). */
function dayTypo(rng: Rng, dd: string): string {
  for (;;) {
    const i = rng() < 0.5 ? 0 : 1;
    const d = dd.slice(0, i) + String(Math.floor(rng() * 10)) + dd.slice(i + 1);
    if (d !== dd && Number(d) >= 1 && Number(d) <= 28) return d;
  }
}

function changeOneDigit(rng: Rng, s: string): string {
  const i = 6 + Math.floor(rng() * (s.length - 6));
  return s.slice(0, i) + String((Number(s[i]) + 1 + Math.floor(rng() * 9)) % 10) + s.slice(i + 1);
}

/** One record of a person, with entry errors; errorScale 0 gives a clean record. */
export function recordOf(rng: Rng, p: Person, errorScale = 1): PersonFacts {
  const facts: PersonFacts = { fullName: writtenName(rng, p, errorScale) };
  const birthDate = writtenDate(rng, p, errorScale === 0 ? 1e-9 : errorScale);
  if (birthDate !== undefined) facts.birthDate = birthDate;
  const s = rng();
  if (s >= 0.04) facts.sex = s < 0.04 + 0.003 * errorScale ? (p.sex === 'male' ? 'female' : 'male') : p.sex;
  if (p.cccd !== undefined && rng() < 0.7) facts.cccd = rng() < 0.01 * errorScale ? changeOneDigit(rng, p.cccd) : p.cccd;
  if (p.bhxh !== undefined && rng() < 0.6) {
    if (rng() < 0.5) facts.bhxh = p.bhxh;
    else facts.bhytCard = `${pick(rng, ['gd', 'HT', 'TE', 'DN', 'hs'])}${pick(rng, ['1', '3', '4'])}60 ${p.bhxh}`;
  }
  // Household lists and hospital claims nearly always carry the commune; some people move.
  if (rng() >= 0.01) facts.communeCode = rng() < 0.05 * errorScale ? pick(rng, COMMUNES) : p.commune;
  if (p.phone !== undefined && rng() < 0.6) facts.phone = rng() < 0.15 ? randomPhone(rng) : p.phone.replace(/^0/, pick(rng, ['0', '+84', '84 ']));
  return facts;
}

// ---------------------------------------------------------------------------------------------
// Pairs

export type PairKind = 'same-person' | 'twins' | 'namesake-same-year-commune' | 'namesake-other-year' | 'parent-child' | 'same-given-and-year';

export interface LabelledPair {
  kind: PairKind;
  same: boolean;
  a: PersonFacts;
  b: PersonFacts;
}

function twinOf(rng: Rng, p: Person): Person {
  const sex: Sex = rng() < 0.5 ? p.sex : p.sex === 'male' ? 'female' : 'male';
  let given = givenFor(rng, sex);
  while (foldVietnamese(given) === foldVietnamese(p.given)) given = givenFor(rng, sex);
  const middle = sex === p.sex && rng() < 0.7 ? p.middle : pickWeighted(rng, sex === 'male' ? MALE_MIDDLE : FEMALE_MIDDLE);
  const twin = newPerson(rng, { family: p.family, middle, given, sex, year: p.year, month: p.month, day: p.day, commune: p.commune });
  if (p.phone !== undefined) twin.phone = p.phone;
  return twin;
}

function share(table: readonly (readonly [string, number])[], item: string): number {
  const total = table.reduce((sum, [, w]) => sum + w, 0);
  return (table.find(([n]) => n === item)?.[1] ?? 0) / total;
}

/** How common a person's full name is among people of the same sex, by the tables above. */
function nameShare(p: Person): number {
  const male = p.sex === 'male';
  return share(FAMILY, p.family) * share(male ? MALE_MIDDLE : FEMALE_MIDDLE, p.middle) * share(male ? MALE_GIVEN : FEMALE_GIVEN, p.given);
}

const MAX_NAME_SHARE = share(FAMILY, 'Nguyễn') * Math.max(share(MALE_MIDDLE, 'Văn') * share(MALE_GIVEN, 'Anh'), share(FEMALE_MIDDLE, 'Thị') * share(FEMALE_GIVEN, 'Anh'));

/**
 * A person whose name has a namesake: two people share a name about as often as the square of
 * its share, so a person drawn by share is kept with probability share / max share. Without
 * this, namesakes of rare names would be as frequent as those of Nguyễn Văn Anh.
 */
function personWithNamesake(rng: Rng): Person {
  for (;;) {
    const p = newPerson(rng);
    if (rng() < nameShare(p) / MAX_NAME_SHARE) return p;
  }
}

function namesakeOf(rng: Rng, p: Person, sameYear: boolean): Person {
  const year = sameYear ? p.year : p.year + pick(rng, [-5, -3, -2, -1, 1, 2, 3, 5]);
  const commune = sameYear || rng() < 0.5 ? p.commune : pick(rng, COMMUNES);
  return newPerson(rng, { family: p.family, middle: p.middle, given: p.given, sex: p.sex, year, commune });
}

function childOf(rng: Rng, p: Person): Person {
  const child = newPerson(rng, { family: p.family, year: Math.min(2025, p.year + 20 + Math.floor(rng() * 15)), commune: p.commune });
  if (p.phone !== undefined) child.phone = p.phone;
  return child;
}

/** Mix of pair kinds, in shares of all pairs. */
export const PAIR_MIX: readonly (readonly [PairKind, number])[] = [
  ['same-person', 0.75],
  ['twins', 0.05],
  ['namesake-same-year-commune', 0.06],
  ['namesake-other-year', 0.04],
  ['parent-child', 0.04],
  ['same-given-and-year', 0.06],
];

export function generatePairs(count: number, seed: number): LabelledPair[] {
  const rng = seededRandom(seed);
  const pairs: LabelledPair[] = [];
  for (let i = 0; i < count; i++) {
    const kind = pickWeighted(rng, PAIR_MIX);
    const p = kind.startsWith('namesake') ? personWithNamesake(rng) : newPerson(rng);
    const stored = recordOf(rng, p, 0.5);
    const other = otherPerson(rng, kind, p);
    pairs.push({ kind, same: kind === 'same-person', a: stored, b: recordOf(rng, other ?? p) });
  }
  return pairs;
}

function otherPerson(rng: Rng, kind: PairKind, p: Person): Person | undefined {
  switch (kind) {
    case 'same-person':
      return undefined;
    case 'twins':
      return twinOf(rng, p);
    case 'namesake-same-year-commune':
      return namesakeOf(rng, p, true);
    case 'namesake-other-year':
      return namesakeOf(rng, p, false);
    case 'parent-child':
      return childOf(rng, p);
    case 'same-given-and-year':
      return newPerson(rng, { given: p.given, sex: p.sex, year: p.year });
  }
}
