// /api/reports: the built-in reports (coverage, diseases, vaccination, arrivals) and custom
// reports (D2) as JSON, CSV or Excel; every run is audited with the report's name and filters
// (codes only, no personal data). Also refreshes the report cells in the background.
// See docs/reports.md.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { agentOf } from '../../audit/audit-entry.ts';
import type { Actor } from '../../auth/actor.ts';
import { AuthError } from '../../auth/errors.ts';
import { EPISODE_DIMENSION_LIST, EPISODE_MEASURES, RESIDENT_DIMENSIONS, RESIDENT_MEASURES, customTables, findDefinition, listDefinitions, runCustom, saveDefinition, shareDefinition, validateSpec } from '../../reports/custom.ts';
import { AGE_BANDS, CARE_TYPES, GROUPS, SEXES } from '../../reports/definitions.ts';
import { ReportError } from '../../reports/errors.ts';
import { toCsv, toXlsx } from '../../reports/export.ts';
import { auditQuery, FILTER_PARAMS } from '../../reports/filters.ts';
import type { ReportOutput } from '../../reports/output.ts';
import { refreshReports, reportFreshness } from '../../reports/refresh.ts';
import { BUILT_IN_REPORTS, runBuiltIn, scopedFilters, type BuiltInReport } from '../../reports/run.ts';
import { canComposeReports, reportScopeOf } from '../../reports/scope.ts';
import { requireActor } from './auth-http.ts';

export interface ReportPluginOptions {
  /** Background refresh of the report cells, in ms (default 60 000; 0: none). */
  refreshIntervalMs?: number;
}

type Query = Record<string, string | undefined>;
const FORMATS = ['json', 'csv', 'xlsx'] as const;

