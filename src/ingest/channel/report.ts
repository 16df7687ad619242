// What an import channel says about each unit (episode, document) and about the whole input:
// accepted with the resulting resource ids, rejected with field-level reasons, and what the
// storage policy (MISSION B8) left out — as counts per category, never as content.
import type { IngestOutcome } from '../../pipeline/types.ts';
import type { RejectionReason } from '../adapted-record.ts';

export interface UnitReport {
  /** `xml/<facility>/<MA_LK>`, `cda/<facility>/<document id>`, or the position when unknown. */
  key: string;
  /** Facility the unit comes from (mã CSKCB), when known. */
  facility?: string;
  status: 'accepted' | 'rejected';
  /** For accepted units: how the resident was identified (created, updated, matched, review). */
  outcome?: Exclude<IngestOutcome, 'rejected'>;
  patientId?: string;
  /** `Type/id` of every resource of the unit as stored. */
  resourceIds?: string[];
  /** New resource versions written (0 for a unit already stored as is). */
  written: number;
  /** Resources removed from the current record because the re-sent unit no longer has them. */
  deleted: number;
  excluded: Record<string, number>;
  warnings: string[];
  reasons?: RejectionReason[];
}

export interface ImportSummary {
  units: number;
  accepted: number;
  rejected: number;
  /** Accepted units by identity outcome. */
  outcomes: Record<string, number>;
  /** Resources of accepted units, by type. */
  resources: Record<string, number>;
  written: number;
  deleted: number;
  /** Items left out by the storage policy, by category. */
  excluded: Record<string, number>;
  /** Rejection reasons by field, for the summary line ("XML1.NGAY_VAO: 3"). */
  rejectedFields: Record<string, number>;
  seconds: number;
  unitsPerSecond: number;
  /** The input could not be read to its end (truncated, DTD, not an envelope …): units before it stand. */
  fatal?: { code: string; message: string };
}

export function emptySummary(): ImportSummary {
  return { units: 0, accepted: 0, rejected: 0, outcomes: {}, resources: {}, written: 0, deleted: 0, excluded: {}, rejectedFields: {}, seconds: 0, unitsPerSecond: 0 };
}

function add(into: Record<string, number>, key: string, n = 1): void {
  into[key] = (into[key] ?? 0) + n;
}

export function addToSummary(summary: ImportSummary, report: UnitReport): void {
  summary.units++;
  for (const [category, n] of Object.entries(report.excluded)) add(summary.excluded, category, n);
  if (report.status === 'rejected') {
    summary.rejected++;
    for (const r of report.reasons ?? []) add(summary.rejectedFields, r.field);
    return;
  }
  summary.accepted++;
  if (report.outcome) add(summary.outcomes, report.outcome);
  summary.written += report.written;
  summary.deleted += report.deleted;
  for (const id of report.resourceIds ?? []) add(summary.resources, id.slice(0, id.indexOf('/')));
}
