// Runs the audit chain sealer while the server runs, and seals what is left on close.
import type { FastifyPluginAsync } from 'fastify';
import { startAuditSealer } from '../../audit/sealer.ts';

export const auditSealer: FastifyPluginAsync<{ intervalMs?: number }> = async (app, options) => {
  let stop: (() => Promise<void>) | undefined;
  app.addHook('onReady', async () => {
    stop = startAuditSealer(app.db, options.intervalMs ?? 1000, (err) => app.log.error({ err: { name: (err as Error).name, message: (err as Error).message } }, 'audit sealer failed'));
  });
  app.addHook('onClose', async () => {
    await stop?.();
  });
};
