// /api/consent: clinicians ask for access (OTP to the resident's phone, or the resident's share
// code); residents make share codes, list and revoke; break-glass with a reason; administrators
// review break-glass accesses. Register with { services }.
import type { FastifyPluginAsync } from 'fastify';
import type { Actor } from '../../auth/actor.ts';
import {
  breakGlass,
  createShareCode,
  listBreakGlass,
  listConsents,
  redeemShareCode,
  requestConsentOtp,
  requestConsentOtpByKey,
  revokeConsent,
  verifyConsentOtp,
  type ConsentDeps,
  type ConsentSubject,
} from '../../consent/consent-service.ts';
import type { Grant } from '../../consent/grants.ts';
import { AuthError } from '../../auth/errors.ts';
import { installErrorHandler, obj, requireActor, str, type AuthPluginOptions } from './auth-http.ts';

const id = str(64);
const KEY_SENT = { sent: true, message: 'Nếu số giấy tờ khớp với một hồ sơ có số điện thoại, mã OTP đã được gửi tới số điện thoại trong hồ sơ.' };
const grantSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    patientId: { type: 'string' },
    granteeUserId: { type: 'string' },
    facilityCode: { type: 'string' },
    starts: { type: 'string' },
    expires: { type: 'string' },
    revokedAt: { type: 'string' },
    consentId: { type: 'string' },
    kind: { type: 'string' },
    method: { type: 'string' },
    reason: { type: 'string' },
    active: { type: 'boolean' },
  },
} as const;

function view(grant: Grant, actor: Actor) {
  return {
    id: grant.id,
    patientId: grant.patientId,
    // Residents see the facility and the kind of access; the staff account id stays internal.
    ...(actor.kind === 'resident' ? {} : { granteeUserId: grant.granteeUserId }),
    ...(grant.facilityCode ? { facilityCode: grant.facilityCode } : {}),
    starts: grant.starts.toISOString(),
    expires: grant.expires.toISOString(),
    ...(grant.revokedAt ? { revokedAt: grant.revokedAt.toISOString() } : {}),
    ...(grant.consentId ? { consentId: grant.consentId } : {}),
    kind: grant.kind,
    method: grant.method,
    ...(grant.reason ? { reason: grant.reason } : {}),
    active: grant.active,
  };
}

export const consentRoutes: FastifyPluginAsync<AuthPluginOptions> = async (app, { services }) => {
  installErrorHandler(app);
  const deps: ConsentDeps = { db: services.db.pool, config: services.config, sms: services.sms, patients: services.patients, fhir: services.fhir, audit: services.audit };
  const one = { response: { 200: grantSchema } };
  const many = { response: { 200: { type: 'object', properties: { grants: { type: 'array', items: grantSchema } } } } };

  // Either the record's id (the clinician sees it) or a key the resident tells them: a CCCD, an
  // HSSK resident ID or a BHYT card. Asked by key, the answer never says whether the record
  // exists (see docs/security.md).
  const key = str(32, 9);
  const subjectOf = (body: { patientId?: string; identifier?: string }): ConsentSubject => {
    if (body.patientId !== undefined && body.identifier === undefined) return { patientId: body.patientId };
    if (body.identifier !== undefined && body.patientId === undefined) return { identifier: body.identifier };
    throw new AuthError('invalid-request', 'Cần đúng một trong hai: mã hồ sơ hoặc số CCCD/mã HSSK/mã thẻ BHYT.');
  };

  app.post<{ Body: { patientId?: string; identifier?: string } }>(
    '/api/consent/otp/request',
    { schema: { body: obj({ patientId: id, identifier: key }, []) } },
    async (request, reply) => {
      const actor = await requireActor(request, services);
      const subject = subjectOf(request.body ?? {});
      if ('patientId' in subject) return requestConsentOtp(deps, actor, subject.patientId, request.ip);
      const { done } = await requestConsentOtpByKey(deps, actor, subject.identifier, request.ip);
      done.catch((err: unknown) => request.log.error({ err: { name: (err as Error).name } }, 'consent code delivery failed'));
      return reply.code(202).send(KEY_SENT);
    },
  );

  app.post<{ Body: { patientId?: string; identifier?: string; code: string; hours?: number } }>(
    '/api/consent/otp/verify',
    { schema: { body: obj({ patientId: id, identifier: key, code: str(6, 6), hours: { type: 'number' } }, ['code']), ...one } },
    async (request) => {
      const actor = await requireActor(request, services);
      const { code, hours } = request.body;
      const subject = subjectOf(request.body);
      return view(await verifyConsentOtp(deps, actor, { ...subject, code, ...(hours !== undefined ? { hours } : {}) }, request.ip), actor);
    },
  );

  app.post<{ Body: { patientId?: string; minutes?: number; hours?: number } }>(
    '/api/consent/share-codes',
    { schema: { body: obj({ patientId: id, minutes: { type: 'integer' }, hours: { type: 'number' } }, []) } },
    async (request) => {
      const created = await createShareCode(deps, await requireActor(request, services), request.body ?? {});
      // The portal draws the QR code from `qr`.
      return { code: created.code, patientId: created.patientId, expiresAt: created.expiresAt.toISOString(), qr: `hssk-share:${created.code}` };
    },
  );

  app.post<{ Body: { code: string } }>(
    '/api/consent/share-codes/redeem',
    { schema: { body: obj({ code: str(40, 8) }, ['code']), ...one } },
    async (request) => {
      const actor = await requireActor(request, services);
      return view(await redeemShareCode(deps, actor, request.body.code.replace(/^hssk-share:/, ''), request.ip), actor);
    },
  );

  app.get('/api/consent', { schema: many }, async (request) => {
    const actor = await requireActor(request, services);
    return { grants: (await listConsents(deps, actor)).map((g) => view(g, actor)) };
  });

  app.post<{ Params: { id: string } }>('/api/consent/:id/revoke', { schema: { params: obj({ id }, ['id']), ...one } }, async (request) => {
    const actor = await requireActor(request, services);
    return view(await revokeConsent(deps, actor, request.params.id, request.ip), actor);
  });

  app.post<{ Body: { patientId: string; reason: string; hours?: number } }>(
    '/api/consent/break-glass',
    { schema: { body: obj({ patientId: id, reason: str(1000, 1), hours: { type: 'number' } }, ['patientId', 'reason']), ...one } },
    async (request) => {
      const actor = await requireActor(request, services);
      return view(await breakGlass(deps, actor, request.body, request.ip), actor);
    },
  );

  app.get<{ Querystring: { since?: string } }>(
    '/api/consent/break-glass',
    { schema: { querystring: { type: 'object', properties: { since: { type: 'string', format: 'date-time' } } }, ...many } },
    async (request) => {
      const actor = await requireActor(request, services);
      const since = request.query.since ? new Date(request.query.since) : new Date(Date.now() - 30 * 86_400_000);
      return { grants: (await listBreakGlass(deps, actor, since)).map((g) => view(g, actor)) };
    },
  );
};
