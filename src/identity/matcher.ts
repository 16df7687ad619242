// The probabilistic record matcher of the master patient index (MISSION B4): decides whether two
// descriptions of a person are the same resident. Pure: the caller finds candidates in the
// database by blockingKeys() and asks matchPersons() about each.
//
// 1. National identifiers decide first. The same CCCD (or mã số BHXH) links, unless the name or
//    birth year clearly belongs to someone else (a relative's number typed into the wrong
//    record): then a person reviews. Two different valid CCCDs are two people — unless they are
//    one keystroke apart, which looks like a typing error and goes no further than review.
// 2. Otherwise a Fellegi–Sunter score: the sum of log2 likelihood ratios (same person vs
//    different people) of name, birth date, sex, commune, phone and CMND. Name weights depend on
//    how common the name is (names.ts).
// 3. Guards for look-alikes the score alone would link: twins (same family, birth date, commune,
//    phone; different given names); namesakes of the same birth year in one commune when a
//    date is only a year; namesakes born the same day in another commune. Without an
//    identifier (or the phone) these go to review, however rare the name: the synthetic test
//    set, like real life, holds namesakes of rare names too.
import { parseBhytCard, validateBhxh, validateCccd, validateCmnd, normalisePhone, type Sex } from './identifiers.ts';
import { compareNames, editDistance, nameWordKey, nameKey, splitVietnameseName, type NameComparison } from './names.ts';

export interface PersonFacts {
  fullName?: string | undefined;
  /** FHIR date: 'yyyy' | 'yyyy-mm' | 'yyyy-mm-dd'. */
  birthDate?: string | undefined;
  sex?: Sex | 'other' | 'unknown' | undefined;
  cccd?: string | undefined;
  cmnd?: string | undefined;
  bhxh?: string | undefined;
  /** 15-character code or the 10-digit number; its mã số BHXH is compared with `bhxh`. */
  bhytCard?: string | undefined;
  /** Commune (xã/phường) code, 2025 or pre-2025. */
  communeCode?: string | undefined;
  /**
   * Other codes of the same place: the 2025 commune(s) an old code became, or the old code of
   * a 2025 commune. The matcher has no admin-unit table; the caller supplies these so that an
   * old and a new code of one place agree.
   */
  communeAliases?: readonly string[] | undefined;
  phone?: string | undefined;
}

export type MatchDecision = 'link' | 'review' | 'new';
export type MatchField = 'cccd' | 'bhxh' | 'cmnd' | 'name' | 'birthDate' | 'sex' | 'commune' | 'phone';
export type FieldOutcome = 'agree' | 'partial' | 'disagree' | 'missing';

export interface FieldComparison {
  field: MatchField;
  outcome: FieldOutcome;
  /** Log2 likelihood ratio this field contributed to the score. */
  weight: number;
}

export interface MatchResult {
  /** Sum of the field weights (log2 likelihood ratio); identifier rules may decide regardless. */
  score: number;
  decision: MatchDecision;
  /** Why, in Vietnamese, for the reviewer. */
  reasons: string[];
  fields: FieldComparison[];
  /**
   * Set when the score alone would have linked but a namesake of the same birth year cannot be
   * ruled out (no full birth date, no shared identifier). decideAmongCandidates may link such a
   * pair when it is the only candidate in a fully registered population.
   */
  possibleNamesake?: true;
  /**
   * With possibleNamesake: besides the name, the sex agrees and a second independent field
   * does too (the full birth date, or the commune). Only such a pair may be linked by
   * decideAmongCandidates' population rule.
   */
  corroborated?: true;
}

/** Score at or above which two records without a deciding identifier are linked automatically. */
export const LINK_THRESHOLD = 16;
/** Score at or above which (and below LINK_THRESHOLD) the pair goes to a person for review. */
export const REVIEW_THRESHOLD = 7;
/** Log2 likelihood-ratio lead (1 : 1,000) over a doubtful candidate that lets the best one decide alone. */
export const DOMINANCE = 10;

// ---------------------------------------------------------------------------------------------
// Preparing one side

interface FhirDate {
  year: number;
  month?: number;
  day?: number;
}

