// Recomputes the programme state of residents: every resident of the province (the nightly job,
// `hssk programs refresh`), one commune, or a few residents right after something changed them
// (a centre list, a health check, a registration). Batches are read, computed and written
// pipelined over the pool's connections.
import type { Database } from '../../store/database.ts';
import { todayInVietnam, type IsoDate } from '../dates.ts';
import { computeProgramState } from './compute.ts';
import { loadResidents, loadStations, patientIdPages } from './load.ts';
import type { ProgramContext } from './types.ts';
import { writeProgramStates } from './write.ts';

export interface RefreshOptions {
  asOf?: IsoDate;
  communeCode?: string;
  batchSize?: number;
  concurrency?: number;
  onProgress?: (residents: number) => void;
}

export interface RefreshResult {
  residents: number;
  versionsWritten: number;
  worklistRows: number;
  ms: number;
}

async function contextFor(db: Database, asOf: IsoDate): Promise<ProgramContext> {
  const stations = await loadStations(db.pool);
  return { asOf, stationOf: (commune) => (commune ? stations.get(commune) : undefined) };
}

async function refreshBatch(db: Database, ctx: ProgramContext, ids: readonly string[]) {
  const residents = await loadResidents(db.pool, ids);
  const states = residents.map((r) => computeProgramState(r, ctx));
  return writeProgramStates(db, ids, states);
}

export async function refreshPatients(db: Database, patientIds: readonly string[], asOf: IsoDate = todayInVietnam()): Promise<RefreshResult> {
  const started = performance.now();
  const ctx = await contextFor(db, asOf);
  const stats = await refreshBatch(db, ctx, patientIds);
  return { residents: patientIds.length, ...stats, ms: performance.now() - started };
}

export async function refreshAll(db: Database, options: RefreshOptions = {}): Promise<RefreshResult> {
  const started = performance.now();
  const ctx = await contextFor(db, options.asOf ?? todayInVietnam());
  const concurrency = options.concurrency ?? 4;
  const result = { residents: 0, versionsWritten: 0, worklistRows: 0 };
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for await (const ids of patientIdPages(db.pool, options.batchSize ?? 1000, options.communeCode)) {
    const p = refreshBatch(db, ctx, ids)
      .then((s) => {
        result.residents += ids.length;
        result.versionsWritten += s.versionsWritten;
        result.worklistRows += s.worklistRows;
        options.onProgress?.(result.residents);
      })
      .catch((err) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return { ...result, ms: performance.now() - started };
}
