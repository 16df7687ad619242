// A hub with no receiver of its own (HSSK_MODE=hub without HSSK_SYNC_TARGET) forwards nothing,
// yet its resource writer queues every version it applies in `sync_outbox`, like any province:
// one row per pushed resource, read by nobody. This job (pg-boss scheduler) clears them, so a
// hub's outbox does not grow with everything the provinces send.
import type { ScheduledJob } from '../programs/scheduler.ts';
import type { Queryable } from '../store/database.ts';

/** Deletes every outbox row (a hub without a target); the number deleted. */
export async function clearHubOutbox(db: Queryable): Promise<number> {
  const result = await db.query('DELETE FROM sync_outbox');
  return result.rowCount ?? 0;
}

export function hubOutboxJob(db: Queryable, log: (line: string) => void): ScheduledJob {
  return {
    name: 'hub-outbox-clear',
    cron: '*/5 * * * *',
    run: async () => {
      const n = await clearHubOutbox(db);
      if (n > 0) log(`hub outbox: ${n} queued versions cleared (a hub without HSSK_SYNC_TARGET forwards nothing)`);
    },
  };
}
