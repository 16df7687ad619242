// The household import (MISSION A3): a file of millions of rows in bounded memory. Rows are
// checked one by one; whole households are grouped into batches of about `batchSize` rows and
// each batch goes through the shared pipeline in one transaction (one candidate query, one
// write per kind). Rejected rows go to a CSV with the precise reason; one bad row never stops
// the file. Importing the same file twice writes nothing the second time.
import fs from 'node:fs';
import { csvLine } from '../../province/csv-writer.ts';
import { recordHouseholdCoverage } from '../../identity/mpi/population-rule.ts';
import { ingestBatch } from '../../pipeline/ingest.ts';
import type { IngestOutcome, PipelineContext } from '../../pipeline/types.ts';
import type { AdaptedRecord } from '../adapted-record.ts';
import type { Relationship } from './columns.ts';
import { parseHouseholdRow } from './parse-row.ts';
import type { RowSource, SourceRow } from './read-rows.ts';
import { householdResources, memberToRecord } from './to-fhir.ts';

export interface ImportProgress {
  rows: number;
  rowsPerSecond: number;
  /** Seconds left, estimated from the bytes read. */
  etaSeconds: number | undefined;
  counts: ImportCounts;
}

export interface ImportCounts {
  created: number;
  updated: number;
  matched: number;
  review: number;
  rejected: number;
}

export interface HouseholdImportReport extends ImportCounts {
  rows: number;
  households: number;
  /** Rows accepted with a remark (a phone number left out, an unknown relationship …). */
  warnings: number;
  /** Resource versions written (0 for a re-import of the same file). */
  written: number;
  seconds: number;
  rowsPerSecond: number;
  rejectedFile?: string;
  /**
   * Communes recorded as having their whole household list imported (docs/identity.md, rule 5):
   * those of a list declared complete (`completeList`) and read to its end; 0 otherwise.
   */
  communesCovered: number;
}

export interface HouseholdImportOptions {
  /** Rows per transaction (whole households; default 500). */
  batchSize?: number;
  /**
   * Batches in flight (default 3): one writing under the identity lock, the next planned and
   * waiting for it, and a third being read and planned, so that Node and PostgreSQL both stay busy.
   */
  concurrency?: number;
  /** Where to write the rejected rows (CSV with the reason); default none. */
  rejectedFile?: string;
  onProgress?: (progress: ImportProgress) => void;
  /** Minimum milliseconds between progress calls (default 1000). */
  progressIntervalMs?: number;
  /** Today (yyyy-mm-dd): birth dates after it are impossible. */
  today?: string;
  /** Stop early (the HTTP job's cancel). */
  signal?: AbortSignal;
  /**
   * The file is the whole household list of every commune it has rows for (the commune's
   * register), not a few households: only then, once read to its end, are those communes
   * recorded as covered, where the population rule of identity matching may link a sole
   * namesake (docs/identity.md, rule 5). Default false: a partial upload must not make the
   * matcher assume that everyone in a commune is registered.
   */
  completeList?: boolean;
  /**
   * R4 validation of the Patients in the pipeline: 'sample' (default: the first batch and one in
   * ten), 'all' or 'none'. The adapter is trusted: every field of the Patient comes from a value
   * parse-row.ts has already checked (dates, identifiers, commune codes, phones), and the
   * Patient/Group/RelatedPerson builders are covered by tests, so full validation would only
   * re-check our own code — at 0.8 ms a row it was a third of the import's CPU. The sample keeps
   * a regression in the builders from going unnoticed.
   */
  validate?: 'all' | 'sample' | 'none';
}

interface PendingMember {
  source: SourceRow;
  record: AdaptedRecord;
  relationship: Relationship;
  /** 2025 code of the commune the row states. */
  commune: string | undefined;
}

interface Household {
  id: string;
  members: PendingMember[];
}

