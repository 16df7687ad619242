// The identity test set: pairs of person records with the truth known. "same" pairs are one
// resident re-entered elsewhere with the errors clerks make; "different" pairs are genuinely
// different people who look alike (twins, namesakes, a father and son of the same name).
// Record a is always the resident as written in households.csv; record b is the other entry.
// The variant column names the error or look-alike kind; "+no-ids" means b also lacks CCCD,
// BHYT and BHXH, as records from a clinic often do, so matching must rely on the rest.
import type { CommuneInfo, ProvinceContext } from './communes-context.ts';
import { fullName, nameFor, type Sex } from './names.ts';
import { birthDateForAge } from './population.ts';
import { weighted, type Rng } from './prng.ts';
import { ageOf, assignIdentifiers, occupationFor, streetAddress, type Resident, type ResidentContext } from './resident.ts';
import { decomposed, misspell, stripDiacritics } from './vietnamese-text.ts';

export type Truth = 'same' | 'different';

export type SameVariant =
  | 'exact' | 'typo-given-name' | 'no-diacritics' | 'upper-case' | 'unicode-decomposed' | 'swapped-day-month'
  | 'missing-cccd' | 'mistyped-cccd' | 'year-only' | 'moved-commune' | 'new-phone' | 'old-commune-code' | 'combined';
export type DifferentVariant =
  | 'twins' | 'same-name-same-year' | 'parent-child-same-name' | 'namesake-same-birth-date' | 'sibling' | 'neighbour';

export interface Pair {
  truth: Truth;
  variant: string;
  a: Resident;
  b: Resident;
}

const SAME = weighted<SameVariant>([
  ['exact', 3], ['typo-given-name', 9], ['no-diacritics', 8], ['upper-case', 3], ['unicode-decomposed', 2],
  ['swapped-day-month', 5], ['missing-cccd', 8], ['mistyped-cccd', 5], ['year-only', 5], ['moved-commune', 5],
  ['new-phone', 3], ['old-commune-code', 3], ['combined', 6],
]);
const DIFFERENT = weighted<DifferentVariant>([
  ['twins', 7], ['same-name-same-year', 10], ['parent-child-same-name', 5], ['namesake-same-birth-date', 5],
  ['sibling', 6], ['neighbour', 7],
]);
const SAME_SHARE = 65 / 105;

export interface PairContext extends ResidentContext {
  province: ProvinceContext;
  communeByCode: Map<string, CommuneInfo>;
}

/** b starts as a copy of a taken down at another desk: no household id or relationship. */
function reentry(a: Resident): Resident {
  return { ...a, householdId: '', relation: '' };
}

function dropIds(b: Resident): void {
  b.idNumber = '';
  b.card = '';
  b.bhxh = '';
}

function setGivenTypo(rng: Rng, b: Resident): void {
  const words = currentName(b).split(' ');
  const last = words.length - 1;
  words[last] = misspell(rng, words[last] ?? '');
  b.writtenName = words.join(' ');
}

function currentName(b: Resident): string {
  return b.writtenName ?? fullName(b.name);
}

/** One digit of the CCCD wrong: usually in the random part, sometimes in the year. */
function mistype(rng: Rng, id: string): string {
  const i = rng.chance(0.8) ? rng.between(6, 11) : rng.between(4, 5);
  const digit = Number(id[i]);
  const wrong = (digit + 1 + rng.int(9)) % 10;
  return `${id.slice(0, i)}${wrong}${id.slice(i + 1)}`;
}

function moveTo(ctx: PairContext, b: Resident, info: CommuneInfo): void {
  b.currentCommune = info.commune.code;
  b.communeCode = info.commune.code;
  b.address = `${streetAddress(ctx.rng, info, b.ethnicity)}, ${info.label}`;
}

