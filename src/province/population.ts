// Households of the synthetic province: who lives together, their ages, sexes, names and
// relationship to the head. Shapes follow the 2019 census in broad strokes (average household
// ≈ 3.5 people; a fifth of households three generations; one in eight a person alone) and are
// tuned so that ages and sexes add up to Vietnam's population pyramid (see generator.test.ts).
import { familyNameFor, isMatrilineal, nameFor, type PersonName, type Sex } from './names.ts';
import { weighted, type Rng } from './prng.ts';

export type Relation =
  | 'Chủ hộ' | 'Vợ' | 'Chồng' | 'Con' | 'Bố' | 'Mẹ' | 'Ông' | 'Bà' | 'Cháu' | 'Anh' | 'Chị' | 'Em' | 'Khác';

export interface BirthDate {
  year: number;
  month: number;
  day: number;
}

/** One member as the household builder makes them; identifiers and address come later. */
export interface Member {
  relation: Relation;
  sex: Sex;
  birth: BirthDate;
  name: PersonName;
  ethnicity: string;
}

type HouseholdKind = 'alone' | 'couple' | 'nuclear' | 'single-parent' | 'three-generations' | 'with-parents' | 'with-grandparent';

const KINDS = weighted<HouseholdKind>([
  ['alone', 10], ['couple', 11], ['nuclear', 49], ['single-parent', 7],
  ['three-generations', 15], ['with-parents', 8], ['with-grandparent', 1],
]);

const CHILD_COUNT = weighted([[1, 30], [2, 46], [3, 17], [4, 6], [5, 1]]);

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A birth date `age` completed years before `asOf`. */
export function birthDateForAge(rng: Rng, age: number, asOf: BirthDate): BirthDate {
  // Pick a day in the year before the age-th birthday window.
  const dayOfYear = rng.int(365);
  const d = new Date(Date.UTC(asOf.year - age - 1, asOf.month - 1, asOf.day + 1 + dayOfYear));
  let year = d.getUTCFullYear();
  let month = d.getUTCMonth() + 1;
  let day = d.getUTCDate();
  // People born long ago often had no recorded day: registries wrote 01/01.
  if (year < 1955 && rng.chance(0.12)) {
    month = 1;
    day = 1;
  }
  if (day > daysInMonth(year, month)) day = daysInMonth(year, month);
  if (year < 1900) year = 1900;
  return { year, month, day };
}

function childSex(rng: Rng, birthYear: number): Sex {
  // Vietnam's sex ratio at birth has been ≈ 112 boys per 100 girls since the 2000s.
  return rng.chance(birthYear >= 2005 ? 0.528 : 0.512) ? 'male' : 'female';
}

/** An age from a triangular-ish spread: the mean of two uniforms between min and max. */
function ageBetween(rng: Rng, min: number, max: number): number {
  return Math.round(min + ((rng.float() + rng.float()) / 2) * (max - min));
}

/** Adult ages, weighted like the pyramid between 20 and 95. */
const ADULT_AGE = weighted(
  [
    [20, 6.8], [25, 7.5], [30, 8.2], [35, 8], [40, 7.4], [45, 6.8], [50, 6.2], [55, 5.5],
    [60, 4.6], [65, 3.6], [70, 2.4], [75, 1.5], [80, 1.1], [85, 0.6], [90, 0.2],
  ] as const,
);

function adultAge(rng: Rng, min: number, max: number): number {
  for (let i = 0; i < 20; i++) {
    const age = rng.draw(ADULT_AGE) + rng.int(5);
    if (age >= min && age <= max) return age;
  }
  return ageBetween(rng, min, max);
}

/** Ages 0–29 weighted like the pyramid (children at home), one-year steps. */
const CHILD_AGE = weighted(
  Array.from({ length: 30 }, (_, age) => [age, age < 5 ? 7.3 : age < 10 ? 8 : age < 15 ? 8 : age < 20 ? 7 : age < 25 ? 6.8 : 7.5] as const),
);

/** A child's age that fits the mother's: she was 18–43 at the birth. */
function childAge(rng: Rng, motherAge: number): number {
  for (let i = 0; i < 20; i++) {
    const age = rng.draw(CHILD_AGE);
    const atBirth = motherAge - age;
    if (atBirth >= 18 && atBirth <= 43) return age;
  }
  return Math.max(0, motherAge - ageBetween(rng, 19, Math.min(40, motherAge)));
}

