// FHIR Bulk Data $export (system, Patient, Group level): a job reads the current resources in
// internal-key order, page by page, and writes NDJSON files of at most FILE_SIZE resources.
// `_since` (lastUpdated after), `_type`, and a basic `_typeFilter` (search parameters of one
// type, no chains) narrow it; the caller's scopes decide which types it may have.
import { randomUUID } from 'node:crypto';
import { FhirError, issue, outcome } from '../fhir/outcomes.ts';
import { isSupportedResourceType } from '../fhir/definitions.ts';
import type pg from 'pg';
import type { Database, Queryable } from '../store/database.ts';
import { filterCondition, SqlParams } from '../store/search/conditions.ts';
import { parseSearch } from '../store/search/parse.ts';

const PAGE = 2000;
export const FILE_SIZE = 50_000;

export interface ExportParams {
  level: 'system' | 'patient' | 'group';
  groupId?: string;
  types: string[] | null;
  since: string | null;
  typeFilter: string[];
  /** `_deidentify=true`: the research variant (src/sync/deidentify.ts). Kept so a resumed job stays de-identified. */
  deidentify?: boolean;
}

export interface ExportJob {
  id: string;
  clientId: string;
  status: 'in-progress' | 'complete' | 'error' | 'cancelled';
  request: string;
  params: ExportParams;
  transactionTime: Date;
  progress: string | null;
  error: string | null;
}

const bad = (msg: string) => new FhirError(400, outcome(issue('invalid', msg)));

/** Reads the kick-off query ($export parameters); throws 400 on anything it cannot honour. */
export function parseExportParams(level: ExportParams['level'], query: Record<string, string | string[] | undefined>, groupId?: string): ExportParams {
  const one = (k: string) => {
    const v = query[k];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const format = one('_outputFormat');
  if (format && !['application/fhir+ndjson', 'application/ndjson', 'ndjson'].includes(format)) throw bad(`_outputFormat ${format} không được hỗ trợ`);
  const typeRaw = one('_type');
  const types = typeRaw ? typeRaw.split(',').map((t) => t.trim()).filter(Boolean) : null;
  for (const t of types ?? []) if (!isSupportedResourceType(t)) throw bad(`_type: ${t} không phải loại tài nguyên được hỗ trợ`);
  const sinceRaw = one('_since');
  let since: string | null = null;
  if (sinceRaw) {
    if (Number.isNaN(Date.parse(sinceRaw))) throw bad('_since phải là một thời điểm FHIR instant');
    since = new Date(sinceRaw).toISOString();
  }
  const tf = query['_typeFilter'];
  const typeFilter = (Array.isArray(tf) ? tf : tf ? [tf] : []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const f of typeFilter) typeFilterCondition(f, new SqlParams()); // validates now, not in the job
  const deidentify = ['true', '1'].includes(one('_deidentify') ?? '');
  return { level, ...(groupId ? { groupId } : {}), types, since, typeFilter, ...(deidentify ? { deidentify } : {}) };
}

/** `Type?param=value&…` → [type, SQL condition on the resource row `r`]. */
function typeFilterCondition(filter: string, sql: SqlParams): [string, string] {
  const q = filter.indexOf('?');
  const type = q < 0 ? '' : filter.slice(0, q);
  if (!isSupportedResourceType(type)) throw bad(`_typeFilter: "${filter}" phải có dạng Loại?tham-số=giá-trị`);
  const params: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(filter.slice(q + 1))) (params[k] ??= []).push(v);
  const search = parseSearch(type, params);
  if (search.unknown.length > 0) throw bad(`_typeFilter: ${search.unknown.map((u) => u.name).join(', ')} không được hỗ trợ`);
  const noChains = () => {
    throw bad('_typeFilter: tham số chuỗi (chain) không được hỗ trợ');
  };
  const conds = search.filters.map((f) => filterCondition(f, 'r', sql, noChains));
  return [type, conds.length ? conds.join(' AND ') : 'true'];
}