/** Applies a same-person variant to b; false when it does not apply to this resident. */
function applySame(ctx: PairContext, variant: SameVariant, a: Resident, b: Resident): boolean {
  const { rng } = ctx;
  switch (variant) {
    case 'exact':
      return true;
    case 'typo-given-name':
      setGivenTypo(rng, b);
      return true;
    case 'no-diacritics': {
      const plain = stripDiacritics(currentName(b));
      if (plain === currentName(b)) return false;
      b.writtenName = rng.chance(0.4) ? plain.toUpperCase() : plain;
      return true;
    }
    case 'upper-case':
      b.writtenName = currentName(b).toLocaleUpperCase('vi');
      return true;
    case 'unicode-decomposed': {
      const nfd = decomposed(currentName(b));
      if (nfd === currentName(b)) return false;
      b.writtenName = nfd;
      return true;
    }
    case 'swapped-day-month':
      if (a.dateFormat === 'year' || a.birth.day > 12 || a.birth.day === a.birth.month) return false;
      b.birth = { year: a.birth.year, month: a.birth.day, day: a.birth.month };
      b.dateFormat = 'dmy';
      return true;
    case 'missing-cccd':
      if (a.idNumber === '') return false;
      b.idNumber = '';
      return true;
    case 'mistyped-cccd':
      if (a.idNumber.length !== 12) return false;
      b.idNumber = mistype(rng, a.idNumber);
      b.card = '';
      b.bhxh = '';
      return true;
    case 'year-only':
      if (a.dateFormat === 'year') return false;
      b.dateFormat = 'year';
      return true;
    case 'moved-commune': {
      const info = rng.pick(ctx.province.communes);
      if (info.commune.code === a.currentCommune) return false;
      moveTo(ctx, b, info);
      if (rng.chance(0.5)) b.phone = ctx.ids.mobile(ctx.ns, rng);
      return true;
    }
    case 'new-phone':
      if (ageOf(a, ctx.asOf) < 15) return false;
      b.phone = ctx.ids.mobile(ctx.ns, rng);
      return true;
    case 'old-commune-code': {
      const info = ctx.communeByCode.get(a.currentCommune);
      const old = info?.oldAddresses.length ? rng.pick(info.oldAddresses) : undefined;
      if (!info || !old) return false;
      if (a.communeCode === info.commune.code) {
        b.communeCode = old.code;
        b.address = `${a.address.split(', ')[0]}, ${old.label}`;
      } else {
        b.communeCode = info.commune.code;
        b.address = `${a.address.split(', ')[0]}, ${info.label}`;
      }
      return true;
    }
    case 'combined':
      return false; // handled by the caller
  }
}

/** A new person near a (same commune unless stated), with identifiers of their own. */
function lookalike(ctx: PairContext, a: Resident, sex: Sex, birth: Resident['birth'], sameHousehold: boolean): Resident {
  const { rng } = ctx;
  const info = ctx.communeByCode.get(a.currentCommune);
  const b: Resident = {
    ...a,
    householdId: sameHousehold ? a.householdId : '',
    relation: sameHousehold ? a.relation : '',
    sex,
    birth,
    writtenName: undefined,
    idNumber: '',
    bhxh: '',
    card: '',
    phone: '',
    address: sameHousehold || !info ? a.address : `${streetAddress(rng, info, a.ethnicity)}, ${info.label}`,
  };
  delete b.writtenName;
  b.occupation = occupationFor(rng, ageOf(b, ctx.asOf), sex, info?.urban ?? false);
  const home = info?.oldProvince ?? a.birthProvince3.slice(1);
  assignIdentifiers(ctx, b, ageOf(b, ctx.asOf), 'none', home);
  return b;
}

/** How b stands to the head when b is a brother or sister of a in a's household. */
function siblingRelation(a: Resident, b: Resident): string {
  if (a.relation === 'Con' || a.relation === 'Cháu' || a.relation === 'Em') return a.relation;
  const older = b.birth.year < a.birth.year;
  return older ? (b.sex === 'male' ? 'Anh' : 'Chị') : 'Em';
}

function otherGiven(ctx: PairContext, a: Resident, sex: Sex, year: number): Resident['name'] {
  for (let i = 0; i < 10; i++) {
    const n = nameFor(ctx.rng, sex, year, a.ethnicity, a.name.family);
    if (n.given.split(' ').at(-1) !== a.name.given.split(' ').at(-1)) return { ...n, family: a.name.family, middle: ctx.rng.chance(0.7) ? a.name.middle : n.middle };
  }
  return { ...a.name, given: `${a.name.given} ${sex === 'male' ? 'Anh' : 'Em'}` };
}

