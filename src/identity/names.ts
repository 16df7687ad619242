// Vietnamese personal names for search and record matching.
//
// A Vietnamese name is written family name first, given name last ("Nguyễn Thị Minh Anh":
// family Nguyễn, middle Thị Minh, given Anh). The family name is weak evidence (a third of the
// country is Nguyễn); the given name is what tells people apart, so every comparison here weighs
// it more. Records arrive with and without diacritics, with old and new tone placement
// ("Thuỷ"/"Thủy") and with i/y spelling variants ("Lý"/"Lí"), so matching works on folded keys.

import { foldVietnamese } from '../fhir/fold.ts';

/** Folding is the FHIR layer's (one rule for search and matching), re-exported for identity callers. */
export { foldVietnamese };

export interface VietnameseName {
  /** Family name (họ); '' when the name has a single word. */
  family: string;
  /** Middle names (tên đệm / tên lót), possibly empty. */
  middle: string[];
  /** Given name (tên), the last word. */
  given: string;
}

// Two-word family names that would otherwise be read as family + middle. Only names that are
// unambiguously family names are listed ("Nguyễn Phúc" is not: Phúc is a common middle name).
const COMPOUND_FAMILY_NAMES = new Set(['ton that', 'ton nu', 'au duong', 'gia cat', 'tu ma']);

/** Splits a full name into family, middle and given names (NFC, single spaces, case kept). */
export function splitVietnameseName(full: string): VietnameseName {
  const words = full.normalize('NFC').replace(/[,;]/g, ' ').split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return { family: '', middle: [], given: '' };
  if (words.length === 1) return { family: '', middle: [], given: words[0] ?? '' };
  const given = words[words.length - 1] ?? '';
  const compound = words.length >= 4 && COMPOUND_FAMILY_NAMES.has(foldVietnamese(`${words[0]} ${words[1]}`));
  const familyWords = compound ? 2 : 1;
  return { family: words.slice(0, familyWords).join(' '), middle: words.slice(familyWords, -1), given };
}

// After a plain onset, a final "y" and "i" are the same syllable in two spellings (old and new
// orthography: Lý/Lí, Mỹ/Mĩ, Kỳ/Kì, Vy/Vi, Sỹ/Sĩ, Quý/Quí). "uy" (Huy, Thuỷ) is a different
// vowel and is left alone.
const I_Y_SYLLABLE = /^(ch|gh|kh|nh|ph|th|tr|qu|[bcdghklmnprstvx])y$/;

/** Name words repeat endlessly (Nguyễn, Văn, Thị…): their keys are kept, in a bounded table. */
const wordKeys = new Map<string, string>();

/** The matching key of one name word: folded, letters only, i/y variants unified. */
export function nameWordKey(word: string): string {
  let key = wordKeys.get(word);
  if (key === undefined) {
    if (wordKeys.size >= 20_000) wordKeys.clear();
    wordKeys.set(word, (key = nameWordKeyUncached(word)));
  }
  return key;
}

function nameWordKeyUncached(word: string): string {
  const folded = foldVietnamese(word).replace(/[^a-z0-9]/g, '');
  return I_Y_SYLLABLE.test(folded) ? `${folded.slice(0, -1)}i` : folded;
}

/** The matching key of a full name: word keys joined by single spaces. */
export function nameKey(full: string): string {
  return full
    .split(/[\s,;.-]+/)
    .map(nameWordKey)
    .filter((w) => w !== '')
    .join(' ');
}

/** Jaro–Winkler similarity in [0, 1] (prefix scale 0.1, prefix up to 4 characters). */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(a.length, b.length) / 2) - 1);
  const aMatched = new Array<boolean>(a.length).fill(false);
  const bMatched = new Array<boolean>(b.length).fill(false);
  let matches = 0;
  for (let i = 0; i < a.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(b.length - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (bMatched[j] || a[i] !== b[j]) continue;
      aMatched[i] = true;
      bMatched[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a[i] !== b[k]) transpositions++;
    k++;
  }
  const jaro = (matches / a.length + matches / b.length + (matches - transpositions / 2) / matches) / 3;
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transposition). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const prev = rows[i - 1] as number[];
      let best = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

// ---------------------------------------------------------------------------------------------
// Frequencies. A coincidence on a common name says little; on a rare one, a lot. The shares are
// the chance that a random resident carries the name, keyed by nameWordKey.

