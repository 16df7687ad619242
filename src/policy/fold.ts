// Text normalisation for the storage policy. Vietnamese arrives with diacritics, without them
// (typed on a keyboard with no input method), in NFC or NFD, in any case. Matching must see
// "nghiện ma túy", "nghien ma tuy" and "NGHIỆN MA TUÝ" as the same words, yet not confuse
// "mà tụy" (…but the pancreas…) with "ma túy" (drugs) when the writer did use diacritics.

/** Only ASCII characters: no decomposition, no marks, no đ — NFC, NFD and folding only lower the case. */
export const isAscii = (text: string): boolean => /^\p{ASCII}*$/u.test(text);

/** Lower case, diacritics removed, đ → d. */
export function fold(text: string): string {
  // Codes, dates and numbers (most strings of a record) skip the normalisation and its regex passes.
  if (isAscii(text)) return text.toLowerCase();
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/** A word as written (lower case) and in folded form; `plain` when the writer used no diacritics. */
export interface Word {
  /** As written, lower case, NFC. */
  raw: string;
  folded: string;
  plain: boolean;
}

/** Letters and digits runs; everything else (spaces, punctuation, slashes, hyphens) separates words. */
export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const match of text.normalize('NFC').toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const raw = match[0];
    const folded = fold(raw);
    out.push({ raw, folded, plain: raw === folded });
  }
  return out;
}

/** Base letters plus the sorted combining marks: "túy" and "tuý" (two accepted tone placements)
 *  give the same key, "tụy" does not. */
function spellingKey(word: string): string {
  const decomposed = word.normalize('NFD');
  const marks = [...decomposed.matchAll(/\p{M}/gu)].map((m) => m[0]).sort().join('');
  return `${decomposed.replace(/\p{M}/gu, '')}|${marks}`;
}

/** Whether a written word is the expected word (given with its diacritics): either spelt the same
 *  (tone placement aside) or written without any diacritics and equal once folded. */
export function wordMatches(word: Word, expected: string): boolean {
  const expectedLower = expected.normalize('NFC').toLowerCase();
  if (word.plain) return word.folded === fold(expectedLower);
  return spellingKey(word.raw) === spellingKey(expectedLower);
}

/** Whether `phrase` (space-separated expected words, with diacritics) occurs as consecutive words. */
export function containsPhrase(text: Word[], phrase: string): boolean {
  const expected = phrase.split(' ');
  const first = expected[0];
  if (first === undefined) return false;
  for (let i = 0; i + expected.length <= text.length; i++) {
    let all = true;
    for (let j = 0; j < expected.length; j++) {
      if (!wordMatches(text[i + j]!, expected[j]!)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}
