// The report API as the portal sees it: the answer shapes of /api/reports/* (docs/reports.md)
// and the URL of a report with its filters (the same URL gives the JSON, the CSV and the Excel).

/** A people count, or "<5" when the cell is suppressed. */
export type Count = number | '<5';
export type Rate = number | '<5' | null;

export interface Freshness {
  report: string;
  title: string;
  asOf: string | null;
  pendingChanges: number;
}

export interface CoverageRow {
  unit: string;
  name: string;
  population: number;
  registered: number;
  withData: number;
  updated12m: number;
  verified: number;
  withAccount: number;
  coverage: number | null;
  meets80: boolean;
  meets95: boolean;
}

export interface CoverageAnswer extends Freshness {
  targets: { rate: number; label: string }[];
  total: CoverageRow;
  rows: CoverageRow[];
  byGroup: CoverageRow[];
}

export interface DiseaseCounts {
  episodes: Count;
  patients: Count;
  inpatientEpisodes: Count;
  outpatientEpisodes: Count;
}

export interface DiseaseAnswer extends Freshness {
  source: 'cells' | 'facts';
  level: 'chapter' | 'group' | 'code';
  total: DiseaseCounts;
  byKey: (DiseaseCounts & { key: string; name: string })[];
  top: (DiseaseCounts & { key: string; name: string })[];
  byMonth: (DiseaseCounts & { month: string })[];
  byUnit: (DiseaseCounts & { unit: string; name: string })[];
  ncd: { programme: string; name: string; known: Count; managed: Count; recentVisit: Count; controlled: Count }[];
}

export interface VaccinationRow {
  birthYear: number;
  unit: string;
  name: string;
  vaccine: string;
  vaccineName: string;
  cohort: Count;
  firstDose: Count;
  complete: Count;
  coverage: Rate;
}

export interface VaccinationAnswer extends Freshness {
  vaccines: { code: string; name: string; doses: number }[];
  totals: VaccinationRow[];
  rows: VaccinationRow[];
}

export interface ArrivalsAnswer extends Freshness {
  days: number;
  facilities: { facility: string; name: string; lastArrival: string; received: number; rejected: number; storedEpisodes: number; perDay: { day: string; received: number; rejected: number; storedEpisodes: number }[] }[];
}

export interface CustomDefinition {
  id: string;
  ownerId: string;
  name: string;
  spec: { subject: 'residents' | 'episodes'; dimensions: string[]; measures: string[]; filters: Record<string, string> };
  sharedWith: string[];
}

export interface CustomAnswer extends Freshness {
  id: string;
  name: string;
  dimensions: string[];
  measures: string[];
  rows: Record<string, string | number | null>[];
}

export interface Catalogue {
  values: Record<'group' | 'sex' | 'ageBand' | 'care', { code: string; label: string }[]>;
  custom: { residents: { dimensions: string[]; measures: string[] }; episodes: { dimensions: string[]; measures: string[] } };
}

export type Filters = Record<string, string>;

/** The report's URL with the filters that are set, and a format for the downloads. */
export function reportUrl(path: string, filters: Filters, format?: 'csv' | 'xlsx'): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v.trim() !== '') q.set(k, v.trim());
  if (format) q.set('format', format);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** A number or a suppressed count, for tables. */
export function countText(value: Count | undefined | null, format: (n: number) => string): string {
  if (value === undefined || value === null) return '';
  return value === '<5' ? '<5' : format(value);
}

export function percentText(rate: Rate | undefined): string {
  if (rate === undefined || rate === null) return '';
  if (rate === '<5') return '<5';
  return `${(rate * 100).toLocaleString('vi-VN', { maximumFractionDigits: 1 })}%`;
}

/** A count usable in a chart (suppressed cells drawn as 0; the table says "<5"). */
export const chartValue = (value: Count | Rate | undefined): number => (typeof value === 'number' ? value : 0);
