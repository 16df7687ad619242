// What an administrator and /metrics see of the sync: queue depth, lag, failures, dead letters.
import { Gauge, Registry } from 'prom-client';
import type { Queryable } from '../store/database.ts';
import { outboxStats, readSyncState } from '../store/outbox.ts';
import { healthBookCounts, type HealthBookCounts } from './healthbook/push-job.ts';
import { emptyState, STATE_KEY, type WorkerState } from './worker.ts';

export interface SyncStatus {
  target: string | null;
  mode: 'province' | 'hub';
  queueDepth: number;
  /** Seconds the oldest queued change has waited (0 when the queue is empty). */
  lagSeconds: number;
  oldestQueuedAt: string | null;
  deadLetters: number;
  worker: WorkerState;
  /** The health-book channel (QĐ 1551): its configuration and what is still to push. */
  healthBook: (HealthBookCounts & { configured: true; endpoint: string; intervalMinutes: number }) | { configured: false };
}

export async function syncStatus(
  db: Queryable,
  target: string | undefined,
  mode: 'province' | 'hub',
  healthBook?: { url: string; intervalMinutes: number },
): Promise<SyncStatus> {
  const stats = await outboxStats(db);
  const worker = (await readSyncState<WorkerState>(db, STATE_KEY)) ?? emptyState();
  return {
    target: target ?? null,
    mode,
    queueDepth: stats.depth,
    lagSeconds: stats.oldestQueuedAt ? Math.max(0, (Date.now() - stats.oldestQueuedAt.getTime()) / 1000) : 0,
    oldestQueuedAt: stats.oldestQueuedAt?.toISOString() ?? null,
    deadLetters: stats.deadLetters,
    worker,
    healthBook: healthBook
      ? { configured: true, endpoint: healthBook.url, intervalMinutes: healthBook.intervalMinutes, ...(await healthBookCounts(db)) }
      : { configured: false },
  };
}

/** A Prometheus registry whose sync gauges are read from the database at each scrape. */
export function syncMetricsRegistry(read: () => Promise<SyncStatus>): Registry {
  const registry = new Registry();
  let last: Promise<SyncStatus> | undefined;
  // One database read per scrape, shared by the gauges.
  const current = () => (last ??= read().finally(() => setTimeout(() => (last = undefined), 0)));
  const gauge = (name: string, help: string, pick: (s: SyncStatus) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await current()));
      },
    });
  gauge('hssk_sync_queue_depth', 'Changes waiting in the sync outbox', (s) => s.queueDepth);
  gauge('hssk_sync_lag_seconds', 'Age of the oldest queued change', (s) => s.lagSeconds);
  gauge('hssk_sync_dead_letters', 'Changes refused by the receiver, waiting for an administrator', (s) => s.deadLetters);
  gauge('hssk_sync_pushed_total', 'Changes applied by the receiver since installation', (s) => s.worker.pushed);
  gauge('hssk_sync_failures_total', 'Failed push attempts since installation', (s) => s.worker.failures);
  gauge('hssk_sync_consecutive_failures', 'Failed push attempts since the last success', (s) => s.worker.consecutiveFailures);
  return registry;
}
