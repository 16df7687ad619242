// The $export housekeeping job for the pg-boss scheduler (src/programs/scheduler.ts): finished jobs
// are deleted after HSSK_EXPORT_RETENTION_HOURS (interrupted ones are resumed: export-runner.ts).
import type { ScheduledJob } from '../programs/scheduler.ts';
import type { Database } from '../store/database.ts';
import { sweepExportJobs } from './bulk-export.ts';

export function exportSweepJob(retentionHours: number, db: Database, log: (line: string) => void): ScheduledJob {
  return {
    name: 'bulk-export-sweep',
    cron: '*/15 * * * *',
    run: async () => {
      const r = await sweepExportJobs(db.pool, retentionHours);
      if (r.expired > 0) log(`bulk export sweep: ${r.expired} expired`);
    },
  };
}
