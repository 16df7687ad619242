// National synchronisation (docs/sync.md): /api/sync/status, the dead-letter list and its
// replay, and /metrics (Prometheus; counts only, no personal data). Callers of /api/sync:
// an administrator, or a provincial system client (no facility) with a write-everything scope.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { listDeadLetters, replayDeadLetters } from '../../store/outbox.ts';
import { syncMetricsRegistry, syncStatus } from '../../sync/status.ts';
import { AuthError } from '../../auth/errors.ts';
import { agentOf } from '../../audit/audit-entry.ts';
import type { Actor } from '../../auth/actor.ts';
import { hubRecordByCccd } from '../../sync/hub.ts';
import { installErrorHandler, requireActor } from './auth-http.ts';
import { bulkExportRoutes } from './bulk-export.ts';

const ADMIN_SCOPES = new Set(['system/*.*', 'system/*.cruds', 'system/*.write']);
const READ_SCOPES = new Set(['system/*.*', 'system/*.cruds', 'system/*.read', 'system/*.rs']);

/** The hub's merged record: an administrator or a national system client that may read everything. */
async function requireHubReader(request: FastifyRequest): Promise<Actor> {
  const actor = await requireActor(request, request.server.services);
  if (actor.kind === 'staff' && actor.role === 'admin') return actor;
  if (actor.kind === 'client' && !actor.facilityCode && actor.scopes.some((s) => READ_SCOPES.has(s))) return actor;
  await request.server.services.audit.record({ action: 'read', outcome: '4', ...agentOf(actor), entityType: 'Patient', sourceIp: request.ip, detail: { hubRecord: true } });
  throw new AuthError('forbidden');
}

async function requireSyncAdmin(request: FastifyRequest): Promise<void> {
  const actor = await requireActor(request, request.server.services);
  if (actor.kind === 'staff' && actor.role === 'admin') return;
  if (actor.kind === 'client' && !actor.facilityCode && actor.scopes.some((s) => ADMIN_SCOPES.has(s))) return;
  throw new AuthError('forbidden');
}

export const syncRoutes: FastifyPluginAsync = async (app) => {
  await app.register(bulkExportRoutes);
  installErrorHandler(app);
  const status = () => syncStatus(app.db.pool, app.config.sync.target, app.config.mode);
  const registry = syncMetricsRegistry(status);

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });

  // The CCCD travels in the body, not the URL (URLs end up in proxies' logs).
  app.post<{ Body: { cccd: string } }>(
    '/api/hub/record',
    { schema: { body: { type: 'object', required: ['cccd'], properties: { cccd: { type: 'string', pattern: '^[0-9]{12}$' } } } } },
    async (request, reply) => {
      if (app.config.mode !== 'hub') return reply.code(404).send({ error: 'not-hub', message: 'Chỉ có ở chế độ hub (HSSK_MODE=hub)' });
      const actor = await requireHubReader(request);
      const record = await hubRecordByCccd(app.db.pool, request.body.cccd);
      await app.services.audit.record({
        action: 'read',
        outcome: '0',
        ...agentOf(actor),
        entityType: 'Patient',
        ...(record.patients[0] ? { patientId: record.patients[0].id } : {}),
        sourceIp: request.ip,
        detail: { hubRecord: true, patients: record.patients.length, provinces: record.provinces.join(',') },
      });
      return record;
    },
  );

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
