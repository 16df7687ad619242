// Report downloads: CSV (UTF-8 with BOM so Excel reads Vietnamese, CRLF, RFC 4180 quoting) and
// Excel (.xlsx, one sheet per table, bold Vietnamese headers).
import ExcelJS from 'exceljs';
import type { Cell, ReportOutput, ReportTable } from './output.ts';

function csvField(v: Cell): string {
  const s = v === null ? '' : String(v);
  return /[",\r\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvTable(t: ReportTable): string[] {
  return [t.columns.map((c) => csvField(c.header)).join(','), ...t.rows.map((r) => t.columns.map((c) => csvField(r[c.key] ?? null)).join(','))];
}

/** The first table as CSV (the others follow, each after a blank line and its name). */
export function toCsv(out: ReportOutput): string {
  const parts = out.tables.map((t, i) => (i === 0 ? csvTable(t) : ['', csvField(t.name), ...csvTable(t)]));
  return '\uFEFF' + parts.flat().join('\r\n') + '\r\n';
}

export async function toXlsx(out: ReportOutput): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'HSSK';
  book.created = new Date();
  for (const t of out.tables) {
    const sheet = book.addWorksheet(t.name.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31));
    sheet.addRow([out.title]).font = { bold: true, size: 13 };
    sheet.addRow([`Số liệu tính đến: ${out.asOf ?? 'chưa cập nhật'}`]);
    sheet.addRow([]);
    const header = sheet.addRow(t.columns.map((c) => c.header));
    header.font = { bold: true };
    for (const r of t.rows) sheet.addRow(t.columns.map((c) => r[c.key] ?? null));
    t.columns.forEach((c, i) => (sheet.getColumn(i + 1).width = Math.max(12, Math.min(50, c.header.length + 2))));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
