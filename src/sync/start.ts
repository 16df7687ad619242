// Starts the sync worker of `hssk serve` when a target is configured.
import type { Config } from '../config/config.ts';
import type { Database } from '../store/database.ts';
import { SyncTarget } from './target.ts';
import { SyncWorker } from './worker.ts';

export function startSyncWorker(config: Config, db: Database, log: (msg: string, fields?: Record<string, unknown>) => void): SyncWorker | undefined {
  const { target, clientId, clientSecret, batchSize } = config.sync;
  if (!target || !clientId || !clientSecret) return undefined;
  const worker = new SyncWorker({ db, target: new SyncTarget({ baseUrl: target, clientId, clientSecret }), province: config.province, batchSize, concurrency: 4, log });
  worker.start();
  return worker;
}
