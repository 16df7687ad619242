// Small-cell suppression: a cell counting 1–4 people is shown as "<5", and so is every number
// computed from it in the same row, so no report narrows down to identifiable people.
import { SMALL_CELL } from './definitions.ts';

export type Count = number | '<5';

export function suppressed(people: number): boolean {
  return people > 0 && people < SMALL_CELL;
}

/** The row with `fields` replaced by "<5" when `people` is a small cell. */
export function suppressRow<T extends object>(row: T, people: number, fields: readonly (keyof T)[]): T {
  if (!suppressed(people)) return row;
  const out: Record<string, unknown> = { ...(row as Record<string, unknown>) };
  for (const f of fields) out[f as string] = row[f] === null ? null : '<5';
  return out as T;
}

export function rate(numerator: number, denominator: number): number | null {
  return denominator > 0 ? Math.round((numerator / denominator) * 10000) / 10000 : null;
}
