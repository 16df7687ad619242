// QĐ 4210 (2017, XML1–XML5) or QĐ 130/4750 (2023, XML0–XML15)? The envelope is the same and no
// version attribute exists, so the generation is told by content. It matters for NGAY_SINH
// (8 characters with 0101 for "unknown" vs 12 with 0000), MA_LOAI_KCB (1–3 vs 01–10) and the
// names of several XML1 fields.
import type { ParsedTable } from './inner.ts';
import { TABLES } from './tables.ts';

export type Generation = '130' | '4210';

export interface GenerationVerdict {
  generation: Generation;
  /** Why (for tests and the docs), e.g. `NGAY_SINH có 12 ký tự`. */
  signals: string[];
}

/** Fields that exist only in one generation's XML1 (4210 names were renamed in 130). */
const XML1_ONLY_130 = ['MA_THE_BHYT', 'MA_BENH_CHINH', 'MA_BENH_KT', 'CHAN_DOAN_RV', 'SO_CCCD', 'MA_LOAI_RV', 'MA_QUOCTICH', 'MA_DANTOC'];
const XML1_ONLY_4210 = ['MA_THE', 'MA_BENH', 'MA_BENHKHAC', 'TEN_BENH', 'TINH_TRANG_RV', 'MA_LYDO_VVIEN', 'MA_NOI_CHUYEN'];

export function detectGeneration(tables: readonly ParsedTable[]): GenerationVerdict {
  let score = 0; // > 0 → 130, < 0 → 4210
  const signals: string[] = [];
  const vote = (weight: number, why: string) => {
    score += weight;
    signals.push(why);
  };
  for (const t of tables) {
    if (TABLES[t.type].only130) vote(3, `có bảng ${t.type} (chỉ có trong QĐ 130)`);
    if (t.root.startsWith('CHITIEU_') || t.root.startsWith('CHI_TIEU_')) vote(1, `phần tử gốc ${t.root}`);
  }
  const xml1 = tables.find((t) => t.type === 'XML1')?.records[0];
  if (xml1) {
    const birth = xml1['NGAY_SINH'];
    if (birth?.length === 12) vote(5, 'NGAY_SINH có 12 ký tự');
    else if (birth?.length === 8) vote(-5, 'NGAY_SINH có 8 ký tự');
    const careType = xml1['MA_LOAI_KCB'];
    if (careType && /^\d{2}$/.test(careType)) vote(2, 'MA_LOAI_KCB có 2 chữ số');
    else if (careType && /^\d$/.test(careType)) vote(-2, 'MA_LOAI_KCB có 1 chữ số');
    for (const f of XML1_ONLY_130) if (xml1[f] !== undefined) vote(1, `XML1 có ${f}`);
    for (const f of XML1_ONLY_4210) if (xml1[f] !== undefined) vote(-1, `XML1 có ${f}`);
  }
  // A tie goes to 130: it has been mandatory since 1 July 2024.
  return { generation: score >= 0 ? '130' : '4210', signals };
}