export const reportRoutes: FastifyPluginAsync<ReportPluginOptions> = async (app, options) => {
  const services = app.services;
  const db = app.db;
  const province = app.config.province;

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, request, reply) => {
    if (err instanceof ReportError) return reply.code(err.statusCode).send({ error: err.statusCode === 403 ? 'forbidden' : 'invalid-request', message: err.message });
    if (err instanceof AuthError) return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    if (err.validation || (err.statusCode && err.statusCode < 500)) return reply.code(err.statusCode ?? 400).send({ error: 'invalid-request', message: 'Yêu cầu không hợp lệ.' });
    request.log.error({ err: { name: err.name, message: err.message, stack: err.stack } }, 'report failed');
    return reply.code(500).send({ error: 'internal', message: 'Lỗi hệ thống. Vui lòng thử lại sau.' });
  });

  const interval = options.refreshIntervalMs ?? 60_000;
  if (interval > 0) {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      refreshReports(db, { province })
        .catch((err: unknown) => app.log.error({ err: { message: (err as Error).message } }, 'report refresh failed'))
        .finally(() => (running = false));
    }, interval);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  async function reportActor(request: FastifyRequest, name: string): Promise<Actor> {
    const actor = await requireActor(request, services);
    try {
      reportScopeOf(actor);
    } catch (err) {
      await services.audit.record({ action: 'search', outcome: '4', ...agentOf(actor), sourceIp: request.ip, entityType: 'Report', entityId: name, detail: { report: name, refused: true } });
      throw err;
    }
    return actor;
  }

  async function send(request: FastifyRequest, reply: FastifyReply, actor: Actor, out: ReportOutput, query: Query, entityId: string) {
    const format = query.format ?? 'json';
    if (!(FORMATS as readonly string[]).includes(format)) throw new ReportError(400, 'format phải là json, csv hoặc xlsx.');
    await services.audit.record({
      action: format === 'json' ? 'search' : 'export',
      outcome: '0',
      ...agentOf(actor),
      sourceIp: request.ip,
      entityType: 'Report',
      entityId,
      query: auditQuery(query),
      detail: { report: out.report, format },
    });
    reply.header('cache-control', 'no-store');
    const file = `bao-cao-${out.report}-${(out.asOf ?? '').slice(0, 10)}`;
    if (format === 'csv') {
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}.csv"`).send(toCsv(out));
    }
    if (format === 'xlsx') {
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${file}.xlsx"`)
        .send(await toXlsx(out));
    }
    return { report: out.report, title: out.title, asOf: out.asOf, pendingChanges: out.pending, ...out.json };
  }

  async function staffIdsOf(usernames: string[]): Promise<string[]> {
    const { rows } = await db.pool.query<{ id: string; username: string }>('SELECT id, lower(username) AS username FROM staff_user WHERE lower(username) = ANY($1)', [
      usernames.map((u) => u.trim().toLowerCase()),
    ]);
    const missing = usernames.filter((u) => !rows.some((r) => r.username === u.trim().toLowerCase()));
    if (missing.length) throw new ReportError(400, `Không tìm thấy tài khoản: ${missing.join(', ')}.`);
    return rows.map((r) => r.id);
  }

  // Commune boundaries for the portal's choropleth: an optional GeoJSON file the operator puts
  // in the data directory (none ships with HSSK: no openly licensed 2025 commune boundaries).
  app.get('/api/reports/boundaries', async (request, reply) => {
    await reportActor(request, 'boundaries');
    const file = path.join(app.config.dataDir, 'boundaries', 'communes.geojson');
    const text = await fs.readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) return reply.code(404).send({ error: 'no-boundaries', message: 'Chưa có dữ liệu ranh giới xã/phường.' });
    return reply.header('content-type', 'application/geo+json').header('cache-control', 'no-cache').send(text);
  });

  app.get('/api/reports', async (request) => {
    await reportActor(request, 'catalogue');
    return {
      reports: Object.entries(BUILT_IN_REPORTS).map(([code, title]) => ({ code, title, href: `/api/reports/${code}` })),
      filters: FILTER_PARAMS,
      // The codes and Vietnamese labels of the filter values, for forms.
      values: {
        group: GROUPS.map((g) => ({ code: g.code, label: g.display })),
        sex: SEXES.map((x) => ({ code: x.code, label: x.label })),
        ageBand: AGE_BANDS.map((x) => ({ code: x.code, label: x.label })),
        care: CARE_TYPES.map((x) => ({ code: x.code, label: x.label })),
      },
      custom: {
        residents: { dimensions: RESIDENT_DIMENSIONS, measures: RESIDENT_MEASURES },
        episodes: { dimensions: EPISODE_DIMENSION_LIST, measures: EPISODE_MEASURES },
      },
    };
  });

  for (const report of Object.keys(BUILT_IN_REPORTS) as BuiltInReport[]) {
    app.get<{ Querystring: Query }>(`/api/reports/${report}`, async (request, reply) => {
      const actor = await reportActor(request, report);
      const out = await runBuiltIn({ db: db.pool, province, scope: reportScopeOf(actor) }, report, request.query);
      return send(request, reply, actor, out, request.query, report);
    });
  }

  app.get('/api/reports/custom', async (request) => {
    const actor = await reportActor(request, 'custom');
    if (actor.kind !== 'staff') throw new ReportError(403, 'Báo cáo tùy chỉnh dành cho tài khoản cán bộ.');
    return { reports: await listDefinitions(db.pool, actor.userId) };
  });

  app.post<{ Body: { name?: unknown; spec?: unknown; sharedWith?: unknown } }>('/api/reports/custom', async (request, reply) => {
    const actor = await reportActor(request, 'custom');
    if (actor.kind !== 'staff' || !canComposeReports(actor)) throw new ReportError(403, 'Chỉ quản trị viên và cán bộ quản lý được tạo báo cáo tùy chỉnh.');
    const { name, spec, sharedWith } = request.body ?? {};
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) throw new ReportError(400, 'Cần tên báo cáo (tối đa 200 ký tự).');
    const shares = sharedWith === undefined ? [] : sharedWith;
    if (!Array.isArray(shares) || shares.some((s) => typeof s !== 'string')) throw new ReportError(400, 'sharedWith phải là danh sách mã tài khoản.');
    const saved = await saveDefinition(db.pool, actor.userId, name.trim(), validateSpec(spec, province, new Date()), shares as string[]);
    await services.audit.record({ action: 'create', outcome: '0', ...agentOf(actor), sourceIp: request.ip, entityType: 'Report', entityId: saved.id, detail: { report: 'custom' } });
    return reply.code(201).send(saved);
  });

  app.post<{ Params: { id: string }; Body: { userIds?: unknown; usernames?: unknown } }>('/api/reports/custom/:id/share', async (request) => {
    const actor = await reportActor(request, 'custom');
    const def = await findDefinition(db.pool, request.params.id);
    if (!def) throw new ReportError(404, 'Không tìm thấy báo cáo.');
    if (actor.kind !== 'staff' || (def.ownerId !== actor.userId && actor.role !== 'admin')) throw new ReportError(403, 'Chỉ người tạo báo cáo được chia sẻ.');
    const { userIds, usernames } = request.body ?? {};
    const list = userIds ?? usernames;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string')) throw new ReportError(400, 'Cần userIds hoặc usernames: danh sách tài khoản.');
    // People know each other's user names, not ids: names are resolved, and an unknown one is named in the error.
    const ids = userIds !== undefined ? (list as string[]) : await staffIdsOf(list as string[]);
    await shareDefinition(db.pool, def.id, actor.userId, ids);
    return findDefinition(db.pool, def.id);
  });

  app.get<{ Params: { id: string }; Querystring: Query }>('/api/reports/custom/:id', async (request, reply) => {
    const actor = await reportActor(request, 'custom');
    const def = await findDefinition(db.pool, request.params.id);
    const mayRun = def && actor.kind === 'staff' && (def.ownerId === actor.userId || def.sharedWith.includes(actor.userId) || actor.role === 'admin');
    if (!def || !mayRun) throw new ReportError(404, 'Không tìm thấy báo cáo.');
    const scope = reportScopeOf(actor);
    const filters = scopedFilters({ db: db.pool, province, scope }, def.spec.filters);
    const result = await runCustom(db.pool, def.spec, filters);
    const { asOf, pending } = await reportFreshness(db.pool);
    const out: ReportOutput = { report: 'custom', title: def.name, asOf, pending, json: { id: def.id, name: def.name, ...result }, tables: customTables(def.name, result) };
    return send(request, reply, actor, out, request.query, def.id);
  });
};
