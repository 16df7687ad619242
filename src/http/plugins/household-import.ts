// /api/households: a household file (CSV or XLSX, docs/integration/household-import.md) uploaded
// from the browser becomes a background import job: POST answers 202 with the job, GET polls
// its progress and counts, and the rejected rows download as CSV with the reason of each.
// Administrators import any commune; a commune health worker only their own commune's rows (the
// others are set aside with the reason). Audited: the upload, its outcome and every download of
// rejected rows (they carry personal data). Logs carry counts only.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { agentOf } from '../../audit/audit-entry.ts';
import { AuthError } from '../../auth/errors.ts';
import { HouseholdJobs, UploadedFileError } from '../../ingest/household/import-jobs.ts';
import { installErrorHandler, requireStaff } from './auth-http.ts';

/** About two million rows of CSV; larger files go through `hssk import households`. */
const MAX_BYTES = 512 * 1024 * 1024;
const FILE_TYPES = ['text/csv', 'application/csv', 'application/vnd.ms-excel', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'];
const IMPORTERS = ['admin', 'commune-worker'] as const;

export const householdImportRoutes: FastifyPluginAsync = async (app) => {
  installErrorHandler(app);
  const jobs = new HouseholdJobs();
  app.addHook('onClose', async () => jobs.close());
  app.addContentTypeParser(FILE_TYPES, (_req, payload, done) => done(null, payload));

  app.post<{ Querystring: { filename?: string; complete?: string } }>('/api/households', { bodyLimit: MAX_BYTES }, async (req, reply) => {
    const staff = await requireStaff(req, app.services, IMPORTERS);
    if (staff.role === 'commune-worker' && !staff.communeCode) throw new AuthError('forbidden', 'Tài khoản cán bộ y tế xã chưa được gán xã/phường; không thể nhập hộ.');
    const complete = req.query.complete;
    if (complete !== undefined && !['0', '1', 'true', 'false'].includes(complete)) {
      return reply.code(400).send({ error: 'invalid-parameter', message: 'Tham số complete chỉ nhận 1 (danh sách đầy đủ của xã) hoặc 0.' });
    }
    const body = req.body as Readable | undefined;
    if (!body || typeof (body as { pipe?: unknown }).pipe !== 'function') {
      return reply.code(415).send({ error: 'unsupported-media-type', message: 'Gửi tệp hộ gia đình dạng CSV hoặc Excel (.xlsx).' });
    }
    const fileName = path.basename(req.query.filename ?? 'ho-gia-dinh.csv').slice(0, 200);
    const dir = jobs.newUploadDir();
    const file = path.join(dir, 'upload');
    let size = 0;
    try {
      await pipeline(body, async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          size += c.length;
          if (size > MAX_BYTES) throw new UploadedFileError(`Tệp vượt quá ${MAX_BYTES / 1024 / 1024} MB; dùng lệnh hssk import households cho tệp lớn.`);
          yield c;
        }
      }, fs.createWriteStream(file, { mode: 0o600 }));
      if (size === 0) throw new UploadedFileError('Tệp trống.');
      const job = await jobs.start({
        ctx: { db: app.db, actor: staff, province: app.config.province, populationRule: app.config.identityPopulationRule },
        actor: staff,
        fileName,
        file,
        ...(staff.role === 'commune-worker' ? { commune: staff.communeCode! } : {}),
        // `complete=1`: the whole household list of its communes (docs/identity.md, rule 5).
        completeList: complete === '1' || complete === 'true',
        onFinished: async (done) => {
          const r = done.report;
          await app.services.audit.record({
            action: 'import',
            outcome: done.status === 'done' ? '0' : '8',
            ...agentOf(staff),
            sourceIp: req.ip,
            entityType: 'HouseholdImport',
            entityId: done.id,
            detail: { channel: 'household', completeList: done.completeList, communesCovered: r?.communesCovered ?? 0, rows: r?.rows ?? 0, created: r?.created ?? 0, updated: r?.updated ?? 0, matched: r?.matched ?? 0, review: r?.review ?? 0, rejected: r?.rejected ?? 0, outOfScope: r?.outOfScope ?? 0 },
          });
          app.log.info({ channel: 'household', status: done.status, rows: r?.rows ?? 0, rejected: r?.rejected ?? 0 }, 'household import job');
        },
      });
      return reply.code(202).header('cache-control', 'no-store').header('location', `/api/households/jobs/${job.id}`).send(job);
    } catch (err) {
      fs.rmSync(dir, { recursive: true, force: true });
      if (err instanceof UploadedFileError) {
        await app.services.audit.record({ action: 'import', outcome: '4', ...agentOf(staff), sourceIp: req.ip, entityType: 'HouseholdImport', detail: { channel: 'household', refused: true } });
        return reply.code(size > MAX_BYTES ? 413 : 400).send({ error: 'invalid-file', message: err.message });
      }
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/api/households/jobs/:id', async (req, reply) => {
    const staff = await requireStaff(req, app.services, IMPORTERS);
    const job = jobs.get(req.params.id, staff);
    if (!job) return reply.code(404).send({ error: 'not-found', message: 'Không có lần nhập này (đã quá một ngày, máy chủ đã khởi động lại, hoặc do người khác thực hiện).' });
    return reply.header('cache-control', 'no-store').send(job);
  });

  app.get<{ Params: { id: string } }>('/api/households/jobs/:id/rejected.csv', async (req, reply) => {
    const staff = await requireStaff(req, app.services, IMPORTERS);
    const csv = jobs.rejectedCsv(req.params.id, staff);
    if (!csv) return reply.code(404).send({ error: 'not-found', message: 'Không có báo cáo dòng bị từ chối cho lần nhập này (chưa xong hoặc không tồn tại).' });
    await app.services.audit.record({ action: 'export', outcome: '0', ...agentOf(staff), sourceIp: req.ip, entityType: 'HouseholdImport', entityId: req.params.id, detail: { rejectedRows: true } });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${encodeURIComponent(csv.fileName)}"; filename*=UTF-8''${encodeURIComponent(csv.fileName)}`)
      .send(csv.stream);
  });
};
