// Reading a household file as a stream of rows: CSV (UTF-8 with or without BOM, comma or
// semicolon) or XLSX (first worksheet), header row first. Extra columns are ignored; the
// required ones must be there.
import fs from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { foldVietnamese } from '../../fhir/fold.ts';
import { HOUSEHOLD_COLUMNS, REQUIRED_COLUMNS, type HouseholdColumn, type HouseholdRow } from './columns.ts';

export interface SourceRow {
  /** Line (CSV) or row (XLSX) number in the file, header = 1. */
  line: number;
  row: HouseholdRow;
  /** The cells as read, for the rejected-rows report. */
  raw: string[];
}

export class HouseholdFileError extends Error {
  override name = 'HouseholdFileError';
}

export interface RowSource {
  header: string[];
  rows: AsyncIterable<SourceRow>;
  /** Bytes read so far and the total (for ETA); XLSX reports the compressed bytes. */
  progress(): { read: number; total: number };
}

function columnIndex(header: string[]): Map<HouseholdColumn, number> {
  const known = new Set<string>(HOUSEHOLD_COLUMNS);
  const index = new Map<HouseholdColumn, number>();
  header.forEach((h, i) => {
    const name = foldVietnamese(h.replace(/^\uFEFF/, '')).replace(/[\s-]+/g, '_');
    if (known.has(name) && !index.has(name as HouseholdColumn)) index.set(name as HouseholdColumn, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length) throw new HouseholdFileError(`Tệp thiếu cột bắt buộc: ${missing.join(', ')} (dòng tiêu đề: ${header.join(', ')}).`);
  return index;
}

function toRow(cells: string[], index: Map<HouseholdColumn, number>): HouseholdRow {
  const row: HouseholdRow = {};
  for (const [col, i] of index) row[col] = cells[i] ?? '';
  return row;
}

async function* csvRows(stream: Readable, onHeader: (h: string[]) => Map<HouseholdColumn, number>): AsyncGenerator<SourceRow> {
  const parser = stream.pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true, delimiter: [',', ';'], info: true }));
  let index: Map<HouseholdColumn, number> | undefined;
  for await (const record of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    const cells = record.record;
    if (!index) {
      index = onHeader(cells);
      continue;
    }
    if (cells.every((c) => c.trim() === '')) continue;
    yield { line: record.info.lines, row: toRow(cells, index), raw: cells };
  }
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // Excel dates are midnight UTC of the calendar day typed.
    const d = value;
    return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
    if ('text' in value) return String(value.text);
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    return '';
  }
  return String(value);
}

async function* xlsxRows(stream: Readable, onHeader: (h: string[]) => Map<HouseholdColumn, number>): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(stream, { sharedStrings: 'cache', styles: 'ignore', hyperlinks: 'ignore', worksheets: 'emit' });
  for await (const sheet of reader) {
    let index: Map<HouseholdColumn, number> | undefined;
    for await (const row of sheet) {
      const values = row.values as ExcelJS.CellValue[];
      const cells = values.slice(1).map(cellText);
      if (!index) {
        index = onHeader(cells);
        continue;
      }
      if (cells.every((c) => c.trim() === '')) continue;
      yield { line: row.number, row: toRow(cells, index), raw: cells };
    }
    return; // the first worksheet only
  }
}

/** Opens a household file (by name: .xlsx is Excel, anything else CSV) or a stream. */
export function openHouseholdSource(input: string | { stream: Readable; size: number; xlsx: boolean }): RowSource {
  const isFile = typeof input === 'string';
  const xlsx = isFile ? /\.xlsx$/i.test(input) : input.xlsx;
  const total = isFile ? fs.statSync(input).size : input.size;
  const stream = isFile ? fs.createReadStream(input, { highWaterMark: 1 << 20 }) : input.stream;
  let read = 0;
  const counted = stream.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        read += chunk.length;
        done(null, chunk);
      },
    }),
  );
  const source: RowSource = {
    header: [],
    rows: (xlsx ? xlsxRows : csvRows)(counted, (h) => {
      source.header = h;
      return columnIndex(h);
    }),
    progress: () => ({ read, total }),
  };
  return source;
}