interface Prepared {
  name?: string;
  date?: FhirDate;
  sex?: Sex;
  cccd?: string;
  cmnd?: string;
  bhxh?: string;
  communes?: ReadonlySet<string>;
  phone?: string;
}

export function parseFhirDate(s: string | undefined): FhirDate | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(s?.trim() ?? '');
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return { year };
  if (month === undefined) return { year };
  if (day === undefined || day < 1 || day > 31) return { year, month };
  return { year, month, day };
}

function ok<T>(result: { ok: true; value: T } | { ok: false }): T | undefined {
  return result.ok ? result.value : undefined;
}

function nonEmpty(s: string | undefined): string | undefined {
  const t = s?.trim();
  return t === undefined || t === '' ? undefined : t;
}

/**
 * Prepared facts by facts object: a record is compared with every candidate of its blocking keys,
 * and a candidate with every record of a batch, so each was prepared again for each pair (name
 * keys, identifier checks). Facts are never changed once built; Prepared is read only.
 */
const preparedFacts = new WeakMap<PersonFacts, Prepared>();

function prepare(p: PersonFacts): Prepared {
  let prepared = preparedFacts.get(p);
  if (prepared === undefined) preparedFacts.set(p, (prepared = prepareUncached(p)));
  return prepared;
}

function prepareUncached(p: PersonFacts): Prepared {
  const out: Prepared = {};
  const name = nonEmpty(p.fullName);
  if (name !== undefined && nameKey(name) !== '') out.name = name;
  const date = parseFhirDate(p.birthDate);
  if (date !== undefined) out.date = date;
  if (p.sex === 'male' || p.sex === 'female') out.sex = p.sex;
  const cccd = p.cccd === undefined ? undefined : ok(validateCccd(p.cccd));
  if (cccd !== undefined) {
    out.cccd = cccd.value;
    // The CCCD states year and sex; use them when the record does not.
    out.date ??= { year: cccd.birthYear };
    out.sex ??= cccd.sex;
  }
  const cmnd = p.cmnd === undefined ? undefined : ok(validateCmnd(p.cmnd));
  if (cmnd !== undefined) out.cmnd = cmnd;
  const bhxh = (p.bhxh === undefined ? undefined : ok(validateBhxh(p.bhxh))) ?? cardBhxh(p.bhytCard);
  if (bhxh !== undefined) out.bhxh = bhxh;
  const communes = [p.communeCode, ...(p.communeAliases ?? [])].map(nonEmpty).filter((c): c is string => c !== undefined);
  if (communes.length > 0) out.communes = new Set(communes);
  const phone = p.phone === undefined ? undefined : ok(normalisePhone(p.phone));
  if (phone !== undefined) out.phone = phone;
  return out;
}

function cardBhxh(card: string | undefined): string | undefined {
  return card === undefined ? undefined : ok(parseBhytCard(card))?.bhxh;
}

// ---------------------------------------------------------------------------------------------
// Field comparisons

type Compared = FieldComparison & { reason?: string };

function missing(field: MatchField): Compared {
  return { field, outcome: 'missing', weight: 0 };
}

/** One keystroke apart: one digit changed or two neighbours swapped. */
function oneKeystrokeApart(a: string, b: string): boolean {
  return a.length === b.length && editDistance(a, b) === 1;
}

function compareName(a: Prepared, b: Prepared): { field: Compared; detail?: NameComparison } {
  if (a.name === undefined || b.name === undefined) return { field: missing('name') };
  const detail = compareNames(a.name, b.name);
  const outcome: FieldOutcome =
    detail.given === 'disagree' || detail.family === 'disagree'
      ? 'disagree'
      : detail.given === 'exact' && detail.family !== 'near' && detail.middle !== 'disagree'
        ? 'agree'
        : 'partial';
  const reason =
    detail.given === 'disagree'
      ? 'Tên khác nhau.'
      : detail.family === 'disagree'
        ? 'Họ khác nhau.'
        : outcome === 'agree'
          ? 'Họ tên trùng khớp.'
          : 'Họ tên gần giống (có thể gõ sai hoặc thiếu tên đệm).';
  return { field: { field: 'name', outcome, weight: detail.weight, reason }, detail };
}

