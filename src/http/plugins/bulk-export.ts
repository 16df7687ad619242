// FHIR Bulk Data $export (docs/sync.md): kick-off (Prefer: respond-async → 202 + Content-Location),
// status polling (202 + X-Progress, then 200 + manifest), NDJSON downloads, cancellation.
// Callers: provincial system clients (no facility) whose scopes allow searching each exported
// type; each kick-off and download is audited. Registered by the sync plugin.
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { agentOf } from '../../audit/audit-entry.ts';
import type { ClientActor } from '../../auth/actor.ts';
import { AuthError } from '../../auth/errors.ts';
import { canAccess } from '../../auth/scopes.ts';
import { FhirError, issue, outcome } from '../../fhir/outcomes.ts';
import {
  createExportJob, deleteExportJob, exportFileContent, exportFiles, getExportJob, parseExportParams, type ExportParams,
} from '../../sync/bulk-export.ts';
import { ExportRunner } from '../../sync/export-runner.ts';
import { requireActor } from './auth-http.ts';

type Query = Record<string, string | string[] | undefined>;

async function requireExportClient(request: FastifyRequest): Promise<ClientActor> {
  const actor = await requireActor(request, request.server.services);
  if (actor.kind === 'client' && !actor.facilityCode) return actor;
  await request.server.services.audit.record({ action: 'export', outcome: '4', ...agentOf(actor), sourceIp: request.ip, detail: { bulk: 'refused' } });
  throw new AuthError('forbidden');
}

function baseUrl(request: FastifyRequest): string {
  return request.server.config.baseUrl ?? `${request.protocol}://${request.host}`;
}

/** How often a running server looks for jobs that another, stopped, process left in progress. */
const RESUME_INTERVAL_MS = 5 * 60_000;

export const bulkExportRoutes: FastifyPluginAsync = async (app) => {
  // Jobs run in this process; those a restart or crash interrupted are resumed at start-up (and
  // periodically, for a process that died while this one kept running).
  const runner = new ExportRunner(app.db);
  const resume = () => void runner.resumeOrphans().catch((err: Error) => app.log.error({ err: err.name }, 'bulk export resume failed'));
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    resume();
    timer = setInterval(resume, RESUME_INTERVAL_MS).unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await runner.close();
  });
  app.setErrorHandler((err: FastifyError | AuthError | FhirError, _request, reply) => {
    if (err instanceof FhirError) return reply.code(err.status).type('application/fhir+json').send(err.outcome);
    if (err instanceof AuthError) {
      if (err.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="hssk"');
      return reply.code(err.statusCode).type('application/fhir+json').send(outcome(issue(err.statusCode === 401 ? 'login' : 'forbidden', err.message)));
    }
    const status = (err as FastifyError).statusCode && (err as FastifyError).statusCode! < 500 ? (err as FastifyError).statusCode! : 500;
    return reply.code(status).type('application/fhir+json').send(outcome(issue(status === 500 ? 'exception' : 'invalid', status === 500 ? 'Lỗi hệ thống' : 'Yêu cầu không hợp lệ')));
  });

  const kickOff = async (request: FastifyRequest<{ Querystring: Query }>, reply: FastifyReply, level: ExportParams['level'], groupId?: string) => {
    const actor = await requireExportClient(request);
    if (!/respond-async/.test(String(request.headers['prefer'] ?? ''))) {
      throw new FhirError(400, outcome(issue('invalid', '$export cần tiêu đề Prefer: respond-async')));
    }
    const params = parseExportParams(level, request.query, groupId);
    const deid = params.deidentify === true;
    const allowed = (type: string) => canAccess(actor.scopes, type, 'search');
    const refused = (params.types ?? []).filter((t) => !allowed(t));
    if (refused.length > 0 || (params.types === null && !canAccess(actor.scopes, '*', 'search') && !actor.scopes.some((s) => /^system\/[A-Z]/.test(s)))) {
      await app.services.audit.record({ action: 'export', outcome: '4', ...agentOf(actor), sourceIp: request.ip, detail: { level, refused: refused.join(',') } });
      throw new AuthError('forbidden');
    }
    const job = await createExportJob(app.db.pool, actor.clientId, request.url, params);
    await app.services.audit.record({
      action: 'export',
      outcome: '0',
      ...agentOf(actor),
      entityType: level === 'group' ? 'Group' : level === 'patient' ? 'Patient' : undefined,
      ...(groupId ? { entityId: groupId } : {}),
      query: request.url,
      sourceIp: request.ip,
      detail: { job: job.id, level, deidentified: deid },
    });
    void runner.start(job, allowed);
    return reply.code(202).header('content-location', `${baseUrl(request)}/fhir/$export-status/${job.id}`).send();
  };

  app.get<{ Querystring: Query }>('/fhir/$export', (req, reply) => kickOff(req, reply, 'system'));
  app.get<{ Querystring: Query }>('/fhir/Patient/$export', (req, reply) => kickOff(req, reply, 'patient'));
  app.get<{ Querystring: Query; Params: { id: string } }>('/fhir/Group/:id/$export', (req, reply) => kickOff(req, reply, 'group', req.params.id));

  const ownJob = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const actor = await requireExportClient(request);
    const job = await getExportJob(app.db.pool, request.params.id);
    if (!job || job.clientId !== actor.clientId) throw new FhirError(404, outcome(issue('not-found', 'Không tìm thấy yêu cầu xuất dữ liệu')));
    return { actor, job };
  };

  app.get<{ Params: { id: string } }>('/fhir/$export-status/:id', async (request, reply) => {
    const { job } = await ownJob(request);
    if (job.status === 'in-progress') return reply.code(202).header('x-progress', job.progress ?? 'starting').header('retry-after', '1').send();
    if (job.status === 'error') throw new FhirError(500, outcome(issue('exception', `Xuất dữ liệu thất bại: ${job.error ?? ''}`)));
    if (job.status === 'cancelled') throw new FhirError(404, outcome(issue('not-found', 'Yêu cầu đã bị huỷ')));
    const files = await exportFiles(app.db.pool, job.id);
    return reply.header('expires', new Date(Date.now() + 24 * 3600_000).toUTCString()).send({
      transactionTime: job.transactionTime.toISOString(),
      request: `${baseUrl(request)}${job.request}`,
      requiresAccessToken: true,
      output: files.map((f) => ({ type: f.type, url: `${baseUrl(request)}/fhir/$export-file/${job.id}/${f.n}`, count: f.count })),
      error: [],
    });
  });

  app.delete<{ Params: { id: string } }>('/fhir/$export-status/:id', async (request, reply) => {
    const { job } = await ownJob(request);
    await deleteExportJob(app.db.pool, job.id);
    return reply.code(202).send();
  });

  app.get<{ Params: { id: string; n: string } }>('/fhir/$export-file/:id/:n', async (request, reply) => {
    const { actor, job } = await ownJob(request);
    const content = /^\d+$/.test(request.params.n) ? await exportFileContent(app.db.pool, job.id, Number(request.params.n)) : undefined;
    if (content === undefined) throw new FhirError(404, outcome(issue('not-found', 'Không tìm thấy tệp')));
    await app.services.audit.record({ action: 'export', outcome: '0', ...agentOf(actor), sourceIp: request.ip, detail: { job: job.id, file: Number(request.params.n) } });
    return reply.type('application/fhir+ndjson').send(content);
  });
};
