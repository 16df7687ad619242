// Sign-in and tokens: staff and resident portal sessions under /auth, the OAuth2 token
// endpoint, SMART configuration and the JWKS. Register with { services } (src/auth/services.ts).
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { agentOf } from '../../audit/audit-entry.ts';
import type { Actor } from '../../auth/actor.ts';
import { tokenUrl } from '../../auth/auth-config.ts';
import { AuthError } from '../../auth/errors.ts';
import { OAuthError } from '../../auth/oauth-error.ts';
import {
  activateResidentAccount,
  loginResident,
  loginResidentWithOtp,
  requestResidentAccount,
  requestResidentLoginOtp,
  residentActor,
  type ResidentAccount,
} from '../../auth/resident-accounts.ts';
import { createSession, revokeAllSessions, revokeSession, type UserKind } from '../../auth/sessions.ts';
import { confirmTotpEnrolment, loginStaff, startTotpEnrolment } from '../../auth/staff-login.ts';
import { findStaffUserById, staffActor, type StaffUser } from '../../auth/staff-users.ts';
import { handleTokenRequest, type TokenRequest } from '../../auth/token-endpoint.ts';
import { commune } from '../../province/admin-units.ts';
import { facilityNames } from '../../store/facility-names.ts';
import { authenticated, clearSessionCookie, installErrorHandler, obj, requireActor, setSessionCookie, str, type AuthPluginOptions } from './auth-http.ts';

const LOGIN_LIMIT = { rateLimit: { max: 20, timeWindow: '1 minute' } };
const SENT = { message: 'Nếu thông tin khớp với hồ sơ, mã đã được gửi bằng tin nhắn tới số điện thoại trong hồ sơ.' };

/** What the portal shows of a staff member's place of work: names beside the codes. */
interface StaffPlaces {
  facilityName?: string | undefined;
  communeName?: string | undefined;
}

function describeActor(actor: Actor, user?: StaffUser, places: StaffPlaces = {}) {
  switch (actor.kind) {
    case 'staff':
      return {
        kind: 'staff',
        userId: actor.userId,
        username: actor.username,
        role: actor.role,
        facilityCode: actor.facilityCode,
        facilityName: places.facilityName,
        communeCode: actor.communeCode,
        communeName: places.communeName,
        displayName: user?.displayName,
      };
    case 'resident':
      // "Parents act for their children, and see that they do."
      return { kind: 'resident', userId: actor.userId, patientId: actor.patientId, actsFor: actor.proxyPatientIds };
    default:
      return { kind: actor.kind };
  }
}