type DateRelation = 'exact' | 'swapped' | 'year-typo' | 'day-typo' | 'compatible' | 'different';

function relateDates(a: FhirDate, b: FhirDate): DateRelation {
  if (a.day !== undefined && b.day !== undefined) {
    if (a.year === b.year && a.month === b.month && a.day === b.day) return 'exact';
    if (a.year === b.year && a.month === b.day && a.day === b.month) return 'swapped';
    if (a.month === b.month && a.day === b.day && yearsClose(a.year, b.year)) return 'year-typo';
    if (a.year === b.year && a.month === b.month && oneKeystrokeApart(pad2(a.day), pad2(b.day))) return 'day-typo';
    return 'different';
  }
  if (a.year !== b.year) return 'different';
  if (a.month === undefined || b.month === undefined || a.month === b.month) return 'compatible';
  // A year-month date against a full one: the month may have been taken from the day field.
  const [partial, whole] = a.day === undefined ? [a, b] : [b, a];
  return partial.month === whole.day ? 'compatible' : 'different';
}

/** One keystroke apart, or one year apart (an age converted to a year at the wrong moment). */
function yearsClose(a: number, b: number): boolean {
  return Math.abs(a - b) === 1 || oneKeystrokeApart(String(a), String(b));
}

function pad2(n: number | undefined): string {
  return String(n ?? 0).padStart(2, '0');
}

const DATE_WEIGHTS: Record<DateRelation, { outcome: FieldOutcome; weight: number; reason: string }> = {
  exact: { outcome: 'agree', weight: 12, reason: 'Ngày sinh trùng khớp.' },
  swapped: { outcome: 'partial', weight: 8, reason: 'Ngày sinh trùng khi đảo ngày và tháng.' },
  'year-typo': { outcome: 'partial', weight: 4, reason: 'Ngày, tháng sinh trùng; năm sinh lệch một chữ số.' },
  'day-typo': { outcome: 'partial', weight: 2, reason: 'Năm, tháng sinh trùng; ngày sinh lệch một chữ số.' },
  compatible: { outcome: 'partial', weight: 5, reason: 'Chỉ so được năm sinh (hoặc tháng, năm sinh): trùng.' },
  different: { outcome: 'disagree', weight: -9, reason: 'Ngày sinh khác nhau.' },
};

function compareDate(a: Prepared, b: Prepared): Compared & { relation?: DateRelation } {
  if (a.date === undefined || b.date === undefined) return missing('birthDate');
  const relation = relateDates(a.date, b.date);
  return { field: 'birthDate', relation, ...DATE_WEIGHTS[relation] };
}

function compareSimple(
  field: MatchField,
  a: string | undefined,
  b: string | undefined,
  agree: [number, string],
  disagree: [number, string],
): Compared {
  if (a === undefined || b === undefined) return missing(field);
  return a === b
    ? { field, outcome: 'agree', weight: agree[0], reason: agree[1] }
    : { field, outcome: 'disagree', weight: disagree[0], reason: disagree[1] };
}

// ---------------------------------------------------------------------------------------------
// Decision

/** A 12-digit CMND is the same number as the holder's later CCCD. */
function sameNationalNumber(a: Prepared, b: Prepared): boolean {
  return (a.cmnd !== undefined && a.cmnd === b.cccd) || (b.cmnd !== undefined && b.cmnd === a.cccd);
}

