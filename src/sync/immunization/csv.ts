// The immunisation exchange CSV (docs/sync.md): UTF-8, comma-separated, RFC 4180 quoting, a
// header row with these columns (any order; unknown columns ignored):
//   ma_dinh_danh  resident ID (mã định danh HSSK)      } at least one of the two
//   cccd          CCCD / số định danh cá nhân          }
//   ma_vac_xin    vaccine code (TCMR list)               required
//   ten_vac_xin   vaccine name
//   mui_so        dose number (1, 2, …)
//   ngay_tiem     date given, YYYY-MM-DD                 required
//   co_so         facility code (mã CSKCB) that gave it
//   so_lo         lot number
export const CSV_COLUMNS = ['ma_dinh_danh', 'cccd', 'ma_vac_xin', 'ten_vac_xin', 'mui_so', 'ngay_tiem', 'co_so', 'so_lo'] as const;

export interface DoseRow {
  residentId?: string;
  cccd?: string;
  vaccineCode: string;
  vaccineName?: string;
  doseNumber?: number;
  date: string;
  facility?: string;
  lot?: string;
}

/** Splits RFC 4180 CSV text into records of fields. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) out.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) out.push(row);
  return out;
}

export type RowResult = { ok: true; row: DoseRow } | { ok: false; line: number; reason: string };

/** Header + rows → dose rows, each checked; a bad row names its line (header = line 1). */
export function doseRowsOf(text: string): RowResult[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const col = new Map(header.map((h, i) => [h.trim().toLowerCase(), i]));
  for (const required of ['ma_vac_xin', 'ngay_tiem']) {
    if (!col.has(required)) return [{ ok: false, line: 1, reason: `thiếu cột ${required}` }];
  }
  return rows.map((r, i): RowResult => {
    const get = (name: string) => {
      const idx = col.get(name);
      const v = idx === undefined ? undefined : r[idx]?.trim();
      return v ? v : undefined;
    };
    const line = i + 2;
    const residentId = get('ma_dinh_danh');
    const cccd = get('cccd');
    if (!residentId && !cccd) return { ok: false, line, reason: 'thiếu ma_dinh_danh và cccd' };
    if (cccd && !/^\d{12}$/.test(cccd)) return { ok: false, line, reason: 'cccd phải có 12 chữ số' };
    const vaccineCode = get('ma_vac_xin');
    if (!vaccineCode) return { ok: false, line, reason: 'thiếu ma_vac_xin' };
    const date = get('ngay_tiem');
    if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) return { ok: false, line, reason: 'ngay_tiem phải có dạng YYYY-MM-DD' };
    const dose = get('mui_so');
    if (dose !== undefined && !/^[1-9]\d?$/.test(dose)) return { ok: false, line, reason: 'mui_so phải là số nguyên dương' };
    const vaccineName = get('ten_vac_xin');
    const facility = get('co_so');
    const lot = get('so_lo');
    return {
      ok: true,
      row: {
        ...(residentId ? { residentId } : {}),
        ...(cccd ? { cccd } : {}),
        vaccineCode,
        ...(vaccineName ? { vaccineName } : {}),
        ...(dose ? { doseNumber: Number(dose) } : {}),
        date,
        ...(facility ? { facility } : {}),
        ...(lot ? { lot } : {}),
      },
    };
  });
}

function quote(v: string | number | undefined): string {
  const s = v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvOf(rows: DoseRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push([r.residentId, r.cccd, r.vaccineCode, r.vaccineName, r.doseNumber, r.date, r.facility, r.lot].map(quote).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}