function applyDifferent(ctx: PairContext, variant: DifferentVariant, a: Resident): Resident | undefined {
  const { rng, asOf } = ctx;
  const age = ageOf(a, asOf);
  switch (variant) {
    case 'twins': {
      if (age > 60) return undefined;
      const sex: Sex = rng.chance(0.5) ? a.sex : a.sex === 'male' ? 'female' : 'male';
      const b = lookalike(ctx, a, sex, a.birth, true);
      b.name = otherGiven(ctx, a, sex, a.birth.year);
      b.dateFormat = a.dateFormat === 'year' ? 'dmy' : a.dateFormat;
      b.relation = siblingRelation(a, b);
      return b;
    }
    case 'same-name-same-year': {
      const birth = birthDateForAge(rng, age, asOf);
      if (birth.month === a.birth.month && birth.day === a.birth.day) return undefined;
      const b = lookalike(ctx, a, a.sex, { ...birth, year: a.birth.year }, false);
      b.name = a.name;
      return b;
    }
    case 'parent-child-same-name': {
      // A son named after his father (or a daughter after her mother), living in the same house.
      const gap = rng.between(22, 34);
      const childAge = age >= 40 ? age - gap : age + gap <= 95 ? age + gap : -1;
      if (childAge < 0) return undefined;
      const b = lookalike(ctx, a, a.sex, birthDateForAge(rng, childAge, asOf), true);
      b.name = a.name;
      b.relation = age >= 40 ? 'Con' : a.sex === 'male' ? 'Bố' : 'Mẹ';
      return b;
    }
    case 'namesake-same-birth-date': {
      const info = rng.pick(ctx.province.communes);
      if (info.commune.code === a.currentCommune) return undefined;
      const b = lookalike(ctx, a, a.sex, a.birth, false);
      b.name = a.name;
      moveTo(ctx, b, info);
      return b;
    }
    case 'sibling': {
      if (age > 70) return undefined;
      const sibAge = Math.max(0, age + (rng.chance(0.5) ? 1 : -1) * rng.between(1, 6));
      const sex: Sex = rng.chance(0.5) ? 'male' : 'female';
      const b = lookalike(ctx, a, sex, birthDateForAge(rng, sibAge, asOf), true);
      b.name = otherGiven(ctx, a, sex, b.birth.year);
      b.relation = siblingRelation(a, b);
      return b;
    }
    case 'neighbour': {
      const nAge = Math.max(0, Math.min(95, age + rng.between(-5, 5)));
      const b = lookalike(ctx, a, a.sex, birthDateForAge(rng, nAge, asOf), false);
      b.name = nameFor(rng, a.sex, b.birth.year, a.ethnicity, a.name.family);
      return b;
    }
  }
}

/** A labelled pair built on resident a (as written in households.csv). */
export function makePair(ctx: PairContext, a: Resident): Pair {
  const { rng } = ctx;
  if (rng.chance(SAME_SHARE)) {
    const b = reentry(a);
    let variant = rng.draw(SAME);
    const applied: string[] = [];
    if (variant === 'combined') {
      const pool: SameVariant[] = ['typo-given-name', 'no-diacritics', 'swapped-day-month', 'year-only', 'missing-cccd', 'moved-commune', 'new-phone', 'old-commune-code'];
      const count = rng.between(2, 3);
      for (let i = 0; i < 8 && applied.length < count; i++) {
        const v = rng.pick(pool);
        if (!applied.includes(v) && applySame(ctx, v, a, b)) applied.push(v);
      }
      if (applied.length < 2) variant = 'typo-given-name';
      else variant = 'combined';
    }
    if (variant !== 'combined' && !applySame(ctx, variant, a, b)) {
      variant = 'typo-given-name';
      applySame(ctx, variant, a, b);
    }
    let label = variant === 'combined' ? applied.join('+') : variant;
    if (variant !== 'mistyped-cccd' && rng.chance(0.45) && (b.idNumber || b.card || b.bhxh)) {
      dropIds(b);
      label += '+no-ids';
    }
    return { truth: 'same', variant: label, a, b };
  }
  let variant = rng.draw(DIFFERENT);
  let b = applyDifferent(ctx, variant, a);
  if (!b) {
    variant = 'same-name-same-year';
    b = applyDifferent(ctx, variant, a);
  }
  if (!b) {
    variant = 'neighbour';
    b = applyDifferent(ctx, variant, a);
  }
  if (!b) throw new Error('neighbour look-alike always applies');
  let label: string = variant;
  // Look-alikes from other desks often lack identifiers too: the hard cases for matching.
  if (!b.householdId && rng.chance(0.45) && (b.idNumber || b.card || b.bhxh)) {
    dropIds(b);
    label += '+no-ids';
  }
  return { truth: 'different', variant: label, a, b };
}