export function matchPersons(left: PersonFacts, right: PersonFacts): MatchResult {
  const a = prepare(left);
  const b = prepare(right);
  const { field: name, detail } = compareName(a, b);
  const date = compareDate(a, b);
  const fields: Compared[] = [
    compareCccd(a, b),
    compareBhxh(a, b),
    compareCmnd(a, b),
    name,
    date,
    compareSimple('sex', a.sex, b.sex, [1, 'Cùng giới tính.'], [-10, 'Giới tính khác nhau.']),
    compareCommunes(a.communes, b.communes),
    compareSimple('phone', a.phone, b.phone, [5, 'Trùng số điện thoại.'], [-1, 'Số điện thoại khác nhau.']),
  ];
  const score = fields.reduce((sum, f) => sum + f.weight, 0);
  const reasons = fields.flatMap((f) => (f.reason === undefined ? [] : [f.reason]));
  const decided = decide(a, b, score, fields, detail, date.relation);
  return {
    score: Math.round(score * 100) / 100,
    decision: decided.decision,
    reasons: decided.reason === undefined ? reasons : [decided.reason, ...reasons],
    fields: fields.map(({ field, outcome, weight }) => ({ field, outcome, weight: Math.round(weight * 100) / 100 })),
    ...(decided.possibleNamesake ? { possibleNamesake: true as const } : {}),
    ...(decided.corroborated ? { corroborated: true as const } : {}),
  };
}

/**
 * True when matchPersons would certainly answer 'new' without needing the names: both records
 * carry a complete birth date, the dates differ beyond any typing slip, and no national
 * identifier agrees (a different date decides 'new' in decide(), after the identifier rules).
 * The resolver skips such candidates — namesakes of a common given name and year — before
 * comparing names, which is most of the matcher's cost in a large province.
 */
export function cannotLink(left: PersonFacts, right: PersonFacts): boolean {
  if (!bornOnAnotherDay(left, right)) return false;
  const a = prepare(left);
  const b = prepare(right);
  const sameId = (x: string | undefined, y: string | undefined) => x !== undefined && x === y;
  return !(sameId(a.cccd, b.cccd) || sameId(a.bhxh, b.bhxh) || sameNationalNumber(a, b));
}

/**
 * True when the two records carry national identifiers that name two people: different valid
 * CCCDs (not one keystroke apart) and no shared BHXH, or different mã số BHXH and no shared
 * CCCD — the identifier rules of decide() that answer 'new'. An exact HSSK key (a household
 * member code: household, name, birth date) does not outweigh them: two people of one household
 * can be written alike (twins given one name, a row typed twice with another person's papers).
 */
export function nationalIdentifiersConflict(left: PersonFacts, right: PersonFacts): boolean {
  const a = prepare(left);
  const b = prepare(right);
  const cccd = compareCccd(a, b).outcome;
  const bhxh = compareBhxh(a, b).outcome;
  return (cccd === 'disagree' && bhxh !== 'agree') || (bhxh === 'disagree' && cccd !== 'agree');
}

/**
 * The date half of cannotLink, from the written dates alone (no identifier checks): the
 * resolver asks it of every candidate, and knows from the blocking keys which candidates share
 * an identifier — a shared CCCD, CMND or BHXH number is always a shared key.
 */
export function bornOnAnotherDay(left: PersonFacts, right: PersonFacts): boolean {
  const a = parseFhirDate(left.birthDate);
  const b = parseFhirDate(right.birthDate);
  return a?.day !== undefined && b?.day !== undefined && relateDates(a, b) === 'different';
}

export interface CandidateDecision<Id> {
  decision: MatchDecision;
  /** The resident to link to (decision 'link'), or the best candidate to show a reviewer. */
  candidate?: Id;
  results: { id: Id; result: MatchResult }[];
}

/**
 * Decides among all candidates found by blockingKeys(). One clear link wins over candidates held
 * back only as possible namesakes (they are explained by it); two clear links, or two
 * look-alikes, go to review. When `populationComplete` (every resident of the commune the
 * person states is registered, MISSION A3 — src/identity/mpi/population-rule.ts — and the keys
 * search the whole province), a namesake living there would be among the candidates, so a
 * sole candidate held back only for a possible namesake is linked — if the pair is corroborated
 * beyond the name (sex, and the full birth date or the commune), and the person states a
 * commune: someone who is not registered must still coincide on two independent fields besides
 * the name.
 */