export const authRoutes: FastifyPluginAsync<AuthPluginOptions> = async (app, { services }) => {
  installErrorHandler(app);
  const residents = { db: services.db.pool, config: services.config, sms: services.sms, patients: services.patients };
  await app.register(formbody);
  await app.register(rateLimit, { global: false });

  async function placesOf(actor: Actor): Promise<StaffPlaces> {
    if (actor.kind !== 'staff') return {};
    const facilityName = actor.facilityCode ? (await facilityNames(services.db.pool, [actor.facilityCode])).get(actor.facilityCode) : undefined;
    const communeName = actor.communeCode ? commune(actor.communeCode)?.name : undefined;
    return { facilityName, communeName };
  }

  async function startSession(request: FastifyRequest, reply: FastifyReply, kind: UserKind, actor: Actor, user?: StaffUser) {
    const { token, session } = await createSession(services.db.pool, services.config, kind, actor.kind === 'staff' || actor.kind === 'resident' ? actor.userId : '');
    await services.audit.record({ action: 'login', outcome: '0', ...agentOf(actor), sourceIp: request.ip, detail: { method: kind } });
    setSessionCookie(reply, services, token, session.expiresAt);
    reply.header('cache-control', 'no-store');
    return { csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString(), actor: describeActor(actor, user, await placesOf(actor)) };
  }

  async function failedLogin(request: FastifyRequest, err: unknown, method: string): Promise<never> {
    if (err instanceof AuthError) {
      await services.audit.record({ action: 'login', outcome: '4', agentKind: 'anonymous', sourceIp: request.ip, detail: { method, error: err.code } });
    }
    throw err;
  }

  app.post<{ Body: { username: string; password: string; totp?: string } }>(
    '/auth/login',
    { config: LOGIN_LIMIT, schema: { body: obj({ username: str(64), password: str(200), totp: str(6, 6) }, ['username', 'password']) } },
    async (request, reply) => {
      const user = await loginStaff(services.db.pool, services.config, request.body).catch((err: unknown) => failedLogin(request, err, 'staff'));
      return startSession(request, reply, 'staff', staffActor(user), user);
    },
  );

  app.get('/auth/session', async (request, reply) => {
    const auth = await authenticated(request, services);
    if (!auth?.session) throw new AuthError('unauthenticated');
    reply.header('cache-control', 'no-store');
    // The portal reloads from here: the same names as at sign-in, not just the username.
    const user = auth.actor.kind === 'staff' ? await findStaffUserById(services.db.pool, auth.actor.userId) : undefined;
    return { csrfToken: auth.session.csrfToken, expiresAt: auth.session.expiresAt.toISOString(), actor: describeActor(auth.actor, user, await placesOf(auth.actor)) };
  });

  app.post('/auth/logout', async (request, reply) => {
    const auth = await authenticated(request, services);
    if (auth?.session) {
      await revokeSession(services.db.pool, auth.session.token);
      services.sessionCache.forget(auth.session.token);
      await services.audit.record({ action: 'logout', outcome: '0', ...agentOf(auth.actor), sourceIp: request.ip });
    }
    clearSessionCookie(reply, services);
    return reply.code(204).send();
  });

  app.post('/auth/logout-everywhere', async (request, reply) => {
    const auth = await authenticated(request, services);
    if (!auth?.session) throw new AuthError('unauthenticated');
    const ended = await revokeAllSessions(services.db.pool, auth.session.userKind, auth.session.userId);
    services.sessionCache.forgetUser(auth.session.userKind, auth.session.userId);
    await services.audit.record({ action: 'logout', outcome: '0', ...agentOf(auth.actor), sourceIp: request.ip, detail: { everywhere: true, ended } });
    clearSessionCookie(reply, services);
    return { ended };
  });

  app.post('/auth/totp/enroll', async (request) => {
    const actor = await requireActor(request, services);
    if (actor.kind !== 'staff') throw new AuthError('forbidden');
    return { otpauthUri: await startTotpEnrolment(services.db.pool, actor.userId) };
  });

  app.post<{ Body: { code: string } }>('/auth/totp/confirm', { schema: { body: obj({ code: str(6, 6) }, ['code']) } }, async (request) => {
    const actor = await requireActor(request, services);
    if (actor.kind !== 'staff') throw new AuthError('forbidden');
    await confirmTotpEnrolment(services.db.pool, actor.userId, request.body.code);
    await services.audit.record({ action: 'account', outcome: '0', ...agentOf(actor), sourceIp: request.ip, detail: { totp: 'enabled' } });
    return { totpEnabled: true };
  });

  // Residents (C1).
  async function residentSession(request: FastifyRequest, reply: FastifyReply, account: ResidentAccount) {
    const actor = await residentActor(services.db.pool, account.id);
    if (!actor) throw new AuthError('account-pending');
    return startSession(request, reply, 'resident', actor);
  }

  const logBackground = (request: FastifyRequest) => (err: unknown) =>
    request.log.error({ err: { name: (err as Error).name } }, 'resident code delivery failed');

  app.post<{ Body: { cccd: string; phone: string } }>(
    '/auth/resident/request-account',
    { config: LOGIN_LIMIT, schema: { body: obj({ cccd: str(12, 9), phone: str(20, 9) }, ['cccd', 'phone']) } },
    async (request, reply) => {
      const { done } = await requestResidentAccount(residents, request.body, request.ip);
      done.catch(logBackground(request));
      return reply.code(202).send(SENT);
    },
  );

  app.post<{ Body: { phone: string; code: string; password: string } }>(
    '/auth/resident/activate',
    { config: LOGIN_LIMIT, schema: { body: obj({ phone: str(20, 9), code: str(6, 6), password: str(200) }, ['phone', 'code', 'password']) } },
    async (request, reply) => residentSession(request, reply, await activateResidentAccount(residents, request.body).catch((e: unknown) => failedLogin(request, e, 'resident-activate'))),
  );

  app.post<{ Body: { phone: string; password: string } }>(
    '/auth/resident/login',
    { config: LOGIN_LIMIT, schema: { body: obj({ phone: str(20, 9), password: str(200) }, ['phone', 'password']) } },
    async (request, reply) =>
      residentSession(request, reply, await loginResident({ db: services.db.pool, config: services.config }, request.body).catch((e: unknown) => failedLogin(request, e, 'resident'))),
  );

  app.post<{ Body: { phone: string } }>(
    '/auth/resident/login-code',
    { config: LOGIN_LIMIT, schema: { body: obj({ phone: str(20, 9) }, ['phone']) } },
    async (request, reply) => {
      const { done } = await requestResidentLoginOtp(residents, request.body.phone, request.ip);
      done.catch(logBackground(request));
      return reply.code(202).send(SENT);
    },
  );

  app.post<{ Body: { phone: string; code: string } }>(
    '/auth/resident/login-code/verify',
    { config: LOGIN_LIMIT, schema: { body: obj({ phone: str(20, 9), code: str(6, 6) }, ['phone', 'code']) } },
    async (request, reply) =>
      residentSession(request, reply, await loginResidentWithOtp({ db: services.db.pool, config: services.config }, request.body).catch((e: unknown) => failedLogin(request, e, 'resident-sms'))),
  );

  // OAuth2 / SMART Backend Services.
  app.post<{ Body: TokenRequest }>(
    '/oauth2/token',
    {
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        body: {
          type: 'object',
          properties: Object.fromEntries(['grant_type', 'scope', 'client_id', 'client_secret', 'client_assertion_type', 'client_assertion'].map((k) => [k, str(8192, 0)])),
        },
      },
    },
    async (request, reply) => {
      if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) throw new OAuthError('invalid_request', 'cần Content-Type application/x-www-form-urlencoded');
      try {
        const { token, client } = await handleTokenRequest(services, request.body ?? {}, request.headers.authorization);
        await services.audit.record({
          action: 'login',
          outcome: '0',
          ...agentOf({ kind: 'client', clientId: client.clientId, scopes: token.scope.split(' '), ...(client.facilityCode ? { facilityCode: client.facilityCode } : {}) }),
          sourceIp: request.ip,
          detail: { method: 'client_credentials' },
        });
        reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
        return token;
      } catch (err) {
        if (err instanceof OAuthError) {
          await services.audit.record({ action: 'login', outcome: '4', agentKind: 'client', sourceIp: request.ip, detail: { method: 'client_credentials', error: err.error } });
        }
        throw err;
      }
    },
  );

  app.get('/.well-known/smart-configuration', async () => ({
    issuer: services.config.baseUrl,
    jwks_uri: `${services.config.baseUrl}/.well-known/jwks.json`,
    token_endpoint: tokenUrl(services.config),
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['ES384', 'ES256', 'RS384', 'RS256'],
    grant_types_supported: ['client_credentials'],
    scopes_supported: ['system/*.read', 'system/*.write', 'system/*.rs', 'system/*.cruds'],
    response_types_supported: [],
    capabilities: ['client-confidential-asymmetric', 'client-confidential-symmetric', 'permission-v1', 'permission-v2'],
  }));

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return services.keys.jwks();
  });
};
