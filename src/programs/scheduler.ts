// The programme jobs on pg-boss (PostgreSQL job queue): the nightly refresh of every worklist,
// reminder production and dispatch every 15 minutes, the alert scan every minute. pg-boss runs
// each scheduled job once across all HSSK processes; idempotency keys make reruns harmless.
import { PgBoss } from 'pg-boss';
import type { SmsSender } from '../sms/sms-sender.ts';
import type { Database } from '../store/database.ts';
import { scanAlerts } from './alerts.ts';
import { dispatchReminders } from './reminders/dispatch.ts';
import { produceReminders } from './reminders/produce.ts';
import type { PushSender } from './reminders/push.ts';
import { DEFAULT_WINDOW, type SendWindow } from './reminders/quiet-hours.ts';
import { refreshAll } from './state/refresh.ts';

export const PROGRAM_JOBS = {
  refresh: { name: 'programs-refresh', cron: '30 0 * * *' },
  reminders: { name: 'programs-reminders', cron: '*/15 * * * *' },
  alerts: { name: 'programs-alerts', cron: '* * * * *' },
} as const;

/** A job of another module run on the same queue (e.g. the health-book push, src/sync/healthbook). */
export interface ScheduledJob {
  name: string;
  cron: string;
  run: () => Promise<void>;
}

export interface SchedulerOptions {
  db: Database;
  sms: SmsSender;
  /** Web push (web-push-sender.ts); SMS goes through `sms`. */
  push: PushSender;
  window?: SendWindow;
  log?: (line: string) => void;
  jobs?: ScheduledJob[];
}

export async function startProgramScheduler(options: SchedulerOptions): Promise<{ stop(): Promise<void> }> {
  const boss = new PgBoss({
    db: { executeSql: (text: string, values?: unknown[]) => options.db.pool.query(text, values) },
    schema: 'pgboss',
  });
  boss.on('error', (err) => options.log?.(`pg-boss: ${err.message}`));
  await boss.start();
  for (const job of Object.values(PROGRAM_JOBS)) {
    await boss.createQueue(job.name);
    await boss.schedule(job.name, job.cron, null, { tz: 'Asia/Ho_Chi_Minh' });
  }
  await boss.work(PROGRAM_JOBS.refresh.name, async () => {
    const r = await refreshAll(options.db);
    options.log?.(`programs refresh: ${r.residents} residents, ${r.worklistRows} worklist rows, ${Math.round(r.ms)} ms`);
  });
  await boss.work(PROGRAM_JOBS.reminders.name, async () => {
    await produceReminders(options.db.pool, { window: options.window ?? DEFAULT_WINDOW });
    await dispatchReminders({ db: options.db.pool, sms: options.sms, push: options.push, window: options.window ?? DEFAULT_WINDOW });
  });
  await boss.work(PROGRAM_JOBS.alerts.name, async () => {
    await scanAlerts(options.db);
  });
  for (const job of options.jobs ?? []) {
    await boss.createQueue(job.name);
    await boss.schedule(job.name, job.cron, null, { tz: 'Asia/Ho_Chi_Minh' });
    await boss.work(job.name, job.run);
  }
  return { stop: () => boss.stop({ graceful: true }) };
}
