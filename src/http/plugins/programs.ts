// /api/worklists and /api/programs (MISSION B6, B7) and /api/reminders (C6): commune worklists
// scoped to the caller's commune (commune workers) or the province (admin, manager); a child's
// vaccination book and growth; register enrolment; pregnancy, birth and health-check forms; a
// centre's quarterly list; residents' reminder choices (push subscriptions: push.ts). Register
// with { services }.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { StaffActor } from '../../auth/actor.ts';
import { agentOf } from '../../audit/audit-entry.ts';
import { canSeePatient } from '../../auth/can-see-patient.ts';
import { AuthError } from '../../auth/errors.ts';
import { importCentreList } from '../../programs/centres/centre-list.ts';
import { todayInVietnam } from '../../programs/dates.ts';
import { growthPoints } from '../../programs/growth/growth.ts';
import { vaccinationBook } from '../../programs/immunization/forecast.ts';
import { givenDoses } from '../../programs/immunization/given-doses.ts';
import { epiSchedule } from '../../programs/immunization/schedule.ts';
import { discharge, enrol } from '../../programs/registers/enrol.ts';
import { programme, programmes } from '../../programs/registers/programmes.ts';
import { CHANNELS, getPreferences, setPreference, REMINDER_KINDS, type Channel } from '../../programs/reminders/preferences.ts';
import { loadResidents } from '../../programs/state/load.ts';
import { sexOf } from '../../programs/state/patient-facts.ts';
import { refreshPatients } from '../../programs/state/refresh.ts';
import { recordHealthCheck, registerBirth, registerPregnancy } from '../../programs/visits.ts';
import { queryWorklist, worklistCounts, worklistDef, WORKLISTS } from '../../programs/worklists/worklists.ts';
import { residentPatientIds } from '../../auth/actor.ts';
import { installErrorHandler, obj, requireActor, requireStaff, str, type AuthPluginOptions } from './auth-http.ts';

const WORKLIST_ROLES = ['admin', 'manager', 'commune-worker'] as const;
const CLINICAL_ROLES = ['admin', 'commune-worker', 'clinician', 'clerk'] as const;
const id = str(64);
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;
const num = { type: 'number', minimum: 0, maximum: 1000 } as const;

/** The commune a staff member may list: their own (commune worker) or any / all (admin, manager). */
function scopeOf(staff: StaffActor, requested: string | undefined): string | undefined {
  if (staff.role === 'commune-worker') {
    if (!staff.communeCode) throw new AuthError('forbidden');
    if (requested && requested !== staff.communeCode) throw new AuthError('forbidden');
    return staff.communeCode;
  }
  return requested;
}