export async function createExportJob(db: Queryable, clientId: string, request: string, params: ExportParams): Promise<ExportJob> {
  const id = randomUUID();
  const { rows } = await db.query<{ transaction_time: Date }>(
    `INSERT INTO bulk_export_job (id, client_id, status, request, params, transaction_time, heartbeat_at) VALUES ($1, $2, 'in-progress', $3, $4, now(), now()) RETURNING transaction_time`,
    [id, clientId, request, JSON.stringify(params)],
  );
  return { id, clientId, status: 'in-progress', request, params, transactionTime: rows[0]!.transaction_time, progress: null, error: null };
}

export async function getExportJob(db: Queryable, id: string): Promise<ExportJob | undefined> {
  const { rows } = await db.query<{ id: string; client_id: string; status: ExportJob['status']; request: string; params: ExportParams; transaction_time: Date; progress: string | null; error: string | null }>(
    'SELECT id, client_id, status, request, params, transaction_time, progress, error FROM bulk_export_job WHERE id = $1',
    [id],
  );
  const r = rows[0];
  return r && { id: r.id, clientId: r.client_id, status: r.status, request: r.request, params: r.params, transactionTime: r.transaction_time, progress: r.progress, error: r.error };
}

export async function exportFiles(db: Queryable, jobId: string): Promise<{ n: number; type: string; count: number }[]> {
  const { rows } = await db.query<{ n: number; resource_type: string; count: number }>('SELECT n, resource_type, count FROM bulk_export_file WHERE job_id = $1 ORDER BY n', [jobId]);
  return rows.map((r) => ({ n: r.n, type: r.resource_type, count: r.count }));
}

export async function exportFileContent(db: Queryable, jobId: string, n: number): Promise<string | undefined> {
  const { rows } = await db.query<{ content: string }>('SELECT content FROM bulk_export_file WHERE job_id = $1 AND n = $2', [jobId, n]);
  return rows[0]?.content;
}

export async function deleteExportJob(db: Queryable, jobId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM bulk_export_job WHERE id = $1', [jobId]);
  return (rowCount ?? 0) > 0;
}

/** The types a job exports: those asked for (or every stored type), all of which the caller may read. */
async function typesOf(db: Queryable, params: ExportParams): Promise<string[]> {
  if (params.types) return params.types;
  const { rows } = await db.query<{ resource_type: string }>('SELECT DISTINCT resource_type FROM resource ORDER BY 1');
  return rows.map((r) => r.resource_type);
}

/** Patients of a Group (member.entity references to Patient). */
async function groupPatients(db: Queryable, groupId: string): Promise<string[]> {
  const { rows } = await db.query<{ content: string }>(`SELECT content FROM resource WHERE resource_type = 'Group' AND id = $1 AND NOT deleted`, [groupId]);
  if (!rows[0]) throw new FhirError(404, outcome(issue('not-found', `Không tìm thấy Group/${groupId}`)));
  const group = JSON.parse(rows[0].content) as { member?: { entity?: { reference?: string } }[] };
  return (group.member ?? []).map((m) => /^Patient\/(.+)$/.exec(m.entity?.reference ?? '')?.[1]).filter((x): x is string => !!x);
}

export type ResourceTransform = (resource: Record<string, unknown>) => Record<string, unknown> | undefined;

/**
 * Where a job stands, saved with each file it writes (same transaction): the types it exports (fixed
 * at its first start), the type it is on, the last internal key read into a written file, the
 * files written and the resources read. A resumed job starts again from here.
 */
interface Checkpoint {
  types: string[];
  type: number;
  after: number;
  files: number;
  total: number;
}

export interface RunOptions {
  /** Stops the job after the current page, leaving it in progress (server shutdown). */
  signal?: AbortSignal;
  /** Taking over a job another process left: counted, and refused after MAX_EXPORT_RESUMES. */
  resumed?: boolean;
  fileSize?: number;
}

export type RunOutcome = 'complete' | 'error' | 'cancelled' | 'stopped' | 'busy';

