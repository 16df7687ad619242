// /api/admin: staff accounts, OAuth2 clients (list, register, revoke), the development SMS outbox, token key rotation and the audit
// chain check — administrators only (TOTP-protected sessions). Register with { services }.
import type { FastifyPluginAsync } from 'fastify';
import { agentOf } from '../../audit/audit-entry.ts';
import { verifyAuditChain } from '../../audit/verify.ts';
import { STAFF_ROLES, type StaffRole } from '../../auth/actor.ts';
import { InvalidClientSpec, createClient, listClients, revokeClient } from '../../auth/clients.ts';
import { splitScopeString } from '../../auth/scopes.ts';
import { AuthError } from '../../auth/errors.ts';
import { revokeAllSessions } from '../../auth/sessions.ts';
import { InvalidStaffSpec, createStaffUser, findStaffUserById, listStaffUsers, unlockStaffUser } from '../../auth/staff-users.ts';
import { readOutbox } from '../../sms/outbox.ts';
import { installErrorHandler, obj, requireStaff, str, type AuthPluginOptions } from './auth-http.ts';

const ADMIN = ['admin'] as const;

export const adminRoutes: FastifyPluginAsync<AuthPluginOptions> = async (app, { services }) => {
  installErrorHandler(app);
  const db = services.db.pool;

  app.post<{ Body: { username: string; displayName: string; role: StaffRole; facilityCode?: string; communeCode?: string; practitionerId?: string } }>(
    '/api/admin/users',
    {
      schema: {
        body: obj(
          { username: str(64, 3), displayName: str(200), role: { type: 'string', enum: [...STAFF_ROLES] }, facilityCode: str(20), communeCode: str(20), practitionerId: str(64) },
          ['username', 'displayName', 'role'],
        ),
      },
    },
    async (request, reply) => {
      const admin = await requireStaff(request, services, ADMIN);
      try {
        const created = await createStaffUser(db, request.body, services.fhir);
        await services.audit.record({ action: 'account', outcome: '0', ...agentOf(admin), sourceIp: request.ip, detail: { staffCreated: created.user.id, role: created.user.role } });
        reply.header('cache-control', 'no-store');
        return reply.code(201).send({ user: created.user, password: created.generatedPassword, totpUri: created.totpUri });
      } catch (err) {
        if (err instanceof InvalidStaffSpec) throw new AuthError('invalid-request', `Thông tin tài khoản không hợp lệ: ${err.message}`);
        throw err;
      }
    },
  );

  app.get('/api/admin/users', async (request) => {
    await requireStaff(request, services, ADMIN);
    return { users: await listStaffUsers(db) };
  });

  app.post<{ Params: { id: string } }>('/api/admin/users/:id/unlock', { schema: { params: obj({ id: str(64) }, ['id']) } }, async (request) => {
    const admin = await requireStaff(request, services, ADMIN);
    if (!(await unlockStaffUser(db, request.params.id))) throw new AuthError('invalid-request', 'Không tìm thấy tài khoản.');
    await services.audit.record({ action: 'account', outcome: '0', ...agentOf(admin), sourceIp: request.ip, detail: { unlocked: request.params.id } });
    return { unlocked: true };
  });

  app.post<{ Params: { id: string } }>('/api/admin/users/:id/logout-everywhere', { schema: { params: obj({ id: str(64) }, ['id']) } }, async (request) => {
    const admin = await requireStaff(request, services, ADMIN);
    if (!(await findStaffUserById(db, request.params.id))) throw new AuthError('invalid-request', 'Không tìm thấy tài khoản.');
    const ended = await revokeAllSessions(db, 'staff', request.params.id);
    services.sessionCache.forgetUser('staff', request.params.id);
    await services.audit.record({ action: 'logout', outcome: '0', ...agentOf(admin), sourceIp: request.ip, detail: { everywhere: true, of: request.params.id, ended } });
    return { ended };
  });

  app.get('/api/admin/clients', async (request, reply) => {
    await requireStaff(request, services, ADMIN);
    reply.header('cache-control', 'no-store');
    return { clients: await listClients(db) };
  });

  app.post<{ Body: { name: string; facilityCode?: string; scope: string } }>(
    '/api/admin/clients',
    { schema: { body: obj({ name: str(200, 1), facilityCode: { type: 'string', pattern: '^[0-9A-Za-z]{5,10}$' }, scope: str(2000, 1) }, ['name', 'scope']) } },
    async (request, reply) => {
      const admin = await requireStaff(request, services, ADMIN);
      const { name, facilityCode, scope } = request.body;
      try {
        const created = await createClient(db, { name: name.trim(), scopes: splitScopeString(scope), ...(facilityCode ? { facilityCode } : {}) });
        await services.audit.record({ action: 'account', outcome: '0', ...agentOf(admin), sourceIp: request.ip, entityType: 'OAuthClient', entityId: created.clientId, detail: { clientCreated: created.clientId } });
        // The secret is shown this once; only its hash is kept.
        return reply.code(201).header('cache-control', 'no-store').send(created);
      } catch (err) {
        if (err instanceof InvalidClientSpec) throw new AuthError('invalid-request', `Phạm vi quyền không hợp lệ (chỉ dùng dạng system/…, ví dụ system/*.write): ${err.message}`);
        throw err;
      }
    },
  );

  app.post<{ Params: { id: string } }>('/api/admin/clients/:id/revoke', { schema: { params: obj({ id: str(64) }, ['id']) } }, async (request) => {
    const admin = await requireStaff(request, services, ADMIN);
    if (!(await revokeClient(db, request.params.id))) throw new AuthError('invalid-request', 'Không tìm thấy ứng dụng kết nối này.');
    await services.audit.record({ action: 'account', outcome: '0', ...agentOf(admin), sourceIp: request.ip, entityType: 'OAuthClient', entityId: request.params.id, detail: { clientRevoked: request.params.id } });
    return { revoked: true };
  });

  app.get<{ Querystring: { phone?: string; limit?: number } }>(
    '/api/admin/sms-outbox',
    { schema: { querystring: { type: 'object', properties: { phone: str(20), limit: { type: 'integer', minimum: 1, maximum: 1000 } } } } },
    async (request, reply) => {
      await requireStaff(request, services, ADMIN);
      reply.header('cache-control', 'no-store');
      return { messages: await readOutbox(db, request.query) };
    },
  );

  app.post('/api/admin/signing-keys/rotate', async (request) => {
    const admin = await requireStaff(request, services, ADMIN);
    const kid = await services.keys.rotate();
    await services.audit.record({ action: 'account', outcome: '0', ...agentOf(admin), sourceIp: request.ip, detail: { signingKeyRotated: kid } });
    return { kid };
  });

  app.get('/api/admin/audit/verify', async (request) => {
    await requireStaff(request, services, ADMIN);
    return verifyAuditChain(db);
  });
};
