// National synchronisation (docs/sync.md): /api/sync/status, the dead-letter list and its
// replay, and /metrics (Prometheus; counts only, no personal data). Callers of /api/sync:
// an administrator, or a provincial system client (no facility) with a write-everything scope.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { listDeadLetters, replayDeadLetters } from '../../store/outbox.ts';
import { syncMetricsRegistry, syncStatus } from '../../sync/status.ts';
import { AuthError } from '../../auth/errors.ts';
import { installErrorHandler, requireActor } from './auth-http.ts';

const ADMIN_SCOPES = new Set(['system/*.*', 'system/*.cruds', 'system/*.write']);

async function requireSyncAdmin(request: FastifyRequest): Promise<void> {
  const actor = await requireActor(request, request.server.services);
  if (actor.kind === 'staff' && actor.role === 'admin') return;
  if (actor.kind === 'client' && !actor.facilityCode && actor.scopes.some((s) => ADMIN_SCOPES.has(s))) return;
  throw new AuthError('forbidden');
}

export const syncRoutes: FastifyPluginAsync = async (app) => {
  installErrorHandler(app);
  const status = () => syncStatus(app.db.pool, app.config.sync.target, app.config.mode);
  const registry = syncMetricsRegistry(status);

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  app.get('/api/sync/status', async (request) => {
    await requireSyncAdmin(request);
    return status();
  });

  app.get<{ Querystring: { limit?: number } }>(
    '/api/sync/dead-letters',
    { schema: { querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } } } },
    async (request) => {
      await requireSyncAdmin(request);
      return { deadLetters: await listDeadLetters(app.db.pool, request.query.limit ?? 100) };
    },
  );

  app.post<{ Body: { seqs?: number[] } | undefined }>(
    '/api/sync/dead-letters/replay',
    {
      schema: {
        body: { anyOf: [{ type: 'null' }, { type: 'object', properties: { seqs: { type: 'array', items: { type: 'integer' }, maxItems: 10_000 } } }] },
      },
    },
    async (request) => {
      await requireSyncAdmin(request);
      const replayed = await replayDeadLetters(app.db.pool, request.body?.seqs);
      request.log.info({ replayed }, 'sync dead letters replayed');
      return { replayed };
    },
  );
};