export function decideAmongCandidates<Id>(
  person: PersonFacts,
  candidates: readonly { id: Id; facts: PersonFacts }[],
  options: { populationComplete?: boolean } = {},
): CandidateDecision<Id> {
  const results = candidates
    .map(({ id, facts }) => ({ id, result: matchPersons(person, facts) }))
    .sort((x, y) => rank(y.result) - rank(x.result) || y.result.score - x.result.score);
  const best = results[0];
  if (best === undefined || best.result.decision === 'new') return { decision: 'new', results };
  const links = results.filter((r) => r.result.decision === 'link');
  const namesakes = results.filter((r) => r.result.decision === 'review' && r.result.possibleNamesake);
  // Doubtful candidates count only when they come near the best one: a candidate DOMINANCE bits
  // below is a thousand times less likely to be the person (say, another family name that
  // shares the given name and birth date) and does not hold back a clear link.
  const doubtful = results.filter((r) => r.result.decision === 'review' && !r.result.possibleNamesake && r.result.score > best.result.score - DOMINANCE);
  if (links.length === 1 && doubtful.length === 0) return { decision: 'link', candidate: best.id, results };
  if (links.length === 0 && doubtful.length === 0 && namesakes.length === 1 && options.populationComplete === true && namesakes[0]?.result.corroborated === true) {
    return { decision: 'link', candidate: best.id, results };
  }
  return { decision: 'review', candidate: best.id, results };
}

function rank(r: MatchResult): number {
  return r.decision === 'link' ? 2 : r.decision === 'review' ? 1 : 0;
}

function compareCommunes(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): Compared {
  if (a === undefined || b === undefined) return missing('commune');
  return [...a].some((code) => b.has(code))
    ? { field: 'commune', outcome: 'agree', weight: 3, reason: 'Cùng xã/phường.' }
    : { field: 'commune', outcome: 'disagree', weight: -1.5, reason: 'Khác xã/phường (có thể đã chuyển nơi ở).' };
}

function compareCccd(a: Prepared, b: Prepared): Compared {
  if (sameNationalNumber(a, b)) return { field: 'cccd', outcome: 'agree', weight: 14, reason: 'Số CMND 12 số trùng số CCCD.' };
  if (a.cccd === undefined || b.cccd === undefined) return missing('cccd');
  if (a.cccd === b.cccd) return { field: 'cccd', outcome: 'agree', weight: 14, reason: 'Trùng số CCCD.' };
  if (oneKeystrokeApart(a.cccd, b.cccd)) {
    // Two people's random serials one digit apart are rarer than one typing error.
    return { field: 'cccd', outcome: 'partial', weight: -1, reason: 'Số CCCD lệch một chữ số (có thể nhập sai).' };
  }
  return { field: 'cccd', outcome: 'disagree', weight: -20, reason: 'Số CCCD khác nhau.' };
}

function compareBhxh(a: Prepared, b: Prepared): Compared {
  return compareSimple('bhxh', a.bhxh, b.bhxh, [14, 'Trùng mã số BHXH.'], [-14, 'Mã số BHXH khác nhau.']);
}

function compareCmnd(a: Prepared, b: Prepared): Compared {
  if (a.cmnd === undefined || b.cmnd === undefined) return missing('cmnd');
  if (a.cmnd === b.cmnd) return { field: 'cmnd', outcome: 'agree', weight: 12, reason: 'Trùng số CMND.' };
  // People renewing a CMND in another province got a new number: weak evidence against.
  return { field: 'cmnd', outcome: 'disagree', weight: -3, reason: 'Số CMND khác nhau.' };
}

function outcomeOf(fields: Compared[], field: MatchField): FieldOutcome {
  return fields.find((f) => f.field === field)?.outcome ?? 'missing';
}

interface Decided {
  decision: MatchDecision;
  reason?: string;
  possibleNamesake?: true;
  corroborated?: true;
}

