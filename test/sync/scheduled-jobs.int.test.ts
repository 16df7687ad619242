// The sync jobs ride on the programmes' pg-boss queue: started with it, scheduled under their
// names (Vietnamese time), and stopped with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { loadVapidKeys } from '../../src/programs/reminders/vapid-keys.ts';
import { webPushSender } from '../../src/programs/reminders/web-push-sender.ts';
import { startProgramScheduler } from '../../src/programs/scheduler.ts';
import { logSmsSender } from '../../src/sms/log-sms.ts';
import type { Database } from '../../src/store/database.ts';
import { exportSweepJob } from '../../src/sync/export-expiry.ts';
import { cronEvery } from '../../src/sync/healthbook/start.ts';
import { createTestDatabase } from '../support/db.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db.close());

describe('sync jobs on the scheduler', () => {
  it('are scheduled on the same queue as the programme jobs', async () => {
    const config = loadConfig({});
    const scheduler = await startProgramScheduler({
      db,
      sms: logSmsSender(db.pool),
      push: webPushSender({ keys: await loadVapidKeys(db.pool, config) }),
      jobs: [exportSweepJob(24, db, () => undefined), { name: 'healthbook-push', cron: cronEvery(30), run: async () => undefined }],
    });
    try {
      const { rows } = await db.pool.query<{ name: string; cron: string; timezone: string }>('SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name');
      expect(rows).toEqual(expect.arrayContaining([
        { name: 'bulk-export-sweep', cron: '*/15 * * * *', timezone: 'Asia/Ho_Chi_Minh' },
        { name: 'healthbook-push', cron: '*/30 * * * *', timezone: 'Asia/Ho_Chi_Minh' },
        expect.objectContaining({ name: 'programs-alerts' }),
      ]));
    } finally {
      await scheduler.stop();
    }
    expect(cronEvery(120)).toBe('0 */2 * * *');
  });
});
