// The health-book job for the pg-boss scheduler (src/programs/scheduler.ts), when the channel is
// configured: the facility key is read once here, so a missing or unreadable key stops start-up.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../../config/config.ts';
import type { ScheduledJob } from '../../programs/scheduler.ts';
import type { Database } from '../../store/database.ts';
import { HealthBookClient } from './client.ts';
import { pushPendingHealthChecks } from './push-job.ts';

export const HEALTHBOOK_JOB = 'healthbook-push';

/** Every `minutes` (under an hour), else every whole number of hours. */
export function cronEvery(minutes: number): string {
  return minutes < 60 ? `*/${minutes} * * * *` : `0 */${Math.max(1, Math.round(minutes / 60))} * * *`;
}

export function healthBookJob(config: Config, db: Database, log: (line: string) => void): ScheduledJob | undefined {
  const hb = config.healthBook;
  if (!hb) return undefined;
  let privateKey;
  try {
    privateKey = createPrivateKey(readFileSync(hb.keyFile));
  } catch (err) {
    throw new Error(`HSSK_HEALTHBOOK_KEY_FILE: không đọc được khóa bí mật của cơ sở (${(err as NodeJS.ErrnoException).code ?? 'invalid key'})`, { cause: err });
  }
  const client = new HealthBookClient({ baseUrl: hb.url, username: hb.username, password: hb.password, facilityId: hb.facilityId, privateKey });
  return {
    name: HEALTHBOOK_JOB,
    cron: cronEvery(hb.intervalMinutes),
    run: async () => {
      const r = await pushPendingHealthChecks(db, client, { facility: hb.facilityId });
      if (r.ran) log(`healthbook push: ${r.pushed} pushed, ${r.failed} refused${r.unreachable ? ', receiver unreachable' : ''}`);
    },
  };
}
