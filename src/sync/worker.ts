// The sync worker: pushes the outbox, oldest first, in transaction Bundles; clears what the
// receiver applied in the same database transaction that read it (a crash between the push and
// the commit pushes the batch again, which the conditional updates make harmless); backs off
// exponentially while the receiver is unreachable; dead-letters what it refuses.
//
// One worker per database at a time (an advisory lock), so changes leave in queue order.
import type { Database } from '../store/database.ts';
import { clearOutbox, deadLetter, readOutbox, readSyncState, writeSyncState } from '../store/outbox.ts';
import { changesOf, transactionBundle, type Change } from './bundle.ts';
import type { PushResult } from './target.ts';

export interface Pusher {
  transaction(bundle: unknown): Promise<PushResult>;
}

export interface WorkerOptions {
  db: Database;
  target: Pusher;
  province: string;
  batchSize?: number;
  /**
   * Bundles pushed at once. A batch is split by resident (compartment), so one resident's changes
   * are always in the same Bundle and keep their order.
   */
  concurrency?: number;
  /** First back-off delay; doubled at each consecutive failure up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Pause when the outbox is empty. */
  idleMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface WorkerState {
  pushed: number;
  failures: number;
  deadLettered: number;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastError: string | null;
}

export const STATE_KEY = 'worker';
const LOCK_KEY = 0x68_5353_4b; // "hSSK": the worker's advisory lock

export type CycleOutcome = 'idle' | 'pushed' | 'failed' | 'busy';

interface GroupResult {
  cleared: Change[];
  refused: { change: Change; status: number | null; error: string }[];
  /** Set when the receiver could not be reached: the rest of the group waits. */
  error?: string;
}

export function emptyState(): WorkerState {
  return { pushed: 0, failures: 0, deadLettered: 0, consecutiveFailures: 0, lastSuccessAt: null, lastFailureAt: null, lastError: null };
}

export class SyncWorker {
  private readonly o: Required<Omit<WorkerOptions, 'log'>> & Pick<WorkerOptions, 'log'>;
  private running = false;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    this.o = { batchSize: 200, concurrency: 1, backoffMs: 1000, maxBackoffMs: 5 * 60_000, idleMs: 1000, ...options };
  }

  /** One batch: read, push, clear or dead-letter, all in one database transaction. */
  async runOnce(): Promise<CycleOutcome> {
    return this.o.db.transaction(async (c) => {
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [LOCK_KEY]);
      if (!rows[0]!.ok) return 'busy';
      const items = await readOutbox(c, this.o.batchSize);
      if (items.length === 0) return 'idle';
      const state = (await readSyncState<WorkerState>(c, STATE_KEY)) ?? emptyState();
      const changes = changesOf(items, this.o.province);
      // The Bundles travel at once; their outcomes are then written one after the other on this
      // transaction's connection (one query at a time on a connection).
      const results = await Promise.all(partition(changes, this.o.concurrency).map((group) => this.pushGroup(group)));
      let failed = false;
      for (const r of results) {
        await clearOutbox(c, r.cleared.flatMap((ch) => ch.seqs));
        for (const d of r.refused) await deadLetter(c, d.change.seqs, d.status, d.error);
        state.deadLettered += r.refused.reduce((n, d) => n + d.change.seqs.length, 0);
        if (r.error === undefined || r.cleared.length > 0) success(state, r.cleared.length);
        if (r.error !== undefined) {
          failure(state, r.error);
          failed = true;
        }
      }
      // Any group that could not reach the receiver makes the worker back off; the others are done.
      const outcome: CycleOutcome = failed ? 'failed' : 'pushed';
      await writeSyncState(c, STATE_KEY, state);
      this.o.log?.('sync batch', { outcome, changes: changes.length, groups: results.length });
      return outcome;
    }, { retries: 0 });
  }

  /** Pushes one group: what the receiver applied, what it refused (found one by one), and why it stopped. */
  private async pushGroup(changes: Change[]): Promise<GroupResult> {
    const result = await this.o.target.transaction(transactionBundle(changes));
    if (result.kind === 'done') return { cleared: changes, refused: [] };
    if (result.kind !== 'refused') return { cleared: [], refused: [], error: result.error };
    // The whole transaction was refused: find the change(s) at fault, one by one.
    const out: GroupResult = { cleared: [], refused: [] };
    for (const change of changes) {
      const r = await this.o.target.transaction(transactionBundle([change]));
      if (r.kind === 'done') out.cleared.push(change);
      else if (r.kind === 'refused') out.refused.push({ change, status: r.status, error: r.error });
      else {
        // Stop here: what follows waits, in order, for the receiver to come back.
        out.error = r.error;
        return out;
      }
    }
    return out;
  }

  /** Runs until stop(): batches back to back while there is work, back-off after failures. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    let failures = 0;
    this.loop = (async () => {
      while (!this.stopped) {
        let outcome: CycleOutcome;
        try {
          outcome = await this.runOnce();
        } catch (err) {
          this.o.log?.('sync cycle error', { error: (err as Error).name, code: (err as { code?: string }).code });
          outcome = 'failed';
        }
        if (outcome === 'pushed') {
          failures = 0;
          continue;
        }
        if (outcome === 'failed') failures++;
        const delay = outcome === 'failed' ? backoff(failures, this.o.backoffMs, this.o.maxBackoffMs) : this.o.idleMs;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
      }
    })();
  }

  /** Looks at the outbox now instead of at the end of the idle pause. */
  poke(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    this.running = false;
  }
}

/** Splits changes into at most `n` groups by resident (compartment; else the resource), order kept. */
export function partition(changes: Change[], n: number): Change[][] {
  if (n <= 1) return [changes];
  const groups: Change[][] = Array.from({ length: n }, () => []);
  for (const ch of changes) {
    const key = ch.compartment ?? `${ch.resourceType}/${ch.id}`;
    let h = 0;
    for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
    groups[Math.abs(h) % n]!.push(ch);
  }
  return groups.filter((g) => g.length > 0);
}

/** Exponential back-off with ±20 % jitter (many provinces must not retry in step). */
export function backoff(failures: number, baseMs: number, maxMs: number): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(d * (0.8 + Math.random() * 0.4));
}

function success(state: WorkerState, n: number): void {
  state.pushed += n;
  state.consecutiveFailures = 0;
  state.lastSuccessAt = new Date().toISOString();
}

function failure(state: WorkerState, error: string): void {
  state.failures++;
  state.consecutiveFailures++;
  state.lastFailureAt = new Date().toISOString();
  state.lastError = error;
}
