// What every report returns: the JSON document and the same numbers as tables (sheets) for
// the Excel and CSV downloads, with Vietnamese headers.
export type Cell = string | number | null;

export interface ReportTable {
  /** Sheet name (≤ 31 characters). */
  name: string;
  columns: readonly { key: string; header: string }[];
  rows: readonly Record<string, Cell>[];
}

export interface ReportOutput {
  report: string;
  title: string;
  asOf: string | null;
  pending: number;
  json: Record<string, unknown>;
  tables: ReportTable[];
}
