// The $export housekeeping job for the pg-boss scheduler (src/programs/scheduler.ts): interrupted
// jobs are closed, finished ones deleted after HSSK_EXPORT_RETENTION_HOURS.
import type { ScheduledJob } from '../programs/scheduler.ts';
import type { Database } from '../store/database.ts';
import { sweepExportJobs } from './bulk-export.ts';

export function exportSweepJob(retentionHours: number, db: Database, log: (line: string) => void): ScheduledJob {
  return {
    name: 'bulk-export-sweep',
    cron: '*/15 * * * *',
    run: async () => {
      const r = await sweepExportJobs(db.pool, retentionHours);
      if (r.interrupted + r.expired > 0) log(`bulk export sweep: ${r.interrupted} interrupted, ${r.expired} expired`);
    },
  };
}