interface Builder {
  rng: Rng;
  asOf: BirthDate;
  ethnicity: string;
  members: Member[];
}

function add(b: Builder, relation: Relation, sex: Sex, age: number, family: string, ethnicity = b.ethnicity): Member {
  const birth = birthDateForAge(b.rng, Math.max(0, age), b.asOf);
  const m: Member = { relation, sex, birth, ethnicity, name: nameFor(b.rng, sex, birth.year, ethnicity, family) };
  b.members.push(m);
  return m;
}

/** The spouse's ethnicity: mostly the same, else Kinh (mixed marriages are mostly with Kinh). */
function spouseEthnicity(rng: Rng, ethnicity: string): string {
  return ethnicity === 'Kinh' || rng.chance(0.9) ? ethnicity : 'Kinh';
}

/**
 * Children of a couple (or a lone parent): ages fit the mother's age (born when she was 18–44),
 * older children have often left home, and about one birth in a hundred is twins.
 */
function addChildren(b: Builder, count: number, motherAge: number, family: string, relation: Relation): void {
  const { rng } = b;
  // Young mothers have had fewer children so far.
  const n = Math.min(count, Math.max(1, Math.floor((motherAge - 19) / 5)));
  let previous: Member | undefined;
  for (let i = 0; i < n; i++) {
    if (motherAge < 19) return;
    const age = childAge(rng, motherAge);
    // Grown children have often married and left.
    if (age >= 22 && rng.chance(Math.min(0.9, (age - 18) * 0.08))) continue;
    if (previous && rng.chance(0.012)) {
      // Twins: same birth date, own names.
      const sex = childSex(rng, previous.birth.year);
      const twin: Member = { ...previous, sex, name: nameFor(rng, sex, previous.birth.year, b.ethnicity, family) };
      b.members.push(twin);
      continue;
    }
    previous = add(b, relation, childSex(rng, b.asOf.year - age), age, family);
  }
}

/** A couple: the head (mostly the husband) and the spouse. Returns the wife's age and the children's family name. */
function addCouple(b: Builder, wifeAge: number): { wifeAge: number; childFamily: string } {
  const { rng } = b;
  const husbandAge = Math.min(98, wifeAge + Math.max(-3, Math.round(3 + (rng.float() - 0.4) * 8)));
  const husbandEth = b.ethnicity;
  const wifeEth = spouseEthnicity(rng, b.ethnicity);
  const husbandFamily = familyNameFor(rng, husbandEth);
  const wifeFamily = familyNameFor(rng, wifeEth);
  if (rng.chance(0.82)) {
    add(b, 'Chủ hộ', 'male', husbandAge, husbandFamily, husbandEth);
    add(b, 'Vợ', 'female', wifeAge, wifeFamily, wifeEth);
  } else {
    add(b, 'Chủ hộ', 'female', wifeAge, wifeFamily, wifeEth);
    add(b, 'Chồng', 'male', husbandAge, husbandFamily, husbandEth);
  }
  return { wifeAge, childFamily: isMatrilineal(b.ethnicity) ? wifeFamily : husbandFamily };
}

