// /api/xml, /api/cda: a facility's software sends episodes (XML 4210/130 envelopes) and CDA
// documents; /api/ingest: arrivals per facility and each facility's send mode (MISSION B5).
// Callers: a facility's OAuth2 client or a staff session of a facility; what they send must be
// their facility's. The answer is a per-unit report (accepted with resource ids, rejected with
// field-level reasons, counts excluded by policy). Logs carry counts only.
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { agentOf } from '../../audit/audit-entry.ts';
import { actorFacility, type Actor } from '../../auth/actor.ts';
import { authenticateRequest } from '../../auth/authenticate.ts';
import { AuthError } from '../../auth/errors.ts';
import { facilityArrivals, SEND_MODE_LABELS, SEND_MODES, getSendMode, setSendMode, type SendMode } from '../../ingest/channel/arrivals.ts';
import { ingestCdaDocuments } from '../../ingest/channel/cda-channel.ts';
import type { ImportSummary, UnitReport } from '../../ingest/channel/report.ts';
import { ingestXml } from '../../ingest/channel/xml-channel.ts';
import { installErrorHandler } from './auth-http.ts';

/** A nightly batch of a large hospital fits; larger files go through `hssk import xml`. */
const MAX_XML_BYTES = 512 * 1024 * 1024;
const MAX_CDA_BYTES = 20 * 1024 * 1024;
const XML_TYPES = ['application/xml', 'text/xml', 'application/octet-stream', 'application/hl7-cda+xml'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The request body as a stream of chunks, stopped past `limit` bytes. */
async function* limited(body: Readable, limit: number, tooLarge: { hit: boolean }): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const chunk of body) {
    n += (chunk as Buffer).length;
    if (n > limit) {
      tooLarge.hit = true;
      body.destroy();
      return;
    }
    yield chunk as Buffer;
  }
}

async function facilityCaller(req: FastifyRequest): Promise<{ actor: Actor; facility: string }> {
  const actor = await authenticateRequest(req, req.server.services);
  if (!actor) throw new AuthError('unauthenticated');
  const facility = actorFacility(actor);
  if (!facility || (actor.kind !== 'client' && actor.kind !== 'staff')) {
    throw new AuthError('forbidden', 'Chỉ phần mềm (client OAuth2) hoặc nhân viên của một cơ sở KCB được gửi hồ sơ.');
  }
  return { actor, facility };
}

interface UnitsAnswer {
  facility: string;
  summary: Omit<ImportSummary, 'seconds' | 'unitsPerSecond'>;
  units: UnitReport[];
}

function answer(reply: FastifyReply, facility: string, summary: ImportSummary, units: UnitReport[]): FastifyReply {
  const { seconds: _s, unitsPerSecond: _r, ...rest } = summary;
  const body: UnitsAnswer = { facility, summary: rest, units };
  // Nothing readable: the input itself is wrong. Everything from another facility: not theirs to send.
  const status =
    summary.units === 0 && summary.fatal ? 400
    : summary.units > 0 && summary.accepted === 0 && summary.rejectedFields['MACSKCB'] === summary.rejected && units.every((u) => u.reasons?.some((r) => r.field === 'MACSKCB')) ? 403
    : 200;
  return reply.code(status).header('cache-control', 'no-store').send(body);
}