/**
 * Shares of the most common family names. Widely cited national estimates (Wikipedia,
 * "Vietnamese name", rounded); merged pairs (Hoàng/Huỳnh 5.1%, Vũ/Võ 3.9%) split by us, roughly
 * north/south. Names not listed get FAMILY_NAME_DEFAULT_SHARE.
 */
export const FAMILY_NAME_SHARES: ReadonlyMap<string, number> = new Map([
  ['nguyen', 0.384],
  ['tran', 0.121],
  ['le', 0.095],
  ['pham', 0.07],
  ['hoang', 0.03],
  ['huynh', 0.021],
  ['phan', 0.045],
  ['vu', 0.02],
  ['vo', 0.019],
  ['dang', 0.021],
  ['bui', 0.02],
  ['do', 0.014],
  ['ho', 0.013],
  ['ngo', 0.013],
  ['duong', 0.01],
  ['li', 0.005],
]);
export const FAMILY_NAME_DEFAULT_SHARE = 0.002;

/**
 * Rough shares of common given names (our estimate from name lists; no official statistics
 * exist). Only their order of magnitude matters: they keep "Anh" from counting like "Khuê".
 */
export const GIVEN_NAME_SHARES: ReadonlyMap<string, number> = new Map([
  ['anh', 0.035], ['linh', 0.025], ['huong', 0.02], ['hung', 0.02], ['dung', 0.02], ['trang', 0.02],
  ['thao', 0.018], ['ha', 0.018], ['hoa', 0.015], ['lan', 0.015], ['hang', 0.015], ['nam', 0.015],
  ['hai', 0.015], ['tuan', 0.015], ['minh', 0.015], ['thanh', 0.015], ['phuong', 0.015], ['hieu', 0.012],
  ['long', 0.012], ['duc', 0.012], ['thu', 0.012], ['ngoc', 0.012], ['mai', 0.012], ['huyen', 0.012],
  ['son', 0.012], ['cuong', 0.012], ['nhung', 0.01], ['yen', 0.01], ['quang', 0.01], ['hoang', 0.01],
  ['thang', 0.01], ['binh', 0.01], ['tam', 0.01], ['vinh', 0.008], ['tu', 0.008], ['nga', 0.008],
  ['van', 0.008], ['loan', 0.008], ['nhi', 0.008], ['vi', 0.006], ['thuy', 0.012], ['hanh', 0.01],
  ['hien', 0.01], ['trung', 0.01], ['dat', 0.01], ['khanh', 0.008], ['quan', 0.008], ['phuc', 0.008],
]);
export const GIVEN_NAME_DEFAULT_SHARE = 0.002;

/** Rough shares of middle names; Thị and Văn are carried by about half of women and of men. */
export const MIDDLE_NAME_SHARES: ReadonlyMap<string, number> = new Map([
  ['thi', 0.25], ['van', 0.2], ['ngoc', 0.04], ['thanh', 0.04], ['duc', 0.03], ['minh', 0.03],
  ['huu', 0.02], ['quang', 0.02], ['xuan', 0.02], ['hong', 0.02], ['cong', 0.015], ['kim', 0.015],
  ['thu', 0.015], ['bao', 0.01], ['gia', 0.01], ['anh', 0.01], ['dinh', 0.01], ['trung', 0.01],
]);
export const MIDDLE_NAME_DEFAULT_SHARE = 0.005;

export function familyNameShare(family: string): number {
  return FAMILY_NAME_SHARES.get(nameKey(family)) ?? FAMILY_NAME_DEFAULT_SHARE;
}

export function givenNameShare(given: string): number {
  return GIVEN_NAME_SHARES.get(nameKey(given)) ?? GIVEN_NAME_DEFAULT_SHARE;
}

export function middleNameShare(middle: string): number {
  return MIDDLE_NAME_SHARES.get(nameKey(middle)) ?? MIDDLE_NAME_DEFAULT_SHARE;
}

// ---------------------------------------------------------------------------------------------
// Comparison

/**
 * How two name words compare:
 * - `exact`: same word (ignoring diacritics when either record was typed without them, and
 *   ignoring i/y spelling);
 * - `tone`: both records carry diacritics and the words differ only in a tone mark (Hùng/Hung):
 *   a typing slip;
 * - `diacritics`: the words differ in a vowel mark (Lan/Lân): possibly two different names;
 * - `typo`: one edit apart, and one of them is no Vietnamese syllable: surely a typing error;
 * - `near`: one edit apart, same first letter, both real syllables: a typing slip or two names
 *   (Trung/Trang, An/Anh);
 * - `disagree`, or `missing` on either side.
 */
