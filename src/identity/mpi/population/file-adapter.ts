// The file-based population database adapter: a CSV of verification results (so_cccd, ho_ten,
// ngay_sinh, gioi_tinh, ket_qua, ngay_xac_thuc). ket_qua: "khớp"/"dung"/"1" (match), "không
// khớp"/"sai"/"0" (mismatch), "không tồn tại" (not found); missing = match.
import fs from 'node:fs';
import { parse } from 'csv-parse';
import { foldVietnamese } from '../../../fhir/fold.ts';
import { parseBirthDate, parseSex } from '../../../ingest/household/parse-row.ts';
import type { PopulationDatabaseAdapter, PopulationRecord } from './population-adapter.ts';

function result(raw: string): PopulationRecord['result'] {
  const f = foldVietnamese(raw);
  if (f === '' || ['khop', 'dung', '1', 'match', 'da xac thuc', 'hop le'].includes(f)) return 'match';
  if (['khong ton tai', 'not found', 'khong tim thay', '2'].includes(f)) return 'not-found';
  return 'mismatch';
}

export function fileAdapter(file: string, today: string = new Date().toISOString().slice(0, 10)): PopulationDatabaseAdapter {
  return {
    async *records() {
      const parser = fs.createReadStream(file).pipe(parse({ bom: true, columns: (h: string[]) => h.map((c) => foldVietnamese(c).replace(/\s+/g, '_')), skip_empty_lines: true, relax_column_count: true }));
      for await (const row of parser as AsyncIterable<Record<string, string>>) {
        const cccd = (row['so_cccd'] ?? '').replace(/\D/g, '');
        if (cccd.length !== 12) continue;
        const birth = row['ngay_sinh'] ? parseBirthDate(row['ngay_sinh'].trim(), today) : undefined;
        const sex = parseSex(row['gioi_tinh'] ?? '');
        const verifiedRaw = (row['ngay_xac_thuc'] ?? row['ngay'] ?? '').trim();
        const verified = verifiedRaw ? parseBirthDate(verifiedRaw, '9999-12-31') : undefined;
        yield {
          cccd,
          ...(row['ho_ten']?.trim() ? { fullName: row['ho_ten'].trim() } : {}),
          ...(birth && 'value' in birth ? { birthDate: birth.value } : {}),
          ...(sex === 'male' || sex === 'female' ? { sex } : {}),
          result: result(row['ket_qua'] ?? ''),
          verifiedOn: verified && 'value' in verified ? verified.value : today,
        };
      }
    },
  };
}
