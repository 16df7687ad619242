// The common road of the file channels (XML 4210/130, CDA): units in, adapted and made ready
// (policy, validation) in worker threads or in this one, batches of records through the shared
// pipeline (one transaction each, `concurrency` in flight, so the next batches are made ready
// while the previous one is written), one report per unit out, in input order. A rejected unit
// never stops the others; a unit from another facility than the caller's is rejected, never
// stored; the arrivals log (B5) counts what each facility sent.
import { ingestPrepared } from '../../pipeline/ingest.ts';
import type { RecordToIngest } from '../../pipeline/prepare.ts';
import type { IngestResult, PipelineContext } from '../../pipeline/types.ts';
import type { AdaptedRecord, RejectionReason } from '../adapted-record.ts';
import { recordArrivals, type ArrivalCount } from './arrivals.ts';
import { dropNeedlessReplaces } from './fresh-units.ts';
import { resolveFacilityReferences } from './organizations.ts';
import { validatesUnit } from './ready-unit.ts';
import { addToSummary, emptySummary, type ImportSummary, type UnitReport } from './report.ts';
import type { UnitInput, UnitTask } from './unit-tasks.ts';
import { readyUnits } from './unit-workers.ts';

export interface IngestUnitsOptions {
  /** 'xml' or 'cda': for the audit trail and the arrivals log. */
  channel: string;
  /** The caller's facility: units of any other facility are rejected (HTTP channels). */
  callerFacility?: string;
  /** Units per transaction (default 200). */
  batchSize?: number;
  /**
   * Batches in flight (default 3): one writing under the identity lock, one waiting for it, and
   * one being adapted and prepared — with two, Node sat idle while PostgreSQL wrote.
   */
  concurrency?: number;
  onReport?: (report: UnitReport) => void | Promise<void>;
  onProgress?: (summary: ImportSummary) => void;
  /** Minimum milliseconds between progress calls (default 1000). */
  progressIntervalMs?: number;
  signal?: AbortSignal;
  /**
   * R4 validation of the resources in the pipeline: 'all' (default), 'sample' (the first batch's
   * worth of units and one such window in ten — the adapters' output is checked resource by
   * resource in their tests, and validation is most of the pipeline's cost in a bulk import), or 'none'.
   */
  validate?: 'all' | 'sample' | 'none';
  /**
   * Worker threads that adapt units and make them ready (HSSK_INGEST_THREADS; default 0: this
   * thread). The first batch's worth of units is always made ready here.
   */
  threads?: number;
}

/** An input that cannot be read further (EnvelopeError, CdaError …): reported, the units before it stand. */
export interface FatalInput {
  code: string;
  message: string;
}

function rejectedReport(key: string, facility: string | undefined, reasons: RejectionReason[], excluded: Record<string, number> = {}, warnings: string[] = []): UnitReport {
  return { key, ...(facility ? { facility } : {}), status: 'rejected', written: 0, deleted: 0, excluded, warnings, reasons };
}

function fromResult(r: IngestResult, facility: string | undefined): UnitReport {
  if (r.outcome === 'rejected') return rejectedReport(r.key, facility, r.reasons ?? [], r.excluded, r.warnings);
  return {
    key: r.key,
    ...(facility ? { facility } : {}),
    status: 'accepted',
    outcome: r.outcome,
    ...(r.patientId ? { patientId: r.patientId } : {}),
    resourceIds: r.resourceIds,
    written: r.written,
    deleted: r.deleted,
    excluded: r.excluded,
    warnings: r.warnings,
  };
}

type Slot = { report?: UnitReport; pending?: { ready: RecordToIngest; facility: string | undefined } };

/** What `prepareRecord` made of a unit, tied to its record as the batch's look-ups left it (`replaces` dropped, or pinned to a resident). */
function withRecord(unit: RecordToIngest, record: AdaptedRecord): RecordToIngest {
  return { record, prepared: unit.prepared.ok ? { ok: true, value: { ...unit.prepared.value, record } } : unit.prepared };
}

async function* tasksOf(inputs: AsyncIterable<UnitInput>, validate: (position: number) => boolean): AsyncGenerator<UnitTask> {
  let position = 0;
  for await (const input of inputs) yield { ...input, validate: validate(position++) };
}

