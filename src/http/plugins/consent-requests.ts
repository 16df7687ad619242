// /api/consent/requests: residents see the clinicians' pending requests to view their (or their
// child's) record and approve or decline them in the app. Register with { services }.
import type { FastifyPluginAsync } from 'fastify';
import { approveAccessRequest, declineAccessRequest, listAccessRequests } from '../../consent/access-requests.ts';
import type { AccessRequest } from '../../consent/access-request-store.ts';
import type { ConsentDeps } from '../../consent/consent-service.ts';
import { installErrorHandler, obj, requireActor, str, type AuthPluginOptions } from './auth-http.ts';

const requestSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    patientId: { type: 'string' },
    requesterName: { type: 'string' },
    requesterRole: { type: 'string' },
    facilityCode: { type: 'string' },
    facilityName: { type: 'string' },
    createdAt: { type: 'string' },
    expiresAt: { type: 'string' },
    status: { type: 'string' },
    grantId: { type: 'string' },
  },
} as const;

// The staff account id stays internal: residents see the name, role and facility.
function view(r: AccessRequest) {
  return {
    id: r.id,
    patientId: r.patientId,
    requesterName: r.requesterName,
    requesterRole: r.requesterRole,
    ...(r.facilityCode ? { facilityCode: r.facilityCode } : {}),
    ...(r.facilityName ? { facilityName: r.facilityName } : {}),
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt.toISOString(),
    status: r.status,
    ...(r.grantId ? { grantId: r.grantId } : {}),
  };
}

export const consentRequestRoutes: FastifyPluginAsync<AuthPluginOptions> = async (app, { services }) => {
  installErrorHandler(app);
  const deps: ConsentDeps = { db: services.db.pool, config: services.config, sms: services.sms, patients: services.patients, fhir: services.fhir, audit: services.audit };
  const params = { params: obj({ id: str(64) }, ['id']) };
  const one = { response: { 200: requestSchema } };

  app.get('/api/consent/requests', { schema: { response: { 200: { type: 'object', properties: { requests: { type: 'array', items: requestSchema } } } } } }, async (request) => {
    return { requests: (await listAccessRequests(deps, await requireActor(request, services))).map(view) };
  });

  app.post<{ Params: { id: string }; Body: { hours?: number } }>(
    '/api/consent/requests/:id/approve',
    { schema: { ...params, body: obj({ hours: { type: 'number' } }, []), ...one } },
    async (request) => {
      const actor = await requireActor(request, services);
      const hours = request.body?.hours;
      const { request: decided } = await approveAccessRequest(deps, actor, request.params.id, hours !== undefined ? { hours } : {}, request.ip);
      return view(decided);
    },
  );

  app.post<{ Params: { id: string } }>('/api/consent/requests/:id/decline', { schema: { ...params, ...one } }, async (request) => {
    return view(await declineAccessRequest(deps, await requireActor(request, services), request.params.id, request.ip));
  });
};
