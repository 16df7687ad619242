// The FHIR REST API at /fhir (application/fhir+json). HTTP framing only: every interaction is
// executed by http/fhir/interactions.ts, and every error becomes an OperationOutcome here.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError, issue, outcome } from '../../fhir/outcomes.ts';
import { Repository } from '../../store/repository.ts';
import { processBundle } from '../fhir/bundle-processor.ts';
import { executeInteraction, existingPatient } from '../fhir/interactions.ts';
import { parsePrefer, type AccessRecord, type FhirCaller, type FhirRequest, type FhirResponse } from '../fhir/request.ts';
import type { Actor } from '../../auth/actor.ts';
import type { AuthenticateOptions } from '../../auth/authenticate.ts';
import { isSessionChanged } from '../../auth/session-cache.ts';
import { afterSuccess, afterWrite, createUnitOf, recordRefusal, writeCreateUnits, type CreateUnit } from '../fhir/access-trail.ts';
import { createGroupCommit } from '../../store/group-commit.ts';
import type { VersionToWrite } from '../../store/resource-writer.ts';
import { auditEventInteraction } from '../fhir/audit-events.ts';

export interface FhirPluginOptions {
  /** Who is calling and what they may do; throws a FhirError (401/403) when they may not call at all. */
  resolveCaller: (req: FastifyRequest, options?: AuthenticateOptions) => Promise<FhirCaller>;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const PUBLIC_CALLER: FhirCaller = {
  access: () => 'FALSE',
  authorize(interaction) {
    if (interaction !== 'capabilities') throw new FhirError(401, outcome(issue('login', 'Cần đăng nhập (authentication required)')));
  },
};

export function baseUrlOf(req: FastifyRequest, configured: string | undefined): string {
  if (configured) return `${configured}/fhir`;
  return `${req.protocol}://${req.headers.host ?? 'localhost'}/fhir`;
}

function queryOf(req: FastifyRequest): Record<string, string[]> {
  const raw = req.raw.url ?? '';
  const q = raw.indexOf('?');
  const query: Record<string, string[]> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) (query[k] ??= []).push(v);
  return query;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(reply: FastifyReply, res: FhirResponse, head: boolean): FastifyReply {
  reply.code(res.status);
  for (const [k, v] of Object.entries(res.headers ?? {})) reply.header(k, v);
  if (res.body === undefined || head) return reply.send();
  reply.header('content-type', FHIR_JSON);
  // Encoded to UTF-8 once: a string payload is measured (Buffer.byteLength) and then encoded
  // again on write — 7 % of the server's time on a 100 kB $everything answer.
  return reply.send(Buffer.from(typeof res.body === 'string' ? res.body : JSON.stringify(res.body), 'utf8'));
}

export function sendOutcome(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', FHIR_JSON).send(JSON.stringify(body));
}

export const fhirRoutes: FastifyPluginAsync<FhirPluginOptions> = async (app, options) => {
  const parseJson = (_req: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void) => {
    if (body.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body));
    } catch (err) {
      done(new FhirError(400, outcome(issue('structure', `JSON không hợp lệ: ${(err as Error).message} (malformed JSON)`))));
    }
  };
  // Fastify's default text/plain parser would hand a string to the interactions (a misleading
  // 400): without it a text/plain body is a 415 like any other unsupported media type.
  app.removeContentTypeParser('text/plain');
  for (const type of ['application/fhir+json', 'application/json', 'application/json-patch+json']) {
    app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'string' }, parseJson);
  }
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(body as string)) (out[k] ??= []).push(v);
    done(null, out);
  });

  app.setErrorHandler((error, req, reply) => {
    const err = error as Error & { statusCode?: number; code?: string };
    if (err instanceof FhirError) return sendOutcome(reply, err.status, err.outcome);
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) {
      return sendOutcome(reply, 413, outcome(issue('too-costly', `Nội dung quá lớn (tối đa ${app.config.bodyLimit} byte) (request body too large)`)));
    }
    if (status === 415) {
      return sendOutcome(reply, 415, outcome(issue('not-supported', 'Kiểu nội dung không được hỗ trợ; dùng application/fhir+json (unsupported media type)')));
    }
    if (status && status >= 400 && status < 500) {
      return sendOutcome(reply, status, outcome(issue('invalid', err.message)));
    }
    const code = (err as { code?: string }).code;
    if (code === '57014') {
      return sendOutcome(reply, 503, outcome(issue('timeout', 'Truy vấn chạy quá lâu và đã bị huỷ; hãy thu hẹp điều kiện tìm kiếm (query timed out)')));
    }
    req.log.error({ err: { message: err.message, stack: err.stack, code } }, 'FHIR request failed');
    return sendOutcome(reply, 500, outcome(issue('exception', 'Lỗi máy chủ nội bộ; sự cố đã được ghi lại (internal server error)')));
  });

  app.setNotFoundHandler((req, reply) =>
    sendOutcome(reply, 404, outcome(issue('not-found', `Không có tài nguyên tại ${req.method} ${req.url.split('?')[0]} (not found)`))),
  );

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const path = (req.params as { '*': string })['*'] ?? '';
    // The CapabilityStatement is public (R4 §3.1.0.12): clients read it before authenticating.
    if (path === 'metadata' && req.method !== 'POST') {
      return send(reply, await executeInteraction(new Repository(app.db), requestOf(req, path), PUBLIC_CALLER), req.method === 'HEAD');
    }
    const audit = /^AuditEvent(\/|$)/.test(path);
    // A read's every statement carries the caller's access condition, which can then carry the
    // check of a portal session kept in memory (auth/session-cache.ts). The audit trail has its own.
    let resolved = await options.resolveCaller(req, { inStatementCheck: (req.method === 'GET' || req.method === 'HEAD') && !audit });
    if (audit) {
      // The audit trail is its own append-only store, read here and never written through the API.
      const actor = (resolved as { actor?: Actor }).actor;
      // Once allowed, this process's spooled reads first: "who accessed my record" includes the read a moment ago.
      const flushReads = () => app.services.readAudit.flush();
      return send(reply, await auditEventInteraction(app.db.pool, requestOf(req, path), actor, flushReads), req.method === 'HEAD');
    }
    const accesses: AccessRecord[] = [];
    const callerOf = (r: FhirCaller): FhirCaller => ({ ...r, authorize: r.authorize.bind(r), onAccess: (a) => accesses.push(a), ...(matching ? { matching } : {}) });
    let caller = callerOf(resolved);
    let actor = (resolved as { actor?: Actor }).actor;
    let endedSession = false;
    try {
      let res: FhirResponse;
      if (isPlainCreate(req, path)) {
        // Validated, indexed and answered here; written with the concurrent creates in one
        // transaction (with its audit entries and patient index row), answered once committed.
        const pending: VersionToWrite[] = [];
        const request = { ...requestOf(req, path), ...(matching && isPatient(path) ? { matchAtCommit: true } : {}) };
        res = await executeInteraction(new Repository(app.db).deferringCreates(pending), request, caller);
        const unit = createUnitOf(pending, accesses, actor, req.ip, request.matchAtCommit ? { access: caller.access } : undefined);
        await creates.submit(unit);
        // Someone's record (decided in the commit): answered with it, nothing was written.
        const decided = unit.identity?.decision;
        if (decided?.kind === 'existing') res = await existingPatient(new Repository(app.db), request, { ...caller, onAccess: undefined }, decided.patientId, decided.visible);
        // A new person: the Patient as written, with the resident ID the commit gave it.
        else if (unit.identity?.stored && typeof res.body === 'string') res = { ...res, body: unit.identity.stored };
      } else if (isBatchOrRead(req, path)) {
        try {
          res = await run(new Repository(app.db), req, path, caller);
        } catch (err) {
          if (!isSessionChanged(err)) throw err;
          // The cached session changed (logout, consent, account): read it afresh — a 401 if it
          // ended — and run the read again, once, with the session's query this time.
          try {
            resolved = await options.resolveCaller(req);
          } catch (signInErr) {
            // Refused as any request whose session has ended: before the interaction, not by it.
            endedSession = true;
            throw signInErr;
          }
          caller = callerOf(resolved);
          actor = (resolved as { actor?: Actor }).actor;
          accesses.length = 0;
          res = await run(new Repository(app.db), req, path, caller);
        }
        await afterSuccess(app, accesses, actor, req.ip);
      } else {
        // A write, its audit entries and the patient index change commit together: one commit
        // (one disk flush) per request, and no write without its audit entry.
        res = await new Repository(app.db).transaction(async (tx) => {
          const written = await run(tx, req, path, caller);
          await afterWrite(tx.queryable, accesses, actor, req.ip);
          return written;
        });
      }
      return send(reply, res, req.method === 'HEAD');
    } catch (err) {
      if (err instanceof FhirError && !endedSession) await recordRefusal(app, err, req, path, actor);
      throw err;
    }
  };

  // Patient writes go through the identity matcher in a province; the hub keeps each province's copy.
  const matching = app.config.mode === 'hub' ? undefined : { province: app.config.province, populationRule: app.config.identityPopulationRule };
  const creates = createGroupCommit(app.db, (tx, units: CreateUnit[]) => writeCreateUnits(tx, units, matching));
  const isPatient = (path: string) => /^Patient\/?$/.test(path);

  /**
   * A create without condition (`POST /fhir/Type`): nothing in it reads what it writes — a
   * Patient's match against the index is made by the group commit, in its transaction.
   */
  const isPlainCreate = (req: FastifyRequest, path: string): boolean =>
    req.method === 'POST' && /^[A-Z][A-Za-z]+\/?$/.test(path) && header(req, 'if-none-exist') === undefined;

  /** Reads, and batch Bundles (whose entries each run in their own transaction). */
  const isBatchOrRead = (req: FastifyRequest, path: string): boolean => {
    if (req.method === 'GET' || req.method === 'HEAD') return true;
    if (req.method === 'POST' && /\/_search$/.test(path)) return true;
    if (req.method === 'POST' && path.replace(/\/+$/, '') === '') {
      return (req.body as { type?: string } | undefined)?.type !== 'transaction';
    }
    return false;
  };

  const run = async (repo: Repository, req: FastifyRequest, path: string, caller: FhirCaller): Promise<FhirResponse> => {
    if (req.method === 'POST' && path.replace(/\/+$/, '') === '') {
      const bundle = await processBundle(repo, req.body, caller, baseUrlOf(req, app.config.baseUrl), header(req, 'prefer'));
      return { status: 200, body: bundle };
    }
    return executeInteraction(repo, requestOf(req, path), caller);
  };

  const requestOf = (req: FastifyRequest, path: string): FhirRequest => ({
    method: req.method as FhirRequest['method'],
    path,
    query: queryOf(req),
    body: req.body,
    ifMatch: header(req, 'if-match'),
    ifNoneExist: header(req, 'if-none-exist'),
    ifNoneMatch: header(req, 'if-none-match'),
    ifModifiedSince: header(req, 'if-modified-since'),
    prefer: parsePrefer(header(req, 'prefer')),
    baseUrl: baseUrlOf(req, app.config.baseUrl),
  });

  app.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/*', handler: handle, exposeHeadRoute: false });
  app.route({ method: ['GET', 'HEAD', 'POST'], url: '/', handler: handle, exposeHeadRoute: false });
};