export const programRoutes: FastifyPluginAsync<AuthPluginOptions> = async (app, { services }) => {
  installErrorHandler(app);
  app.addContentTypeParser('text/csv', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  const db = services.db;

  async function mustSee(request: FastifyRequest, patientId: string) {
    const actor = await requireActor(request, services);
    if (!(await canSeePatient(db.pool, actor, patientId))) throw new AuthError('patient-not-found');
    return actor;
  }

  app.get<{ Querystring: { commune?: string } }>('/api/worklists', async (request) => {
    const staff = await requireStaff(request, services, WORKLIST_ROLES);
    const commune = scopeOf(staff, request.query.commune);
    const counts = await worklistCounts(db.pool, commune);
    return { commune: commune ?? null, asOf: todayInVietnam(), worklists: WORKLISTS.map((w) => ({ code: w.code, title: w.title, count: counts[w.code] ?? 0 })) };
  });

  app.get<{ Params: { code: string }; Querystring: { commune?: string; limit?: string; after?: string; asOf?: string } }>('/api/worklists/:code', async (request, reply) => {
    const staff = await requireStaff(request, services, WORKLIST_ROLES);
    const def = worklistDef(request.params.code);
    if (!def) return reply.code(404).send({ error: 'not-found', message: `Không có danh sách "${request.params.code}".` });
    const commune = scopeOf(staff, request.query.commune);
    let after: { dueDate: string | null; patientId: string; itemKey: string } | undefined;
    if (request.query.after) {
      try {
        after = JSON.parse(Buffer.from(request.query.after, 'base64url').toString('utf8'));
      } catch {
        return reply.code(400).send({ error: 'invalid-request', message: 'Tham số after không hợp lệ.' });
      }
    }
    const limit = Math.min(Number(request.query.limit ?? 200) || 200, 2000);
    const rows = await queryWorklist(db.pool, def, { ...(commune ? { communeCode: commune } : {}), limit, ...(after ? { after } : {}), ...(request.query.asOf ? { asOf: request.query.asOf } : {}) });
    const last = rows.at(-1);
    await services.audit.record({ action: 'search', outcome: '0', ...agentOf(staff), entityType: 'Worklist', entityId: def.code, sourceIp: request.ip, detail: { commune: commune ?? null, rows: rows.length } });
    return {
      code: def.code,
      title: def.title,
      commune: commune ?? null,
      rows,
      next: rows.length === limit && last ? Buffer.from(JSON.stringify({ dueDate: last.dueDate, patientId: last.patientId, itemKey: last.itemKey })).toString('base64url') : null,
    };
  });

  app.get<{ Params: { patientId: string } }>('/api/programs/patients/:patientId/vaccination-book', async (request) => {
    const actor = await mustSee(request, request.params.patientId);
    const [r] = await loadResidents(db.pool, [request.params.patientId]);
    if (!r || !r.patient.birthDate) throw new AuthError('patient-not-found');
    const schedule = epiSchedule();
    const book = vaccinationBook(r.patient.birthDate, givenDoses(r.immunizations, schedule), todayInVietnam(), schedule);
    await services.audit.record({ action: 'read', outcome: '0', ...agentOf(actor), patientId: r.patient.id, entityType: 'ImmunizationRecommendation', sourceIp: request.ip });
    return { source: schedule.source, ...book };
  });

  app.get<{ Params: { patientId: string } }>('/api/programs/patients/:patientId/growth', async (request) => {
    const actor = await mustSee(request, request.params.patientId);
    const [r] = await loadResidents(db.pool, [request.params.patientId]);
    if (!r || !r.patient.birthDate) throw new AuthError('patient-not-found');
    await services.audit.record({ action: 'read', outcome: '0', ...agentOf(actor), patientId: r.patient.id, entityType: 'Observation', sourceIp: request.ip });
    return { indicators: ['weight-for-age', 'length-height-for-age', 'weight-for-length-height'], points: growthPoints(sexOf(r.patient), r.patient.birthDate, r.observations) };
  });

  app.get('/api/programs/registers', async (request) => {
    await requireStaff(request, services, [...WORKLIST_ROLES, 'clinician', 'clerk']);
    return { programmes: programmes() };
  });

  app.post<{ Params: { code: string; action: string }; Body: { patientId: string } }>(
    '/api/programs/registers/:code/:action',
    { schema: { body: obj({ patientId: id }, ['patientId']) } },
    async (request, reply) => {
      const staff = await requireStaff(request, services, CLINICAL_ROLES);
      const prog = programme(request.params.code);
      if (!prog || !['enrol', 'discharge'].includes(request.params.action)) return reply.code(404).send({ error: 'not-found', message: 'Không có chương trình hoặc thao tác này.' });
      await mustSee(request, request.body.patientId);
      if (request.params.action === 'enrol') await enrol(db, prog, request.body.patientId, { source: 'manual', sourceFacility: staff.facilityCode ?? null });
      else await discharge(db, prog, request.body.patientId);
      await refreshPatients(db, [request.body.patientId]);
      await services.audit.record({ action: 'update', outcome: '0', ...agentOf(staff), patientId: request.body.patientId, entityType: 'EpisodeOfCare', sourceIp: request.ip, detail: { programme: prog.code, action: request.params.action } });
      return { programme: prog.code, patientId: request.body.patientId, action: request.params.action };
    },
  );

  app.post<{ Body: { patientId: string; expectedDelivery?: string; lastMenstrualPeriod?: string } }>(
    '/api/programs/pregnancies',
    { schema: { body: obj({ patientId: id, expectedDelivery: date, lastMenstrualPeriod: date }, ['patientId']) } },
    async (request, reply) => {
      const staff = await requireStaff(request, services, CLINICAL_ROLES);
      await mustSee(request, request.body.patientId);
      const episode = await registerPregnancy(db, request.body, staff.facilityCode ?? null);
      await services.audit.record({ action: 'create', outcome: '0', ...agentOf(staff), patientId: request.body.patientId, entityType: 'EpisodeOfCare', entityId: episode.id, sourceIp: request.ip });
      return reply.code(201).send(episode);
    },
  );

  app.post<{ Body: { motherPatientId: string; name?: string; birthDate: string; gender?: 'male' | 'female'; birthWeightGrams?: number } }>(
    '/api/programs/births',
    {
      schema: {
        body: obj(
          { motherPatientId: id, name: str(200), birthDate: date, gender: { type: 'string', enum: ['male', 'female'] }, birthWeightGrams: { type: 'number', minimum: 300, maximum: 7000 } },
          ['motherPatientId', 'birthDate'],
        ),
      },
    },
    async (request, reply) => {
      const staff = await requireStaff(request, services, CLINICAL_ROLES);
      await mustSee(request, request.body.motherPatientId);
      const childId = await registerBirth({ db, actor: staff, province: app.config.province, populationRule: app.config.identityPopulationRule }, request.body, staff.facilityCode ?? null);
      await services.audit.record({ action: 'create', outcome: '0', ...agentOf(staff), patientId: childId, entityType: 'Patient', entityId: childId, sourceIp: request.ip, detail: { birth: true } });
      return reply.code(201).send({ patientId: childId, motherPatientId: request.body.motherPatientId });
    },
  );

  app.post<{ Body: { patientId: string; date: string; kind: 'elderly' | 'school' | 'general'; weightKg?: number; heightCm?: number; systolic?: number; diastolic?: number; pulse?: number; conclusion?: string } }>(
    '/api/programs/health-checks',
    {
      schema: {
        body: obj(
          { patientId: id, date, kind: { type: 'string', enum: ['elderly', 'school', 'general'] }, weightKg: num, heightCm: num, systolic: num, diastolic: num, pulse: num, conclusion: str(2000) },
          ['patientId', 'date', 'kind'],
        ),
      },
    },
    async (request, reply) => {
      const staff = await requireStaff(request, services, CLINICAL_ROLES);
      await mustSee(request, request.body.patientId);
      const written = await recordHealthCheck(db, request.body, staff.facilityCode ?? null);
      await services.audit.record({ action: 'create', outcome: '0', ...agentOf(staff), patientId: request.body.patientId, entityType: 'Encounter', entityId: written.encounterId, sourceIp: request.ip });
      return reply.code(201).send(written);
    },
  );

  app.post<{ Body: string }>('/api/programs/centre-lists', { bodyLimit: 50 * 1024 * 1024 }, async (request, reply) => {
    const staff = await requireStaff(request, services, ['admin', 'manager', 'clerk']);
    if (typeof request.body !== 'string') return reply.code(415).send({ error: 'invalid-request', message: 'Gửi tệp CSV (Content-Type: text/csv).' });
    const report = await importCentreList({ db, actor: staff, province: app.config.province, populationRule: app.config.identityPopulationRule }, request.body);
    await services.audit.record({ action: 'import', outcome: '0', ...agentOf(staff), entityType: 'CentreList', sourceIp: request.ip, detail: { rows: report.rows, enrolled: report.enrolled, rejected: report.rejected.length } });
    const { patientIds: _ids, ...summary } = report;
    return summary;
  });

  async function residentTarget(request: FastifyRequest, requested: string | undefined): Promise<string> {
    const actor = await requireActor(request, services);
    if (actor.kind !== 'resident') throw new AuthError('forbidden');
    const allowed = residentPatientIds(actor);
    const target = requested ?? actor.patientId;
    if (!allowed.includes(target)) throw new AuthError('patient-not-found');
    return target;
  }

  app.get<{ Querystring: { patientId?: string } }>('/api/reminders/preferences', async (request) => {
    const patientId = await residentTarget(request, request.query.patientId);
    return { patientId, kinds: REMINDER_KINDS, preferences: await getPreferences(db.pool, patientId) };
  });

  app.put<{ Body: { patientId?: string; kind: string; channel: Channel; enabled: boolean; hour?: number | null; smsFallback?: boolean } }>(
    '/api/reminders/preferences',
    {
      schema: {
        body: obj(
          {
            patientId: id,
            kind: { type: 'string', enum: ['all', ...REMINDER_KINDS] },
            channel: { type: 'string', enum: CHANNELS },
            enabled: { type: 'boolean' },
            hour: { type: ['integer', 'null'], minimum: 0, maximum: 23 },
            smsFallback: { type: 'boolean' },
          },
          ['kind', 'channel', 'enabled'],
        ),
      },
    },
    async (request) => {
      const patientId = await residentTarget(request, request.body.patientId);
      const { kind, channel, enabled, hour, smsFallback } = request.body;
      await setPreference(db.pool, patientId, { kind: kind as 'all', channel, enabled, hour: hour ?? null, smsFallback: smsFallback ?? false });
      return { patientId, preferences: await getPreferences(db.pool, patientId) };
    },
  );
};