/** A job that keeps killing the process that runs it must stop being taken over at some point. */
export const MAX_EXPORT_RESUMES = 5;
const LOCK_CLASS = 0x455850; // "EXP": a job's session lock, held by the process running it

class JobRefused extends Error {}

export async function failExportJob(db: Queryable, jobId: string, message: string): Promise<void> {
  await db.query(`UPDATE bulk_export_job SET status = 'error', error = $2, finished_at = now() WHERE id = $1 AND status = 'in-progress'`, [jobId, message]);
}

/**
 * Runs a job to the end: files per type, progress after each page, 'complete' or 'error'.
 * `allowed` says whether the caller may export a type (checked again here: _type may be absent).
 * The job runs on one connection holding a session advisory lock on it, so exactly one process
 * runs a job at a time and a job whose process died is free for another to resume ('busy' when
 * someone else holds it).
 */
export async function runExportJob(db: Database, job: ExportJob, allowed: (type: string) => boolean, transform?: ResourceTransform, options: RunOptions = {}): Promise<RunOutcome> {
  const c = await db.pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_CLASS, job.id]);
    if (!rows[0]!.ok) return 'busy';
    try {
      return await runLocked(c, job, allowed, transform, options);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, job.id]).catch((err: Error) => (broken = err));
    }
  } finally {
    c.release(broken);
  }
}

