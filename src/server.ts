// `hssk serve`: opens the database (embedded or external), migrates, loads the demo on the
// embedded database's first run, serves HTTP, and shuts down cleanly on SIGINT/SIGTERM.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import { loadFhirDefinitions } from './fhir/definitions.ts';
import { buildApp, systemFhirWriter, type AppOptions } from './http/app.ts';
import { createLogger } from './logging.ts';
import { openDatabase, type Database } from './store/database.ts';
import { loadDemoIfFirstRun } from './demo/demo.ts';
import { loadVapidKeys } from './programs/reminders/vapid-keys.ts';
import { webPushSender } from './programs/reminders/web-push-sender.ts';
import { startProgramScheduler } from './programs/scheduler.ts';
import { exportSweepJob } from './sync/export-expiry.ts';
import { healthBookJob } from './sync/healthbook/start.ts';
import { hubOutboxJob } from './sync/hub-outbox.ts';
import { startSyncWorker } from './sync/start.ts';
import type { SyncWorker } from './sync/worker.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Database;
  url: string;
  /** Resolves once the server has stopped. */
  closed: Promise<void>;
  stop(): Promise<void>;
}

export async function startServer(
  config: Config,
  hooks: {
    onReady?: (url: string) => void;
    onProgress?: (line: string) => void;
    /** For the benchmark-only build of bench/lib/unguarded-server.ts; `hssk serve` never sets it. */
    adaptApp?: Pick<AppOptions, 'resolveCaller'> & { afterBuild?: (app: FastifyInstance) => void };
  } = {},
): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config, { onLog: (line) => logger.debug({ postgres: line }, 'postgres') });
  let app: FastifyInstance | undefined;
  let scheduler: { stop(): Promise<void> } | undefined;
  let sync: SyncWorker | undefined;
  try {
    loadFhirDefinitions();
    if (db.embedded && config.demo) {
      const demo = await loadDemoIfFirstRun(db, config, systemFhirWriter(db), (line) => hooks.onProgress?.(line));
      if (demo) {
        hooks.onProgress?.(
          `Đã nạp tỉnh mẫu: ${demo.residents} người dân, ${demo.episodes} đợt điều trị. Tài khoản dùng thử: ${demo.credentialsFile}`,
        );
      }
    }
    app = await buildApp({ config, db, logger, resolveCaller: hooks.adaptApp?.resolveCaller, auditSpool: { dir: path.join(config.dataDir, 'audit-spool') } });
    hooks.adaptApp?.afterBuild?.(app);
    await app.listen({ port: config.port, host: config.host });
    const push = webPushSender({ keys: await loadVapidKeys(db.pool, config) });
    const hbJob = healthBookJob(config, db, (line) => logger.info(line));
    const hubJob = config.mode === 'hub' && !config.sync.target ? hubOutboxJob(db.pool, (line) => logger.info(line)) : undefined;
    scheduler = await startProgramScheduler({
      db,
      sms: app.services.sms,
      push,
      log: (line) => logger.info(line),
      jobs: [exportSweepJob(config.exportRetentionHours, db, (line) => logger.info(line)), ...(hbJob ? [hbJob] : []), ...(hubJob ? [hubJob] : [])],
    });
    sync = startSyncWorker(config, db, (msg, fields) => logger.debug(fields ?? {}, msg));
  } catch (err) {
    await scheduler?.stop().catch(() => undefined);
    await sync?.stop().catch(() => undefined);
    await app?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = config.baseUrl ?? `http://localhost:${port}`;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info('Đang dừng HSSK (shutting down)');
      await scheduler?.stop().catch((e: Error) => logger.error({ err: e.message }, 'scheduler stop failed'));
      await sync?.stop().catch((e: Error) => logger.error({ err: e.message }, 'sync stop failed'));
      await app!.close().catch((e: Error) => logger.error({ err: e.message }, 'close failed'));
      await db.close().catch((e: Error) => logger.error({ err: e.message }, 'database close failed'));
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolveClosed();
    })();
    return stopping;
  };
  const onSignal = () => void stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  hooks.onReady?.(url);
  return { app, db, url, closed, stop };
}