export async function ingestUnits(
  ctx: PipelineContext,
  inputs: AsyncIterable<UnitInput>,
  options: IngestUnitsOptions,
  /** Turns an error thrown by the input into a fatal input report; anything else is rethrown. */
  fatalOf: (err: unknown) => FatalInput | undefined = () => undefined,
): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 200;
  const concurrency = options.concurrency ?? 3;
  const started = performance.now();
  const summary = emptySummary();
  let lastProgress = started;
  const arrivals = new Map<string, ArrivalCount>();

  // Reports leave in input order: a slot per unit, emitted once everything before it is known.
  const slots: Slot[] = [];
  let emitted = 0;
  const emit = async () => {
    while (emitted < slots.length && slots[emitted]!.report) {
      const report = slots[emitted]!.report!;
      slots[emitted] = {};
      emitted++;
      addToSummary(summary, report);
      // With a caller, everything counts for the caller's facility (they sent it).
      const facility = options.callerFacility ?? report.facility;
      if (facility) {
        const a = arrivals.get(facility) ?? { facility, received: 0, rejected: 0 };
        a.received++;
        if (report.status === 'rejected') a.rejected++;
        arrivals.set(facility, a);
      }
      await options.onReport?.(report);
    }
    if (emitted > 10_000 && emitted === slots.length) {
      slots.length = 0;
      emitted = 0;
    }
    const now = performance.now();
    if (options.onProgress && now - lastProgress >= (options.progressIntervalMs ?? 1000)) {
      lastProgress = now;
      summary.seconds = (now - started) / 1000;
      summary.unitsPerSecond = Math.round(summary.units / Math.max(summary.seconds, 0.001));
      options.onProgress(summary);
    }
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const run = async (batch: Slot[], facility: string | undefined) => {
    const ready = batch.map((s) => s.pending!.ready);
    await resolveFacilityReferences(ctx.db.pool, ready.flatMap((u) => (u.prepared.ok ? [u.record] : [])));
    const records = await dropNeedlessReplaces(ctx.db.pool, ready.map((u) => u.record));
    const results = await ingestPrepared(ctx, ready.map((u, i) => withRecord(u, records[i]!)), { channel: options.channel, sourceFacility: facility ?? null });
    batch.forEach((slot, i) => {
      slot.report = fromResult(results[i]!, slot.pending!.facility);
      delete slot.pending;
    });
  };
  let batch: Slot[] = [];
  let batchFacility: string | undefined;
  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    const facility = batchFacility;
    batch = [];
    const p = run(full, facility)
      .catch((err: unknown) => void (failure ??= err))
      .then(emit)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  };

  const mode = options.validate ?? 'all';
  const units = readyUnits(tasksOf(inputs, (position) => validatesUnit(mode, position, batchSize)), {
    threads: options.threads ?? 0,
    // Two batches read ahead keep the threads busy while this one waits for the database.
    ahead: 2 * batchSize,
    inProcessFirst: batchSize,
  });
  try {
    for await (const unit of units) {
      if (failure || options.signal?.aborted) break;
      const slot: Slot = {};
      slots.push(slot);
      const { result, facility } = unit;
      if (!result.ok) {
        slot.report = rejectedReport(result.key, facility, result.reasons);
      } else if (options.callerFacility && facility !== options.callerFacility) {
        slot.report = rejectedReport(result.ready.record.key, facility, [
          { field: 'MACSKCB', message: `Hồ sơ của cơ sở ${facility ?? '(không rõ)'} không được gửi bằng tài khoản của cơ sở ${options.callerFacility}.` },
        ], result.ready.record.excluded);
      } else {
        // One facility per transaction: what is written is stamped with it.
        if (batch.length > 0 && facility !== batchFacility) await flush();
        batchFacility = facility;
        slot.pending = { ready: result.ready, facility };
        batch.push(slot);
        if (batch.length >= batchSize) await flush();
      }
      if (inFlight.size === 0) await emit();
    }
  } catch (err) {
    const fatal = fatalOf(err);
    if (!fatal) {
      await Promise.allSettled(inFlight);
      throw err;
    }
    summary.fatal = fatal;
  }
  await flush();
  await Promise.all(inFlight);
  if (failure) throw failure;
  await emit();
  await recordArrivals(ctx.db.pool, options.channel, [...arrivals.values()]);
  const seconds = (performance.now() - started) / 1000;
  summary.seconds = Math.round(seconds * 10) / 10;
  summary.unitsPerSecond = Math.round(summary.units / Math.max(seconds, 0.001));
  return summary;
}