export const ingestRoutes: FastifyPluginAsync = async (app) => {
  installErrorHandler(app);
  app.addContentTypeParser(XML_TYPES, (_req, payload, done) => done(null, payload));

  app.post('/api/xml', { bodyLimit: MAX_XML_BYTES }, async (req, reply) => {
    const { actor, facility } = await facilityCaller(req);
    const ctx = { db: app.db, actor, province: app.config.province, populationRule: app.config.identityPopulationRule };
    const units: UnitReport[] = [];
    const tooLarge = { hit: false };
    const body = req.body as Readable | undefined;
    if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
      return reply.code(415).send({ error: 'unsupported-media-type', message: 'Gửi tệp XML (Content-Type: application/xml).' });
    }
    const summary = await ingestXml(ctx, limited(body, MAX_XML_BYTES, tooLarge), { callerFacility: facility, validate: 'all', threads: app.config.ingestThreads, onReport: (u) => void units.push(u) });
    if (tooLarge.hit) summary.fatal = { code: 'too-large', message: `Tệp vượt quá ${MAX_XML_BYTES / 1024 / 1024} MB; dùng lệnh hssk import xml cho tệp lớn.` };
    await audit(req, actor, 'xml', summary);
    return answer(reply, facility, summary, units);
  });

  app.post('/api/cda', { bodyLimit: MAX_CDA_BYTES }, async (req, reply) => {
    const { actor, facility } = await facilityCaller(req);
    const body = req.body as Readable | undefined;
    if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
      return reply.code(415).send({ error: 'unsupported-media-type', message: 'Gửi tài liệu CDA (Content-Type: application/xml).' });
    }
    const chunks: Buffer[] = [];
    const tooLarge = { hit: false };
    for await (const c of limited(body, MAX_CDA_BYTES, tooLarge)) chunks.push(c);
    if (tooLarge.hit) return reply.code(413).send({ error: 'too-large', message: `Tài liệu vượt quá ${MAX_CDA_BYTES / 1024 / 1024} MB.` });
    const bytes = Buffer.concat(chunks);
    const units: UnitReport[] = [];
    const summary = await ingestCdaDocuments({ db: app.db, actor, province: app.config.province, populationRule: app.config.identityPopulationRule }, [{ name: 'request', load: async () => bytes }], {
      callerFacility: facility,
      onReport: (u) => void units.push(u),
    });
    await audit(req, actor, 'cda', summary);
    return answer(reply, facility, summary, units);
  });

  app.get<{ Querystring: { facility?: string; from?: string; to?: string } }>('/api/ingest/arrivals', async (req, reply) => {
    const actor = await authenticateRequest(req, app.services);
    if (!actor) throw new AuthError('unauthenticated');
    const own = actorFacility(actor);
    const provincial = actor.kind === 'staff' && (actor.role === 'admin' || actor.role === 'manager');
    if (!provincial && !own) throw new AuthError('forbidden');
    const { facility, from, to } = req.query;
    if ((from && !DATE.test(from)) || (to && !DATE.test(to))) {
      return reply.code(400).send({ error: 'invalid-request', message: 'from/to phải có dạng yyyy-mm-dd.' });
    }
    // A facility sees its own arrivals only; the province sees every facility.
    const wanted = provincial ? facility : own;
    const facilities = await facilityArrivals(app.db.pool, { ...(wanted ? { facility: wanted } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) });
    return reply.header('cache-control', 'no-store').send({ facilities: facilities.map((f) => ({ ...f, sendModeLabel: SEND_MODE_LABELS[f.sendMode] })) });
  });

  app.get<{ Params: { code: string } }>('/api/ingest/facilities/:code/send-mode', async (req, reply) => {
    const actor = await authenticateRequest(req, app.services);
    if (!actor) throw new AuthError('unauthenticated');
    const provincial = actor.kind === 'staff' && (actor.role === 'admin' || actor.role === 'manager');
    if (!provincial && actorFacility(actor) !== req.params.code) throw new AuthError('forbidden');
    const mode = await getSendMode(app.db.pool, req.params.code);
    return reply.send({ facility: req.params.code, sendMode: mode, sendModeLabel: SEND_MODE_LABELS[mode] });
  });

  app.put<{ Params: { code: string }; Body: { sendMode: SendMode } }>(
    '/api/ingest/facilities/:code/send-mode',
    {
      schema: {
        params: { type: 'object', properties: { code: { type: 'string', pattern: '^[0-9A-Za-z]{5,10}$' } }, required: ['code'] },
        body: { type: 'object', properties: { sendMode: { type: 'string', enum: [...SEND_MODES] } }, required: ['sendMode'], additionalProperties: false },
      },
    },
    async (req, reply) => {
      const actor = await authenticateRequest(req, app.services);
      if (!actor) throw new AuthError('unauthenticated');
      if (actor.kind !== 'staff' || actor.role !== 'admin') throw new AuthError('forbidden');
      await setSendMode(app.db.pool, req.params.code, req.body.sendMode, actor.userId);
      await app.services.audit.record({ action: 'update', outcome: '0', ...agentOf(actor), sourceIp: req.ip, entityType: 'FacilityIngestConfig', entityId: req.params.code, detail: { sendMode: req.body.sendMode } });
      return reply.send({ facility: req.params.code, sendMode: req.body.sendMode, sendModeLabel: SEND_MODE_LABELS[req.body.sendMode] });
    },
  );

  async function audit(req: FastifyRequest, actor: Actor, channel: string, s: ImportSummary): Promise<void> {
    await app.services.audit.record({
      action: 'import',
      outcome: s.accepted > 0 || s.units === 0 ? (s.fatal ? '4' : '0') : '4',
      ...agentOf(actor),
      sourceIp: req.ip,
      detail: { channel, units: s.units, accepted: s.accepted, rejected: s.rejected, written: s.written, deleted: s.deleted, excluded: Object.values(s.excluded).reduce((a, b) => a + b, 0) },
    });
    req.log.info({ channel, units: s.units, accepted: s.accepted, rejected: s.rejected }, 'ingest');
  }
};
