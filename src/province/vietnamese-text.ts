// The ways Vietnamese names get mangled on their way into health systems: lost diacritics,
// a wrong tone, the old and new tone placement, i/y, decomposed Unicode, and plain typing slips.
// Used by the identity test set so matching is tested against the errors real clerks make.
import type { Rng } from './prng.ts';

/** "Nguyễn Thị Đào" → "Nguyen Thi Dao" (what an ASCII-only system or a hurried clerk writes). */
export function stripDiacritics(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFC');
}

// The five tone marks as combining characters (huyền, sắc, hỏi, ngã, nặng).
const TONES = ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];

/** Changes or removes the tone mark of one syllable: "Hùng" → "Húng" / "Hung". */
function wrongTone(rng: Rng, word: string): string {
  const nfd = word.normalize('NFD');
  const present = TONES.find((t) => nfd.includes(t));
  if (present) {
    const replacement = rng.chance(0.4) ? '' : rng.pick(TONES.filter((t) => t !== present));
    return nfd.replace(present, replacement).normalize('NFC');
  }
  // No tone: add one on the first vowel.
  const i = nfd.search(/[aeiouy]/i);
  if (i < 0) return word;
  return (nfd.slice(0, i + 1) + rng.pick(TONES) + nfd.slice(i + 1)).normalize('NFC');
}

/** Old ↔ new tone placement ("Hòa" ↔ "Hoà", "Thủy" ↔ "Thuỷ"): both are in daily use. */
function tonePlacement(word: string): string | undefined {
  const swaps: [RegExp, (m: string) => string][] = [
    [/([òóỏõọ])a/i, (m) => `o${moveTone(m[0] ?? '', 'a')}`],
    [/o([àáảãạ])/i, (m) => `${moveTone(m[1] ?? '', 'o')}a`],
    [/([ùúủũụ])y/i, (m) => `u${moveTone(m[0] ?? '', 'y')}`],
    [/u([ỳýỷỹỵ])/i, (m) => `${moveTone(m[1] ?? '', 'u')}y`],
  ];
  for (const [re, fn] of swaps) {
    if (re.test(word)) return word.replace(re, fn);
  }
  return undefined;
}

function moveTone(marked: string, onto: string): string {
  const tone = marked.normalize('NFD').slice(1);
  return (onto + tone).normalize('NFC');
}

/** One typing slip: a dropped, doubled or swapped letter. */
function slip(rng: Rng, word: string): string {
  const chars = [...word];
  if (chars.length < 2) return word + word;
  // Never the first letter: a capital moved inside the word is not a slip anyone makes.
  const i = 1 + rng.int(Math.max(1, chars.length - 2));
  if (i >= chars.length - 1) return chars.length > 2 ? chars.slice(0, -1).join('') : word + (chars.at(-1) ?? '');
  const kind = rng.int(3);
  if (kind === 0) chars.splice(i + 1, 1);
  else if (kind === 1) chars.splice(i, 0, chars[i] ?? '');
  else [chars[i], chars[i + 1]] = [chars[i + 1] ?? '', chars[i] ?? ''];
  return chars.join('');
}

/**
 * A realistic error in one word, most often a tone or spelling variant, sometimes a typing slip.
 * Always returns something different from the input.
 */
export function misspell(rng: Rng, word: string): string {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = rng.float();
    let out: string | undefined;
    if (r < 0.35) out = wrongTone(rng, word);
    else if (r < 0.5) out = tonePlacement(word);
    else if (r < 0.6) out = /y$/i.test(word) ? word.replace(/y$/i, 'i') : /i$/i.test(word) ? word.replace(/i$/i, 'y') : undefined;
    else out = slip(rng, word);
    if (out !== undefined && out !== word) return out;
  }
  return `${word}${word.at(-1) ?? 'a'}`;
}

/** Unicode decomposed form: looks identical on screen, differs byte for byte. */
export function decomposed(text: string): string {
  return text.normalize('NFD');
}
