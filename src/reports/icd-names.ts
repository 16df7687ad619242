// Vietnamese names of ICD-10 chapters, groups and codes for report rows.
import { chapterOf, groupsOf, icd10, type IcdChapter } from '../province/icd10.ts';
import type { IcdLevel } from './filters.ts';

let chapters: Map<string, IcdChapter> | undefined;

/** Chapters by Roman numeral, found once by walking the categories A00–Z99. */
function chapterByNumber(): Map<string, IcdChapter> {
  if (!chapters) {
    chapters = new Map();
    for (let l = 65; l <= 90; l++) {
      for (let n = 0; n < 100; n++) {
        const c = chapterOf(`${String.fromCharCode(l)}${String(n).padStart(2, '0')}`);
        if (c && !chapters.has(c.number)) chapters.set(c.number, c);
      }
    }
  }
  return chapters;
}

export function icdName(level: IcdLevel | 'all', key: string): string {
  if (key === '') return 'Chưa có chẩn đoán ICD-10';
  if (level === 'all') return 'Tất cả';
  if (level === 'code') return icd10(key)?.nameVi ?? key;
  if (level === 'group') return groupsOf(key.split('-')[0] ?? key).find((g) => g.range === key)?.nameVi ?? key;
  const chapter = chapterByNumber().get(key);
  return chapter ? `Chương ${key} (${chapter.range}): ${chapter.nameVi}` : `Chương ${key}`;
}
