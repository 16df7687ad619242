// A one-regex screen in front of the word-level classifiers: almost no text mentions anything
// in the excluded lists, and proving that with one precompiled pattern over the folded text costs a
// fraction of splitting it into words and checking each against every list. The screen only says
// "maybe"; the exact rules (whole words, diacritics, combinations) decide after it.
//
// Why it never misses: a word as the classifiers see it is a run of letters/digits of the NFC,
// lower-cased text, folded. Folding works character by character (canonical decomposition per
// character; the marks it strips are the only ones reordered), so the folded form of a word is a
// substring of the folded form of the whole text, and so is every word sequence a phrase needs
// (its separators can only shrink, never grow). Every trigger below is therefore looked for as a
// plain substring, phrases with optional separators.
import {
  ARV_ABBREVIATIONS_AMBIGUOUS,
  ARV_ABBREVIATIONS_HIV_ONLY,
  CASE_SENSITIVE_WORDS,
  DRUG_TREATMENT_INGREDIENTS,
  EXCLUDED_PHRASES,
  HIV_ONLY_INGREDIENTS,
  HIV_OR_HBV_INGREDIENTS,
  HIV_PRODUCT_NAMES,
  HIV_REGIMEN_NAMES,
  type ExcludedCategory,
} from './excluded-lists.ts';
import { fold, isAscii } from './fold.ts';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SEPARATORS = '[^\\p{L}\\p{N}]*';

function phrasePattern(phrase: string): string {
  return fold(phrase.normalize('NFC').toLowerCase()).split(/[^\p{L}\p{N}]+/u).filter(Boolean).map(escape).join(SEPARATORS);
}

const CATEGORIES: readonly ExcludedCategory[] = ['hiv', 'drug-use', 'sex-work'];

/** Triggers of medicine names: ingredient stems, products, regimen names, abbreviations. */
const DRUG_TRIGGERS: readonly string[] = [
  ...HIV_ONLY_INGREDIENTS, ...HIV_OR_HBV_INGREDIENTS, ...DRUG_TREATMENT_INGREDIENTS,
  ...HIV_PRODUCT_NAMES, ...HIV_REGIMEN_NAMES, ...ARV_ABBREVIATIONS_HIV_ONLY, ...ARV_ABBREVIATIONS_AMBIGUOUS,
];

function compile(parts: readonly string[]): RegExp {
  // Longest first is not needed for a yes/no test; duplicates are dropped for a smaller automaton.
  return new RegExp([...new Set(parts)].join('|'), 'u');
}

/** Any text trigger: phrases, "hiv", medicine words, upper-case-only words, a dotted ICD-10 code. */
const TEXT_SCREEN = compile([
  'hiv',
  ...CATEGORIES.flatMap((c) => EXCLUDED_PHRASES[c].map(phrasePattern)),
  ...CATEGORIES.flatMap((c) => CASE_SENSITIVE_WORDS[c].map(phrasePattern)),
  ...DRUG_TRIGGERS.map(phrasePattern),
  '[a-z]\\d\\d\\.\\d',
]);

const DRUG_SCREEN = compile(DRUG_TRIGGERS.map(phrasePattern));

/** The text the classifiers split into words (NFC, lower case). */
export function lowerNfc(text: string): string {
  return isAscii(text) ? text.toLowerCase() : text.normalize('NFC').toLowerCase();
}

/** False when the text certainly mentions nothing excluded. */
export function textMayMatch(lower: string): boolean {
  return TEXT_SCREEN.test(fold(lower));
}

/** False when a medicine name certainly names nothing excluded. */
export function drugNameMayMatch(lower: string): boolean {
  return DRUG_SCREEN.test(fold(lower));
}

/**
 * A bounded memo of a pure classification: the same diagnosis texts, medicine and service names
 * recur in every episode. Only short keys are kept and the table is emptied when full, so memory
 * stays bounded whatever the input.
 */
export class Memo<V> {
  private readonly map = new Map<string, V>();
  private readonly maxEntries: number;
  private readonly maxKeyLength: number;

  constructor(maxEntries = 50_000, maxKeyLength = 256) {
    this.maxEntries = maxEntries;
    this.maxKeyLength = maxKeyLength;
  }

  get(key: string, compute: () => V): V {
    if (key.length > this.maxKeyLength) return compute();
    const hit = this.map.get(key);
    if (hit !== undefined || this.map.has(key)) return hit as V;
    const value = compute();
    if (this.map.size >= this.maxEntries) this.map.clear();
    this.map.set(key, value);
    return value;
  }
}