function decide(
  a: Prepared,
  b: Prepared,
  score: number,
  fields: Compared[],
  name: NameComparison | undefined,
  date: DateRelation | undefined,
): Decided {
  const cccd = outcomeOf(fields, 'cccd');
  const bhxh = outcomeOf(fields, 'bhxh');
  if (cccd === 'disagree') {
    return bhxh === 'agree'
      ? { decision: 'review', reason: 'Số CCCD khác nhau nhưng trùng mã số BHXH: cần kiểm tra.' }
      : { decision: 'new', reason: 'Hai số CCCD hợp lệ khác nhau: hai người khác nhau.' };
  }
  if (cccd === 'agree' || (bhxh === 'agree' && cccd !== 'partial')) return decideOnIdentifier(a, b, name, cccd === 'agree' ? 'CCCD' : 'BHXH');
  if (bhxh === 'disagree') return { decision: 'new', reason: 'Hai mã số BHXH hợp lệ khác nhau: hai người khác nhau.' };
  if (date === 'different') {
    // Birth dates that differ beyond a typing slip are two people however alike the names:
    // namesakes of one commune, a father and the son named after him.
    return { decision: 'new', reason: 'Ngày sinh khác nhau.' };
  }

  const byScore: MatchDecision = score >= LINK_THRESHOLD ? 'link' : score >= REVIEW_THRESHOLD ? 'review' : 'new';
  if (byScore === 'new') return { decision: 'new' };
  if (name?.given === 'disagree') {
    // Twins and siblings share everything but the given name; a different given name is never
    // a typing error we can trust.
    return { decision: 'new', reason: date === 'exact' ? 'Tên khác nhau dù trùng ngày sinh (có thể là anh chị em sinh đôi).' : 'Tên khác nhau.' };
  }
  if (byScore === 'review') return { decision: 'review' };
  return capLink(a, b, fields, name, date);
}

function givenKey(p: Prepared): string {
  return p.name === undefined ? '' : nameWordKey(splitVietnameseName(p.name).given);
}

function decideOnIdentifier(a: Prepared, b: Prepared, name: NameComparison | undefined, which: string): Decided {
  // A relative's number typed into the wrong record: the given name differs beyond one edit,
  // or the birth year differs while the name does not clearly agree.
  const nameContradicts = name?.given === 'disagree' && editDistance(givenKey(a), givenKey(b)) > 1;
  const nameAgrees = name !== undefined && name.given !== 'disagree' && name.family !== 'disagree';
  const yearContradicts =
    !nameAgrees && a.date !== undefined && b.date !== undefined && a.date.year !== b.date.year && !yearsClose(a.date.year, b.date.year);
  if (nameContradicts || yearContradicts) {
    const what = nameContradicts ? (yearContradicts ? 'tên và năm sinh' : 'tên') : 'năm sinh';
    return { decision: 'review', reason: `Trùng số ${which} nhưng ${what} khác nhau: có thể nhập nhầm số của người khác.` };
  }
  return { decision: 'link', reason: `Trùng số ${which}.` };
}

