// /api/residents: staff issue resident accounts at the facility (the activation code goes to
// the phone on the record) and link parents to children (proxies). Register with { services }.
import type { FastifyPluginAsync } from 'fastify';
import { agentOf } from '../../audit/audit-entry.ts';
import { canSeePatient } from '../../auth/can-see-patient.ts';
import { AuthError } from '../../auth/errors.ts';
import { addProxy, removeProxy } from '../../auth/proxies.ts';
import { startResidentAccount } from '../../auth/resident-accounts.ts';
import { installErrorHandler, obj, requireStaff, str, type AuthPluginOptions } from './auth-http.ts';

const STAFF = ['admin', 'clinician', 'clerk', 'commune-worker'] as const;
const id = str(64);

export const residentRoutes: FastifyPluginAsync<AuthPluginOptions> = async (app, { services }) => {
  installErrorHandler(app);
  const deps = { db: services.db.pool, config: services.config, sms: services.sms, patients: services.patients };

  async function mustSee(actor: Parameters<typeof canSeePatient>[1], ...patientIds: string[]) {
    for (const patientId of patientIds) {
      if (!(await canSeePatient(services.db.pool, actor, patientId))) throw new AuthError('patient-not-found');
    }
  }

  app.post<{ Body: { patientId: string } }>('/api/residents/accounts', { schema: { body: obj({ patientId: id }, ['patientId']) } }, async (request, reply) => {
    const staff = await requireStaff(request, services, STAFF);
    await mustSee(staff, request.body.patientId);
    const started = await startResidentAccount(deps, staff, request.body.patientId, request.ip);
    await services.audit.record({ action: 'account', outcome: '0', ...agentOf(staff), patientId: request.body.patientId, sourceIp: request.ip, detail: { resident: 'issued' } });
    return reply.code(201).send(started);
  });

  app.post<{ Body: { parentPatientId: string; childPatientId: string } }>(
    '/api/residents/proxies',
    { schema: { body: obj({ parentPatientId: id, childPatientId: id }, ['parentPatientId', 'childPatientId']) } },
    async (request, reply) => {
      const staff = await requireStaff(request, services, STAFF);
      const { parentPatientId, childPatientId } = request.body;
      if (parentPatientId === childPatientId) throw new AuthError('invalid-request');
      await mustSee(staff, parentPatientId, childPatientId);
      await addProxy(services.db.pool, { parentPatientId, childPatientId, source: 'staff', createdBy: staff.userId });
      await services.audit.record({ action: 'account', outcome: '0', ...agentOf(staff), patientId: childPatientId, sourceIp: request.ip, detail: { proxyAdded: parentPatientId } });
      return reply.code(201).send({ parentPatientId, childPatientId });
    },
  );

  app.post<{ Body: { parentPatientId: string; childPatientId: string } }>(
    '/api/residents/proxies/remove',
    { schema: { body: obj({ parentPatientId: id, childPatientId: id }, ['parentPatientId', 'childPatientId']) } },
    async (request) => {
      const staff = await requireStaff(request, services, STAFF);
      const { parentPatientId, childPatientId } = request.body;
      await mustSee(staff, childPatientId);
      const removed = await removeProxy(services.db.pool, parentPatientId, childPatientId);
      if (removed) {
        await services.audit.record({ action: 'account', outcome: '0', ...agentOf(staff), patientId: childPatientId, sourceIp: request.ip, detail: { proxyRemoved: parentPatientId } });
      }
      return { removed };
    },
  );
};