export type WordAgreement = 'exact' | 'tone' | 'diacritics' | 'typo' | 'near' | 'disagree' | 'missing';

export interface NameComparison {
  family: WordAgreement;
  middle: 'exact' | 'partial' | 'disagree' | 'missing';
  given: WordAgreement;
  /** Similarity in [0, 1]: Jaro–Winkler per part, given name weighted 0.5, family 0.3, middle 0.2. */
  similarity: number;
  /** Log2 likelihood ratio (match vs non-match) of the name, frequency-aware; see compareNames. */
  weight: number;
}

function hasDiacritics(s: string): boolean {
  return foldVietnamese(s) !== s.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

// The marks of a word regardless of where they sit, so that old and new tone placement
// (Thuỷ/Thủy) and i/y spelling (Lý/Lí) count as the same writing while Lan/Lân do not.
function diacriticMarks(word: string): string {
  const marks = word.normalize('NFD').match(/\p{M}/gu) ?? [];
  const dBar = /[đĐ]/.test(word) ? 'đ' : '';
  return dBar + [...marks].sort().join('');
}

// The shape of a Vietnamese syllable once folded: optional onset, a vowel group, optional final
// consonant. Vowel groups that need a final consonant (iê in "tiến", uô in "muốn") are only
// accepted with one. Loose (it accepts some non-words) but every real name passes.
const ONSET = '(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?';
const OPEN_VOWELS = 'a|e|i|o|u|y|ai|ao|au|ay|eo|eu|ia|iu|oa|oe|oi|ua|ue|ui|uu|uy|ieu|yeu|oai|oay|oeo|uay|uoi|uou|uya|uyu';
const CLOSED_VOWELS = 'a|e|i|o|u|y|ie|ye|uo|oa|oe|oo|ua|ue|uy|uye';
const SYLLABLE = new RegExp(`^${ONSET}(?:(?:${OPEN_VOWELS})|(?:${CLOSED_VOWELS})(?:ch|nh|ng|[cmnpt]))$`);

/** Whether a folded word has the shape of a Vietnamese syllable. */
export function isVietnameseSyllable(folded: string): boolean {
  return SYLLABLE.test(folded);
}

function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const diff = [...a].flatMap((c, i) => (c === b[i] ? [] : [i]));
  const [i, j] = diff;
  return diff.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i];
}

// Tone marks: grave, acute, tilde, hook above, dot below. Breve, circumflex and horn make
// other vowels and are kept.
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;

function withoutTones(word: string): string {
  return word.normalize('NFD').replace(TONE_MARKS, '').normalize('NFC').toLowerCase();
}

function compareWords(a: string, b: string, bothDiacritised: boolean): WordAgreement {
  if (a === '' || b === '') return 'missing';
  const ka = nameWordKey(a);
  const kb = nameWordKey(b);
  if (ka === kb) {
    if (!bothDiacritised || diacriticMarks(a) === diacriticMarks(b)) return 'exact';
    // A wrong or missing tone mark is the commonest typing slip (Hùng/Hưng is not: ư is another
    // vowel, and Lan/Lân may be two names).
    return withoutTones(a) === withoutTones(b) ? 'tone' : 'diacritics';
  }
  if (editDistance(ka, kb) !== 1) {
    // The i/y unification can hide a slip ("Vy" typed "Vyy" folds to vi / vyy): compare as typed.
    const fa = foldVietnamese(a).replace(/[^a-z0-9]/g, '');
    const fb = foldVietnamese(b).replace(/[^a-z0-9]/g, '');
    return editDistance(fa, fb) === 1 && (!isVietnameseSyllable(fa) || !isVietnameseSyllable(fb)) ? 'typo' : 'disagree';
  }
  // One edit that leaves a word no Vietnamese syllable can be ("Lna", "Vâân") is surely a typo;
  // so is two letters swapped, unless both spellings are common names (Hoa/Hao is not listed).
  if (!isVietnameseSyllable(ka) || !isVietnameseSyllable(kb)) return 'typo';
  if (isAdjacentSwap(ka, kb) && !(GIVEN_NAME_SHARES.has(ka) && GIVEN_NAME_SHARES.has(kb))) return 'typo';
  // Two real names one letter apart (Hùng/Dũng, An/Anh, Mai/Ma) may be a slip or two people.
  return ka[0] === kb[0] ? 'near' : 'disagree';
}

