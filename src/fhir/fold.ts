// Vietnamese-aware text folding for search and matching: "Nguyễn Văn Ân" → "nguyen van an".
// Diacritics (including the tone marks and the hook/horn letters ơ ư ă â ê ô) are removed, đ → d,
// case and spacing are normalised. Both sides of a search are folded the same way.
const COMBINING_MARKS = /\p{M}/gu;

export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Vietnamese phone numbers in one form: "+84 912.345.678" and "0912345678" both → "0912345678" (see phone.ts). */
export { phoneSearchKey as normalizePhone } from './phone.ts';