/** Builds one household; the first member is always the head (Chủ hộ). */
export function buildHousehold(rng: Rng, asOf: BirthDate, ethnicity: string): Member[] {
  const b: Builder = { rng, asOf, ethnicity, members: [] };
  const kind = rng.draw(KINDS);
  switch (kind) {
    case 'alone': {
      const old = rng.chance(0.5);
      const age = old ? adultAge(rng, 60, 98) : adultAge(rng, 20, 59);
      add(b, 'Chủ hộ', rng.chance(old ? 0.3 : 0.55) ? 'male' : 'female', age, familyNameFor(rng, ethnicity));
      break;
    }
    case 'couple': {
      addCouple(b, rng.chance(0.3) ? adultAge(rng, 20, 30) : adultAge(rng, 50, 88));
      break;
    }
    case 'nuclear': {
      const { wifeAge, childFamily } = addCouple(b, adultAge(rng, 24, 62));
      addChildren(b, rng.draw(CHILD_COUNT), wifeAge, childFamily, 'Con');
      if (rng.chance(0.04)) {
        // An unmarried younger brother or sister of the head.
        const head = b.members[0];
        if (head) add(b, 'Em', rng.chance(0.5) ? 'male' : 'female', Math.max(18, asOf.year - head.birth.year - rng.between(2, 8)), head.name.family);
      }
      break;
    }
    case 'single-parent': {
      const female = rng.chance(0.8);
      const age = adultAge(rng, 26, 60);
      const family = familyNameFor(rng, ethnicity);
      add(b, 'Chủ hộ', female ? 'female' : 'male', age, family);
      const childFamily = female && !isMatrilineal(ethnicity) ? familyNameFor(rng, ethnicity) : family;
      addChildren(b, rng.draw(CHILD_COUNT), female ? age : Math.max(20, age - 3), childFamily, 'Con');
      break;
    }
    case 'three-generations': {
      // Grandparents head the household; a married son (or daughter) lives with them.
      const grandmaAge = adultAge(rng, 52, 88);
      const widowed = rng.chance(0.28);
      let lineFamily: string;
      if (widowed) {
        const female = rng.chance(0.78);
        lineFamily = familyNameFor(rng, ethnicity);
        add(b, 'Chủ hộ', female ? 'female' : 'male', female ? grandmaAge : grandmaAge + 3, lineFamily);
      } else {
        lineFamily = addCouple(b, grandmaAge).childFamily;
      }
      const childAge = Math.max(20, grandmaAge - ageBetween(rng, 20, 36));
      const son = rng.chance(0.75);
      const child = add(b, 'Con', son ? 'male' : 'female', childAge, lineFamily);
      const inLawEth = spouseEthnicity(rng, ethnicity);
      const inLaw = rng.chance(0.85) ? add(b, 'Khác', son ? 'female' : 'male', son ? childAge - rng.between(0, 5) : childAge + rng.between(0, 5), familyNameFor(rng, inLawEth), inLawEth) : undefined;
      const motherAge = son ? (inLaw ? asOf.year - inLaw.birth.year : childAge - 2) : childAge;
      const grandFamily = isMatrilineal(ethnicity) ? (son ? (inLaw?.name.family ?? familyNameFor(rng, ethnicity)) : child.name.family) : son ? child.name.family : (inLaw?.name.family ?? familyNameFor(rng, ethnicity));
      addChildren(b, rng.draw(CHILD_COUNT), motherAge, grandFamily, 'Cháu');
      break;
    }
    case 'with-parents': {
      // A younger couple heads the household and looks after one or both of the head's parents.
      const { wifeAge, childFamily } = addCouple(b, adultAge(rng, 24, 50));
      addChildren(b, rng.draw(CHILD_COUNT), wifeAge, childFamily, 'Con');
      const head = b.members[0];
      if (!head) break;
      const headAge = asOf.year - head.birth.year;
      const motherAge = Math.min(98, headAge + ageBetween(rng, 20, 36));
      const paternal = isMatrilineal(ethnicity) ? familyNameFor(rng, ethnicity) : head.name.family;
      const maternal = isMatrilineal(ethnicity) ? head.name.family : familyNameFor(rng, ethnicity);
      if (rng.chance(0.75)) add(b, 'Mẹ', 'female', motherAge, maternal);
      if (rng.chance(0.45)) add(b, 'Bố', 'male', Math.min(99, motherAge + rng.between(0, 6)), paternal);
      break;
    }
    case 'with-grandparent': {
      const age = adultAge(rng, 20, 32);
      const family = familyNameFor(rng, ethnicity);
      add(b, 'Chủ hộ', rng.chance(0.5) ? 'male' : 'female', age, family);
      add(b, rng.chance(0.7) ? 'Bà' : 'Ông', 'female', Math.min(99, age + ageBetween(rng, 45, 62)), familyNameFor(rng, ethnicity));
      const last = b.members[1];
      if (last?.relation === 'Ông') {
        last.sex = 'male';
        last.name = nameFor(rng, 'male', last.birth.year, ethnicity, family);
      }
      break;
    }
  }
  return b.members;
}

export function ageOn(birth: BirthDate, asOf: BirthDate): number {
  const beforeBirthday = asOf.month < birth.month || (asOf.month === birth.month && asOf.day < birth.day);
  return asOf.year - birth.year - (beforeBirthday ? 1 : 0);
}