export async function importHouseholds(ctx: PipelineContext, source: RowSource, options: HouseholdImportOptions = {}): Promise<HouseholdImportReport> {
  const batchSize = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? 3;
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const started = performance.now();
  const counts: ImportCounts = { created: 0, updated: 0, matched: 0, review: 0, rejected: 0 };
  let rows = 0;
  let households = 0;
  let warnings = 0;
  let written = 0;
  let lastProgress = 0;
  // Accepted rows per commune: the communes this list covers (docs/identity.md, rule 5).
  const rowsByCommune = new Map<string, number>();

  const rejectedOut = options.rejectedFile ? fs.createWriteStream(options.rejectedFile) : undefined;
  let rejectedHeaderWritten = false;
  const writeRejected = (row: SourceRow, reasons: { field: string; message: string }[]) => {
    counts.rejected++;
    if (!rejectedOut) return;
    if (!rejectedHeaderWritten) {
      rejectedOut.write('\uFEFF' + csvLine(['dong', ...source.header, 'ly_do']));
      rejectedHeaderWritten = true;
    }
    rejectedOut.write(csvLine([String(row.line), ...row.raw, reasons.map((r) => `${r.field}: ${r.message}`).join(' | ')]));
  };

  const progress = (force = false) => {
    const now = performance.now();
    if (!options.onProgress || (!force && now - lastProgress < (options.progressIntervalMs ?? 1000))) return;
    lastProgress = now;
    const seconds = (now - started) / 1000;
    const { read, total } = source.progress();
    const rate = read / Math.max(seconds, 0.001);
    options.onProgress({
      rows,
      rowsPerSecond: Math.round(rows / Math.max(seconds, 0.001)),
      etaSeconds: total > 0 && read > 0 ? Math.max(0, Math.round((total - read) / rate)) : undefined,
      counts: { ...counts },
    });
  };

  let batches = 0;
  const validateBatch = (): boolean => {
    const n = batches++;
    const mode = options.validate ?? 'sample';
    return mode === 'all' || (mode === 'sample' && n % 10 === 0);
  };
  const runBatch = async (batch: Household[]) => {
    const validate = validateBatch();
    const members = batch.flatMap((h) => h.members);
    const records = members.map((m) => m.record);
    const offsets: number[] = [];
    let n = 0;
    for (const h of batch) {
      offsets.push(n);
      n += h.members.length;
    }
    const extras = (ids: readonly (string | undefined)[]) =>
      batch.flatMap((h, i) => householdResources(h.id, h.members.map((m, j) => ({ patientId: ids[offsets[i]! + j], relationship: m.relationship }))));
    const results = await ingestBatch(ctx, records, { channel: 'household', patientUpdate: 'registry', validate, registration: true, planAhead: true }, extras);
    results.forEach((r, i) => {
      written += r.written;
      if (r.outcome === 'rejected') writeRejected(members[i]!.source, r.reasons ?? []);
      else {
        counts[r.outcome satisfies Exclude<IngestOutcome, 'rejected'>]++;
        const commune = members[i]!.commune;
        if (commune) rowsByCommune.set(commune, (rowsByCommune.get(commune) ?? 0) + 1);
      }
    });
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const flush = async (batch: Household[]) => {
    if (batch.length === 0) return;
    const p = runBatch(batch)
      .catch((err: unknown) => void (failure ??= err))
      .finally(() => {
        inFlight.delete(p);
        progress();
      });
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  let batch: Household[] = [];
  let batchRows = 0;
  let current: Household | undefined;
  const closeHousehold = async () => {
    if (!current) return;
    batch.push(current);
    batchRows += current.members.length;
    households++;
    current = undefined;
    if (batchRows >= batchSize) {
      const full = batch;
      batch = [];
      batchRows = 0;
      await flush(full);
    }
  };

  try {
    for await (const row of source.rows) {
      if (failure || options.signal?.aborted) break;
      rows++;
      const parsed = parseHouseholdRow(row.row, { province: ctx.province, today });
      if (!parsed.ok) {
        writeRejected(row, parsed.reasons);
        continue;
      }
      if (parsed.warnings.length) warnings++;
      const member = parsed.member;
      if (current?.id !== member.householdId) await closeHousehold();
      current ??= { id: member.householdId, members: [] };
      current.members.push({
        source: row,
        record: memberToRecord(member, row.line, parsed.warnings),
        relationship: member.relationship,
        // A stray row of another province's commune does not make that commune covered.
        commune: member.commune?.inProvince ? member.commune.commune.code : undefined,
      });
    }
    await closeHousehold();
    await flush(batch);
    await Promise.all(inFlight);
  } finally {
    await new Promise<void>((resolve) => (rejectedOut ? rejectedOut.end(resolve) : resolve()));
  }
  if (failure) throw failure;
  // Only a complete list read to its end covers its communes; a stopped import may hold part of one.
  const covers = options.completeList === true && !options.signal?.aborted;
  if (covers) await recordHouseholdCoverage(ctx.db.pool, rowsByCommune);
  progress(true);
  const seconds = (performance.now() - started) / 1000;
  return {
    rows,
    households,
    warnings,
    written,
    ...counts,
    seconds: Math.round(seconds * 10) / 10,
    rowsPerSecond: Math.round(rows / Math.max(seconds, 0.001)),
    ...(options.rejectedFile ? { rejectedFile: options.rejectedFile } : {}),
    communesCovered: covers ? rowsByCommune.size : 0,
  };
}
