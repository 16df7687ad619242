// /api/push (issues 7, 10): what the residents' app needs for web-push reminders — the server's
// VAPID public key, and registering or removing this device's PushSubscription. Only a signed-in
// resident (session or token) may call them; a subscription belongs to the resident's own
// account, which also receives the reminders of the children it acts for.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ResidentActor } from '../../auth/actor.ts';
import { agentOf } from '../../audit/audit-entry.ts';
import { AuthError } from '../../auth/errors.ts';
import { loadVapidKeys, type VapidKeys } from '../../programs/reminders/vapid-keys.ts';
import { endpointProblem, listDevices, removeSubscription, saveSubscription, subscriptionExists } from '../../programs/reminders/subscriptions.ts';
import { installErrorHandler, obj, requireActor, str, type AuthPluginOptions } from './auth-http.ts';

const base64url = (maxLength: number) => ({ type: 'string', pattern: '^[A-Za-z0-9_-]+={0,2}$', maxLength }) as const;
const endpoint = { type: 'string', minLength: 9, maxLength: 2000 } as const;

export const pushRoutes: FastifyPluginAsync<AuthPluginOptions> = async (app, { services }) => {
  installErrorHandler(app);
  const db = services.db;
  let keys: Promise<VapidKeys> | undefined;
  const vapid = () => {
    keys ??= loadVapidKeys(db.pool, app.config).catch((err: unknown) => {
      keys = undefined;
      throw err;
    });
    return keys;
  };

  async function resident(request: FastifyRequest): Promise<ResidentActor> {
    const actor = await requireActor(request, services);
    if (actor.kind !== 'resident') throw new AuthError('forbidden');
    return actor;
  }

  app.get('/api/push/public-key', async (request) => {
    await resident(request);
    return { publicKey: (await vapid()).publicKey };
  });

  app.get<{ Querystring: { endpoint?: string } }>('/api/push/subscriptions', async (request) => {
    const actor = await resident(request);
    const devices = await listDevices(db.pool, actor.patientId);
    return {
      devices,
      ...(request.query.endpoint !== undefined ? { subscribed: await subscriptionExists(db.pool, actor.patientId, request.query.endpoint) } : {}),
    };
  });

  app.post<{ Body: { endpoint: string; expirationTime?: number | null; keys: { p256dh: string; auth: string }; device?: string } }>(
    '/api/push/subscriptions',
    {
      schema: {
        body: obj(
          { endpoint, expirationTime: { type: ['number', 'null'] }, keys: obj({ p256dh: base64url(200), auth: base64url(100) }, ['p256dh', 'auth']), device: str(100) },
          ['endpoint', 'keys'],
        ),
      },
    },
    async (request, reply) => {
      const actor = await resident(request);
      const problem = endpointProblem(request.body.endpoint, app.config.push.serviceHosts);
      if (problem) return reply.code(400).send({ error: 'invalid-subscription', message: problem });
      // A P-256 public key (uncompressed point, 65 bytes) and a 16-byte auth secret (RFC 8291).
      const { p256dh, auth } = request.body.keys;
      if (Buffer.from(p256dh, 'base64url').length !== 65 || Buffer.from(auth, 'base64url').length !== 16) {
        return reply.code(400).send({ error: 'invalid-subscription', message: 'Khóa của đăng ký thông báo không hợp lệ.' });
      }
      await saveSubscription(db.pool, { patientId: actor.patientId, accountId: actor.userId, endpoint: request.body.endpoint, p256dh, auth, ...(request.body.device ? { device: request.body.device } : {}) });
      await services.audit.record({ action: 'create', outcome: '0', ...agentOf(actor), patientId: actor.patientId, entityType: 'PushSubscription', sourceIp: request.ip });
      return reply.code(201).send({ subscribed: true, devices: await listDevices(db.pool, actor.patientId) });
    },
  );

  app.delete<{ Body: { endpoint: string } }>('/api/push/subscriptions', { schema: { body: obj({ endpoint }, ['endpoint']) } }, async (request, reply) => {
    const actor = await resident(request);
    const removed = await removeSubscription(db.pool, actor.patientId, request.body.endpoint);
    if (!removed) return reply.code(404).send({ error: 'not-found', message: 'Thiết bị này chưa đăng ký nhận thông báo.' });
    await services.audit.record({ action: 'delete', outcome: '0', ...agentOf(actor), patientId: actor.patientId, entityType: 'PushSubscription', sourceIp: request.ip });
    return { subscribed: false, devices: await listDevices(db.pool, actor.patientId) };
  });
};