// The score says link; these look-alikes still go to a person.
function capLink(a: Prepared, b: Prepared, fields: Compared[], name: NameComparison | undefined, date: DateRelation | undefined): Decided {
  const confirmed = ['bhxh', 'cmnd', 'phone'].some((f) => outcomeOf(fields, f as MatchField) === 'agree') || sameNationalNumber(a, b);
  // Day and month agreeing (the year perhaps mistyped) rule out namesakes of one commune; a
  // mistyped day does not: a tenth of all days are one keystroke from any given day. Rare names
  // get no exception: a namesake who exists is as alike whatever the name.
  const fullDateAgrees = date === 'exact' || date === 'swapped' || date === 'year-typo';
  const communeAgrees = outcomeOf(fields, 'commune') === 'agree';
  const sexAgrees = outcomeOf(fields, 'sex') === 'agree';
  if (!confirmed && !communeAgrees) {
    // Namesakes born on the same day live in every province of a million people; a resident
    // who moved cannot be told from one without an identifier or the phone.
    const corroborated = sexAgrees && fullDateAgrees && outcomeOf(fields, 'commune') === 'disagree';
    return {
      decision: 'review',
      reason: 'Khác (hoặc thiếu) xã/phường và không có giấy tờ hay số điện thoại trùng: có thể là người trùng tên.',
      possibleNamesake: true,
      ...(corroborated ? { corroborated: true as const } : {}),
    };
  }
  if (!fullDateAgrees && !confirmed) {
    // Only the birth year (or a mistyped day) agrees: the same commune is the second field.
    const corroborated = sexAgrees && communeAgrees && (date === 'compatible' || date === 'day-typo');
    return {
      decision: 'review',
      reason: 'Không có ngày sinh đầy đủ trùng khớp hay giấy tờ trùng: có thể là người trùng tên, trùng năm sinh.',
      possibleNamesake: true,
      ...(corroborated ? { corroborated: true as const } : {}),
    };
  }
  // Twins share the household phone, so only a document settles a doubtful given name.
  const documented = ['bhxh', 'cmnd'].some((f) => outcomeOf(fields, f as MatchField) === 'agree') || sameNationalNumber(a, b);
  const givenUncertain = name?.given === 'diacritics';
  if (givenUncertain && name?.family === 'exact' && !documented) {
    return { decision: 'review', reason: 'Tên gần giống, trùng họ: có thể gõ sai, cũng có thể là anh chị em (sinh đôi).' };
  }
  if (!documented && name?.family === 'disagree') {
    return { decision: 'review', reason: 'Họ khác nhau, không có giấy tờ trùng: có thể là hai người khác nhau.' };
  }
  // In a province of a million, two people of one commune alike in name and birth date are
  // common enough that two imperfect fields together — a name that only nearly agrees, a birth
  // date with its day and month swapped or a digit off, another sex — are more often two people
  // than two typing slips, unless a document or the phone agrees. (Another phone alone is not
  // counted: people change numbers, and true pairs with a new phone are common.)
  const imperfect = [outcomeOf(fields, 'name') !== 'agree', date !== 'exact' && date !== 'compatible', outcomeOf(fields, 'sex') === 'disagree'].filter(Boolean).length;
  if (!confirmed && imperfect >= 2) {
    return { decision: 'review', reason: 'Họ tên, ngày sinh hoặc giới tính chỉ gần giống ở hai chỗ, không có giấy tờ hay số điện thoại trùng: cần kiểm tra.' };
  }
  return { decision: 'link' };
}

// ---------------------------------------------------------------------------------------------
// Blocking

/**
 * Keys under which candidates for a person are looked up. Each key leaves out at least one
 * field, so a typo in any single field still finds the candidate through another key:
 * identifiers and phone stand alone; name keys are folded (no diacritics, i/y unified); day and
 * month are sorted so that a swapped date gives the same key.
 */
export function blockingKeys(person: PersonFacts): string[] {
  const p = prepare(person);
  const keys = new Set<string>();
  if (p.cccd !== undefined) keys.add(`cccd:${p.cccd}`);
  if (p.cmnd !== undefined) keys.add(p.cmnd.length === 12 ? `cccd:${p.cmnd}` : `cmnd:${p.cmnd}`);
  if (p.bhxh !== undefined) keys.add(`bhxh:${p.bhxh}`);
  if (p.phone !== undefined) keys.add(`phone:${p.phone}`);
  if (p.name !== undefined) addNameKeys(keys, p.name, p.date);
  return [...keys];
}

function addNameKeys(keys: Set<string>, fullName: string, date: FhirDate | undefined): void {
  const parts = splitVietnameseName(fullName);
  const given = nameWordKey(parts.given);
  const family = parts.family === '' ? '' : nameKey(parts.family);
  // The first two letters of the given name survive most typos, and with the family name and
  // a date part they keep the buckets small even for Nguyễn.
  const givenPrefix = given.slice(0, 2);
  keys.add(`name:${nameKey(fullName)}`);
  if (date === undefined) return;
  if (given !== '') keys.add(`given-year:${given}|${date.year}`);
  if (family !== '' && givenPrefix !== '') keys.add(`family-prefix-year:${family}|${givenPrefix}|${date.year}`);
  if (date.month === undefined || date.day === undefined) return;
  const dayMonth = [date.day, date.month].sort((x, y) => x - y).map(pad2).join('');
  if (family !== '') keys.add(`family-date:${family}|${date.year}|${dayMonth}`);
  if (given !== '') keys.add(`given-date:${given}|${date.year}|${dayMonth}`);
  if (family !== '' && givenPrefix !== '') keys.add(`family-prefix-daymonth:${family}|${givenPrefix}|${dayMonth}`);
}
