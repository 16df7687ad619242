// The master patient index over HTTP: POST /fhir/Patient/$match (FHIR operation, the caller's
// access rule applies to the candidates) and the review queue for staff at /api/identity
// (list, decide link / keep separate, merge two records the matcher missed, the merges in force,
// undo a merge). Register with { services, resolveCaller }.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { readPolicy } from '../../auth/access-policy.ts';
import type { AuthServices } from '../../auth/services.ts';
import { agentOf } from '../../audit/audit-entry.ts';
import { loadConfig } from '../../config/config.ts';
import { FhirError, issue, outcome } from '../../fhir/outcomes.ts';
import { patientMatch } from '../../identity/mpi/match-operation.ts';
import { listActiveLinks } from '../../identity/mpi/links.ts';
import { MergeError, mergePatients, unmergePatients } from '../../identity/mpi/merge.ts';
import { countPendingReviews, decideReview, listReviews } from '../../identity/mpi/review-queue.ts';
import { pipelinePopulationRule } from '../../pipeline/population.ts';
import type { FhirCaller } from '../fhir/request.ts';
import { installErrorHandler, requireStaff } from './auth-http.ts';

export interface IdentityPluginOptions {
  services: AuthServices;
  /** The FHIR API's caller resolution (the same as the FHIR plugin's). */
  resolveCaller: (req: FastifyRequest) => Promise<FhirCaller>;
}

const REVIEWERS = ['admin', 'clerk', 'commune-worker'] as const;
const FHIR_JSON = 'application/fhir+json; charset=utf-8';

function mergeErrorReply(reply: FastifyReply, err: MergeError): FastifyReply {
  return reply.code(err.code === 'not-found' || err.code === 'not-merged' ? 404 : 409).send({ error: err.code, message: err.message });
}

export const identityRoutes: FastifyPluginAsync<IdentityPluginOptions> = async (app, { services, resolveCaller }) => {
  for (const type of ['application/fhir+json', 'application/json']) {
    app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, (body as string).trim() === '' ? undefined : JSON.parse(body as string));
      } catch {
        done(new FhirError(400, outcome(issue('structure', 'JSON không hợp lệ (malformed JSON)'))));
      }
    });
  }

  app.post('/fhir/Patient/$match', async (request, reply) => {
    try {
      const caller = await resolveCaller(request);
      caller.authorize('search', 'Patient');
      const base = app.config?.baseUrl ? `${app.config.baseUrl}/fhir` : `${request.protocol}://${request.headers.host ?? 'localhost'}/fhir`;
      // The plugin registered alone (its tests) has no deployment configuration: the defaults.
      const config = app.config ?? loadConfig({});
      const population = await pipelinePopulationRule(services.db.pool, { province: config.province, populationRule: config.identityPopulationRule });
      const bundle = await patientMatch(services.db.pool, request.body, base, caller.access, population);
      return reply.code(200).header('content-type', FHIR_JSON).send(JSON.stringify(bundle));
    } catch (err) {
      if (err instanceof FhirError) return reply.code(err.status).header('content-type', FHIR_JSON).send(JSON.stringify(err.outcome));
      throw err;
    }
  });

  await app.register(async (api) => {
    installErrorHandler(api);
    api.get<{ Querystring: { limit?: string; after?: string } }>('/api/identity/reviews', async (request) => {
      const staff = await requireStaff(request, services, REVIEWERS);
      const limit = Math.min(200, Math.max(1, Number(request.query.limit ?? 50) || 50));
      const scope = readPolicy(staff);
      const items = await listReviews(services.db.pool, { limit, afterId: Number(request.query.after ?? 0) || 0, withRecords: true, scope });
      // Both records of each pair are shown to the reviewer: each showing is an access to personal data.
      await services.audit.recordMany(
        items.flatMap((item) =>
          [item.patientId, item.candidateId].map((id) => ({
            action: 'read' as const, outcome: '0' as const, ...agentOf(staff), patientId: id, entityType: 'Patient', entityId: id, sourceIp: request.ip, reason: 'identity-review',
          })),
        ),
      );
      return { items, total: await countPendingReviews(services.db.pool, scope) };
    });

    api.post<{ Params: { id: string }; Body: { decision: 'link' | 'separate' } }>(
      '/api/identity/reviews/:id/decision',
      { schema: { body: { type: 'object', additionalProperties: false, required: ['decision'], properties: { decision: { type: 'string', enum: ['link', 'separate'] } } } } },
      async (request, reply) => {
        const staff = await requireStaff(request, services, REVIEWERS);
        try {
          return await decideReview(services.db, Number(request.params.id), request.body.decision, staff, readPolicy(staff));
        } catch (err) {
          if (err instanceof MergeError) return mergeErrorReply(reply, err);
          throw err;
        }
      },
    );

    // Two records of one person that never met in the queue (e.g. typed with different birth
    // dates): an administrator merges them by hand, like `hssk identity merge`.
    api.post<{ Body: { sourceId: string; survivorId: string } }>(
      '/api/identity/merges',
      { schema: { body: { type: 'object', additionalProperties: false, required: ['sourceId', 'survivorId'], properties: { sourceId: { type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$' }, survivorId: { type: 'string', pattern: '^[A-Za-z0-9.-]{1,64}$' } } } } },
      async (request, reply) => {
        const staff = await requireStaff(request, services, ['admin']);
        try {
          return await mergePatients(services.db, request.body.sourceId, request.body.survivorId, staff);
        } catch (err) {
          if (err instanceof MergeError) return mergeErrorReply(reply, err);
          throw err;
        }
      },
    );

    // Only administrators may undo a merge, so only they are shown the merges to undo.
    api.get<{ Querystring: { limit?: string } }>('/api/identity/links', async (request) => {
      await requireStaff(request, services, ['admin']);
      const limit = Math.min(100, Math.max(1, Number(request.query.limit ?? 20) || 20));
      return { items: await listActiveLinks(services.db.pool, limit) };
    });

    api.post<{ Params: { id: string } }>('/api/identity/links/:id/undo', async (request, reply) => {
      const staff = await requireStaff(request, services, ['admin']);
      try {
        return await unmergePatients(services.db, Number(request.params.id), staff);
      } catch (err) {
        if (err instanceof MergeError) return mergeErrorReply(reply, err);
        throw err;
      }
    });
  });
};
