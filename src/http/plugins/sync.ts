// National synchronisation (docs/sync.md): /api/sync/status, the dead-letter list and its
// replay, and /metrics (Prometheus; counts only, no personal data). Callers of /api/sync:
// an administrator, or a provincial system client (no facility) with a write-everything scope.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { listDeadLetters, replayDeadLetters } from '../../store/outbox.ts';
import { syncMetricsRegistry, syncStatus } from '../../sync/status.ts';
import { AuthError } from '../../auth/errors.ts';
import { FhirError, issue, outcome } from '../../fhir/outcomes.ts';
import { agentOf } from '../../audit/audit-entry.ts';
import type { Actor } from '../../auth/actor.ts';
import { hubRecordByCccd } from '../../sync/hub.ts';
import { boundProvince, provincesNamed } from '../../sync/hub-guard.ts';
import { doseRowsOf } from '../../sync/immunization/csv.ts';
import { linkDoses, pendingConflicts, resolveConflict } from '../../sync/immunization/link.ts';
import { actorId } from '../../auth/actor.ts';
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

/**
 * Hub mode: a hook on the whole application (not encapsulated; register it on the root before the
 * FHIR plugin) refusing FHIR writes that name another province's source identifier than the one
 * the calling client is bound to (or any, for an unbound caller).
 */
export const hubGuard: FastifyPluginAsync = async (app) => {
  if (app.config.mode !== 'hub') return;
  app.addHook('preHandler', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD' || !request.url.startsWith('/fhir')) return;
    const named = provincesNamed(request.url, request.body);
    if (named.size === 0) return;
    const actor = await requireActor(request, request.server.services);
    const province = actor.kind === 'client' ? await boundProvince(app.db.pool, actor.clientId) : undefined;
    if (province && [...named].every((p) => p === province)) return;
    await app.services.audit.record({ action: 'update', outcome: '4', ...agentOf(actor), sourceIp: request.ip, detail: { hubGuard: [...named].join(','), bound: province ?? null } });
    throw new FhirError(403, outcome(issue('forbidden', 'Ứng dụng này không được ghi hồ sơ của tỉnh khác (a province writes only its own records)')));
  });
};
(hubGuard as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

export const syncRoutes: FastifyPluginAsync = async (app) => {
  await app.register(bulkExportRoutes);
  installErrorHandler(app);
  const status = () => syncStatus(app.db.pool, app.config.sync.target, app.config.mode, app.config.healthBook);
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

  // The immunisation link (B10): a CSV from the national immunisation system, and the conflicts.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 50 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.post<{ Body: string; Querystring: { source?: string } }>('/api/sync/immunizations', async (request) => {
    await requireSyncAdmin(request);
    const parsed = doseRowsOf(typeof request.body === 'string' ? request.body : '');
    const rows = parsed.flatMap((r) => (r.ok ? [r.row] : []));
    const rejected = parsed.flatMap((r) => (r.ok ? [] : [{ line: r.line, reason: r.reason }]));
    const summary = await linkDoses(app.db, rows, (request.query.source ?? 'tiem-chung-quoc-gia').slice(0, 64));
    return { summary, rejected };
  });

  app.get('/api/sync/immunization-conflicts', async (request) => {
    await requireSyncAdmin(request);
    return { conflicts: await pendingConflicts(app.db.pool) };
  });

  app.post<{ Params: { id: string }; Body: { keep: 'existing' | 'incoming' } }>(
    '/api/sync/immunization-conflicts/:id/resolve',
    { schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } }, body: { type: 'object', required: ['keep'], properties: { keep: { enum: ['existing', 'incoming'] } } } } },
    async (request, reply) => {
      await requireSyncAdmin(request);
      const actor = await requireActor(request, app.services);
      const done = await resolveConflict(app.db, Number(request.params.id), request.body.keep === 'existing' ? 'kept-existing' : 'took-incoming', actorId(actor));
      if (!done) return reply.code(404).send({ error: 'not-found', message: 'Không có mâu thuẫn đang chờ với mã này' });
      return { resolved: true };
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