function compareMiddles(a: string[], b: string[]): NameComparison['middle'] {
  if (a.length === 0 || b.length === 0) return 'missing';
  const ka = a.map(nameWordKey);
  const kb = b.map(nameWordKey);
  if (ka.join(' ') === kb.join(' ')) return 'exact';
  // One record dropped a middle word ("Thị Ngọc" / "Ngọc"), or one word is mistyped.
  const [shorter, longer] = ka.length <= kb.length ? [ka, kb] : [kb, ka];
  if (shorter.every((w) => longer.includes(w))) return 'partial';
  if (ka.length === kb.length && ka.every((w, i) => w === kb[i] || editDistance(w, kb[i] ?? '') <= 1)) return 'partial';
  return 'disagree';
}

// Log2 likelihood ratios. m = chance the part is recorded this way for the same person (typos,
// dropped words), u = chance for two different people (the name's share for agreement).
const log2 = Math.log2;
// A typo leaves two spellings; the more common one is assumed, so the weight stays symmetric
// and errs towards less evidence.
function familyWeight(agreement: WordAgreement, a: string, b: string): number {
  const share = Math.max(familyNameShare(a), familyNameShare(b));
  switch (agreement) {
    case 'exact':
      return log2(0.95 / share);
    case 'diacritics':
      return 0;
    case 'tone':
    case 'typo':
      return log2(0.95 / share) - 2;
    case 'near':
      return 1;
    case 'disagree':
      return -5;
    case 'missing':
      return 0;
  }
}

function givenWeight(agreement: WordAgreement, a: string, b: string): number {
  const share = Math.max(givenNameShare(a), givenNameShare(b));
  switch (agreement) {
    case 'exact':
      return log2(0.95 / share);
    case 'diacritics':
      return Math.max(-2, Math.min(2, log2(0.01 / share)));
    case 'tone':
    case 'typo':
      return log2(0.95 / share) - 2;
    case 'near':
      return 1;
    case 'disagree':
      return -7;
    case 'missing':
      return 0;
  }
}

function middleWeight(agreement: NameComparison['middle'], middle: string[]): number {
  switch (agreement) {
    case 'exact':
      return Math.min(8, middle.reduce((sum, w) => sum + log2(0.85 / middleNameShare(w)), 0));
    case 'partial':
      return 0.5;
    case 'disagree':
      return -3;
    case 'missing':
      return 0;
  }
}

function partSimilarity(a: string, b: string): number | undefined {
  if (a === '' || b === '') return undefined;
  return jaroWinkler(nameKey(a), nameKey(b));
}

function similarityOf(a: VietnameseName, b: VietnameseName): number {
  const parts: [number | undefined, number][] = [
    [partSimilarity(a.given, b.given), 0.5],
    [partSimilarity(a.family, b.family), 0.3],
    [partSimilarity(a.middle.join(' '), b.middle.join(' ')), 0.2],
  ];
  let total = 0;
  let weights = 0;
  for (const [sim, w] of parts) {
    if (sim === undefined) continue;
    total += sim * w;
    weights += w;
  }
  return weights === 0 ? 0 : total / weights;
}

/** Compares two full names part by part. */
export function compareNames(fullA: string, fullB: string): NameComparison {
  const a = splitVietnameseName(fullA);
  const b = splitVietnameseName(fullB);
  const bothDiacritised = hasDiacritics(fullA) && hasDiacritics(fullB);
  const family = compareWords(a.family, b.family, bothDiacritised);
  const given = compareWords(a.given, b.given, bothDiacritised);
  const middle = compareMiddles(a.middle, b.middle);
  const weight = familyWeight(family, a.family, b.family) + givenWeight(given, a.given, b.given) + middleWeight(middle, a.middle);
  return { family, middle, given, similarity: similarityOf(a, b), weight };
}

/** Similarity in [0, 1] of two full names, the given name weighing most. */
export function nameSimilarity(fullA: string, fullB: string): number {
  return similarityOf(splitVietnameseName(fullA), splitVietnameseName(fullB));
}