async function runLocked(c: pg.PoolClient, job: ExportJob, allowed: (type: string) => boolean, transform: ResourceTransform | undefined, options: RunOptions): Promise<RunOutcome> {
  const p = job.params;
  const fileSize = options.fileSize ?? FILE_SIZE;
  try {
    // Read under the lock: the job may have finished, or been cancelled, before we got it.
    const { rows: cur } = await c.query<{ status: ExportJob['status']; checkpoint: Checkpoint | null; resumes: number }>(
      'SELECT status, checkpoint, resumes FROM bulk_export_job WHERE id = $1', [job.id],
    );
    if (!cur[0]) return 'cancelled';
    if (cur[0].status !== 'in-progress') return cur[0].status === 'complete' ? 'complete' : cur[0].status === 'error' ? 'error' : 'cancelled';
    if (options.resumed) {
      if (cur[0].resumes >= MAX_EXPORT_RESUMES) throw new JobRefused(`interrupted ${cur[0].resumes + 1} times; start a new export`);
      await c.query('UPDATE bulk_export_job SET resumes = resumes + 1, heartbeat_at = now() WHERE id = $1', [job.id]);
    }
    let cp = cur[0].checkpoint;
    if (!cp) {
      cp = { types: (await typesOf(c, p)).filter(allowed), type: 0, after: 0, files: 0, total: 0 };
      await c.query('UPDATE bulk_export_job SET checkpoint = $2 WHERE id = $1', [job.id, cp]);
    } else if (cp.types.some((t) => !allowed(t))) {
      throw new JobRefused('the client may no longer export every type of this job');
    }
    const patients = p.level === 'group' ? await groupPatients(c, p.groupId!) : null;
    for (; cp.type < cp.types.length; cp = { ...cp, type: cp.type + 1, after: 0 }) {
      const type = cp.types[cp.type]!;
      const sql = new SqlParams();
      const conds = [`r.resource_type = ${sql.add(type)}`, 'NOT r.deleted', `r.last_updated <= ${sql.add(job.transactionTime)}`];
      if (p.since) conds.push(`r.last_updated > ${sql.add(p.since)}`);
      if (patients) conds.push(`r.compartment = ANY(${sql.add(patients)}::text[])`);
      else if (p.level === 'patient') conds.push('r.compartment IS NOT NULL');
      const filters = p.typeFilter.map((f) => typeFilterCondition(f, sql)).filter(([t]) => t === type).map(([, cond]) => `(${cond})`);
      if (filters.length) conds.push(`(${filters.join(' OR ')})`);
      const after = sql.values.length + 1;
      const text = `SELECT r.rid, r.content FROM resource r WHERE ${conds.join(' AND ')} AND r.rid > $${after} ORDER BY r.rid LIMIT ${PAGE}`;
      let last = cp.after;
      let lines: string[] = [];
      let read = 0; // rows read since the last file
      // A file and the checkpoint that covers it commit together: a resumed job neither repeats
      // nor skips a resource.
      const flush = async (upTo: number): Promise<boolean> => {
        if (lines.length === 0) return true;
        const next: Checkpoint = { ...cp!, after: upTo, files: cp!.files + 1, total: cp!.total + read };
        await c.query('BEGIN');
        try {
          await c.query('INSERT INTO bulk_export_file (job_id, n, resource_type, count, content) VALUES ($1, $2, $3, $4, $5)', [
            job.id, next.files, type, lines.length, lines.join('\n') + '\n',
          ]);
          const { rows: st } = await c.query<{ status: string }>(
            'UPDATE bulk_export_job SET checkpoint = $2, progress = $3, heartbeat_at = now() WHERE id = $1 RETURNING status', [job.id, next, `${type}: ${next.total}`],
          );
          if (st[0]?.status !== 'in-progress') {
            await c.query('ROLLBACK');
            return false;
          }
          await c.query('COMMIT');
        } catch (err) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        cp = next;
        lines = [];
        read = 0;
        return true;
      };
      for (;;) {
        const { rows } = await c.query<{ rid: string; content: string }>(text, [...sql.values, last]);
        for (const row of rows) {
          read++;
          if (transform) {
            const out = transform(JSON.parse(row.content) as Record<string, unknown>);
            if (out) lines.push(JSON.stringify(out));
          } else lines.push(row.content);
          if (lines.length >= fileSize && !(await flush(Number(row.rid)))) return 'cancelled';
        }
        if (rows.length < PAGE) break;
        last = Number(rows[rows.length - 1]!.rid);
        const { rows: st } = await c.query<{ status: string }>('UPDATE bulk_export_job SET progress = $2, heartbeat_at = now() WHERE id = $1 RETURNING status', [job.id, `${type}: ${cp.total + read}`]);
        if (st[0]?.status !== 'in-progress') return 'cancelled';
        if (options.signal?.aborted) return 'stopped';
      }
      if (!(await flush(last))) return 'cancelled';
      cp.total += read;
    }
    await c.query(`UPDATE bulk_export_job SET status = 'complete', progress = $2, checkpoint = $3, finished_at = now() WHERE id = $1 AND status = 'in-progress'`, [job.id, `${cp.total}`, cp]);
    return 'complete';
  } catch (err) {
    const message = err instanceof JobRefused ? err.message : err instanceof FhirError ? 'invalid request' : `${(err as Error).name} ${(err as { code?: string }).code ?? ''}`.trim();
    await failExportJob(c, job.id, message).catch(() => undefined);
    return 'error';
  }
}

/** The jobs left in progress, oldest first: those of a process that stopped are free to resume. */
export async function inProgressExportJobs(db: Queryable): Promise<ExportJob[]> {
  const { rows } = await db.query<{ id: string }>(`SELECT id FROM bulk_export_job WHERE status = 'in-progress' ORDER BY created_at`);
  const jobs = await Promise.all(rows.map((r) => getExportJob(db, r.id)));
  return jobs.filter((j): j is ExportJob => j !== undefined);
}

/**
 * Housekeeping, run by the scheduler: finished jobs older than the retention are deleted with
 * their files. (A job left in progress by a process that died is resumed, not closed: see
 * src/sync/export-runner.ts.)
 */
export async function sweepExportJobs(db: Queryable, retentionHours: number): Promise<{ expired: number }> {
  const expired = await db.query(
    `DELETE FROM bulk_export_job WHERE status <> 'in-progress' AND coalesce(finished_at, created_at) < now() - make_interval(hours => $1)`,
    [retentionHours],
  );
  return { expired: expired.rowCount ?? 0 };
}
