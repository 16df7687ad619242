// Household imports started from the browser: the uploaded file is kept in a private temporary
// directory and imported in the background, one job at a time (an import keeps the pipeline
// busy; two at once would only slow both). The browser polls the job for progress and downloads
// the rejected rows. Jobs live in this process's memory for a day: a restart forgets them, the
// residents they wrote stay.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { Actor } from '../../auth/actor.ts';
import { actorId } from '../../auth/actor.ts';
import { csvLine } from '../../province/csv-writer.ts';
import { resolveCommune } from '../../province/admin-units.ts';
import type { PipelineContext } from '../../pipeline/types.ts';
import { importHouseholds, type HouseholdImportReport, type ImportProgress } from './import-households.ts';
import { HouseholdFileError, openHouseholdSource, type RowSource, type SourceRow } from './read-rows.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface HouseholdJobView {
  id: string;
  fileName: string;
  status: JobStatus;
  createdAt: string;
  finishedAt?: string;
  /** The commune the rows were limited to (a commune health worker's import). */
  commune?: string;
  /** Declared the whole household list of its communes (HouseholdImportOptions.completeList). */
  completeList: boolean;
  progress?: ImportProgress & { /** Share of the file read, 0–1. */ fraction: number };
  report?: Omit<HouseholdImportReport, 'rejectedFile'> & { outOfScope: number };
  /** Why the job stopped (Vietnamese). */
  error?: string;
  hasRejected: boolean;
}

interface Job extends HouseholdJobView {
  owner: string;
  dir: string;
  expires: number;
}

export class UploadedFileError extends Error {
  override name = 'UploadedFileError';
}

const KEEP_MS = 24 * 3600_000;
const MAX_JOBS = 100;
const IMPORT_REJECTS = 'tu-choi.csv';
const SCOPE_REJECTS = 'ngoai-pham-vi.csv';

function isXlsx(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    return head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads the header and the first data row now, so that a file that is not a household file is
 * refused at upload with the reason instead of becoming a failed job.
 */
async function openChecked(file: string): Promise<RowSource> {
  const xlsx = isXlsx(file);
  const source = openHouseholdSource({ stream: fs.createReadStream(file, { highWaterMark: 1 << 20 }), size: fs.statSync(file).size, xlsx });
  const it = source.rows[Symbol.asyncIterator]();
  let first: IteratorResult<SourceRow>;
  try {
    first = await it.next();
  } catch (err) {
    if (err instanceof HouseholdFileError) throw new UploadedFileError(err.message);
    throw new UploadedFileError(xlsx ? 'Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không đúng định dạng.' : `Không đọc được tệp CSV: ${(err as Error).message}`);
  }
  if (first.done) throw new UploadedFileError('Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề hoặc trống).');
  async function* rows(): AsyncGenerator<SourceRow> {
    yield first.value as SourceRow;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { get header() { return source.header; }, rows: rows(), progress: () => source.progress() };
}

/** A commune health worker imports their own commune's residents only: other rows are set aside with the reason. */
function limitToCommune(source: RowSource, commune: string, province: string, setAside: (row: SourceRow, reason: string) => void): RowSource {
  async function* rows(): AsyncGenerator<SourceRow> {
    for await (const row of source.rows) {
      const raw = (row.row.ma_xa ?? '').trim();
      const resolved = raw ? resolveCommune(raw, { province }) : undefined;
      if (raw === commune || resolved?.commune.code === commune) yield row;
      else setAside(row, raw ? `ma_xa: Xã/phường ${raw} không thuộc phạm vi của bạn (xã/phường ${commune}); chỉ quản trị viên được nhập hộ của xã khác.` : `ma_xa: Thiếu mã xã/phường; cán bộ y tế xã chỉ được nhập hộ của xã/phường ${commune}.`);
    }
  }
  return { get header() { return source.header; }, rows: rows(), progress: () => source.progress() };
}

export interface StartJob {
  ctx: PipelineContext;
  actor: Actor;
  fileName: string;
  /** The uploaded file, moved into the job's directory. */
  file: string;
  /** Limit the rows to this commune (2025 code). */
  commune?: string;
  /** The uploader declares the file the whole household list of its communes. */
  completeList?: boolean;
  onFinished?: (job: HouseholdJobView) => void | Promise<void>;
}

export class HouseholdJobs {
  private readonly jobs = new Map<string, Job>();
  private queue: Promise<void> = Promise.resolve();
  private readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-household-jobs-'));
  private readonly abort = new AbortController();

  /** A private directory for an upload (0700: the rows carry personal data). */
  newUploadDir(): string {
    return fs.mkdtempSync(path.join(this.root, 'job-'));
  }

  /** Checks the file and queues its import; throws UploadedFileError when it is not a household file. */
  async start(spec: StartJob): Promise<HouseholdJobView> {
    this.expire();
    if (this.jobs.size >= MAX_JOBS) throw new UploadedFileError('Máy chủ đang giữ quá nhiều lần nhập; vui lòng thử lại sau.');
    let source = await openChecked(spec.file);
    const dir = path.dirname(spec.file);
    const job: Job = {
      id: randomUUID(),
      owner: actorId(spec.actor),
      dir,
      fileName: spec.fileName,
      status: 'queued',
      createdAt: new Date().toISOString(),
      hasRejected: false,
      completeList: spec.completeList === true,
      expires: Date.now() + KEEP_MS,
      ...(spec.commune ? { commune: spec.commune } : {}),
    };
    let outOfScope = 0;
    let scopeOut: fs.WriteStream | undefined;
    if (spec.commune) {
      source = limitToCommune(source, spec.commune, spec.ctx.province, (row, reason) => {
        outOfScope++;
        if (!scopeOut) {
          scopeOut = fs.createWriteStream(path.join(dir, SCOPE_REJECTS));
          scopeOut.write('\uFEFF' + csvLine(['dong', ...source.header, 'ly_do']));
        }
        scopeOut.write(csvLine([String(row.line), ...row.raw, reason]));
      });
    }
    this.jobs.set(job.id, job);
    const run = async () => {
      job.status = 'running';
      try {
        const report = await importHouseholds(spec.ctx, source, {
          rejectedFile: path.join(dir, IMPORT_REJECTS),
          signal: this.abort.signal,
          completeList: job.completeList,
          progressIntervalMs: 500,
          onProgress: (p) => {
            const { read, total } = source.progress();
            job.progress = { ...p, fraction: total > 0 ? Math.min(1, read / total) : 0, counts: { ...p.counts, rejected: p.counts.rejected + outOfScope } };
          },
        });
        // The server's temporary path is nobody's business: the CSV is downloaded through the job.
        const { rejectedFile: _path, ...counts } = report;
        job.report = { ...counts, rejected: report.rejected + outOfScope, outOfScope };
        job.status = 'done';
      } catch (err) {
        job.status = 'failed';
        job.error = err instanceof HouseholdFileError ? err.message : 'Lỗi khi nhập tệp; các hộ đã ghi trước lỗi được giữ nguyên. Vui lòng thử lại hoặc báo quản trị viên.';
      } finally {
        await new Promise<void>((resolve) => (scopeOut ? scopeOut.end(resolve) : resolve()));
        fs.rmSync(spec.file, { force: true });
        job.finishedAt = new Date().toISOString();
        job.hasRejected = (job.report?.rejected ?? 0) > 0;
        await spec.onFinished?.(view(job));
      }
    };
    this.queue = this.queue.then(run, run);
    return view(job);
  }

  /** The job, if `actor` started it or is an administrator. */
  get(id: string, actor: Actor): HouseholdJobView | undefined {
    const job = this.owned(id, actor);
    return job && view(job);
  }

  /** The rejected rows as one CSV (UTF-8 with BOM): line, the row's cells, the reason. */
  rejectedCsv(id: string, actor: Actor): { fileName: string; stream: NodeJS.ReadableStream } | undefined {
    const job = this.owned(id, actor);
    if (!job || !job.finishedAt) return undefined;
    const imported = path.join(job.dir, IMPORT_REJECTS);
    const setAside = path.join(job.dir, SCOPE_REJECTS);
    const has = (f: string) => fs.existsSync(f) && fs.statSync(f).size > 0;
    async function* chunks(): AsyncGenerator<Buffer | string> {
      if (has(imported)) yield* fs.createReadStream(imported);
      // Both files start with the BOM and the same header line: the second one's is dropped.
      if (has(setAside)) yield* has(imported) ? afterFirstLine(fs.createReadStream(setAside)) : fs.createReadStream(setAside);
      if (!has(imported) && !has(setAside)) yield '\uFEFF' + csvLine(['dong', 'ly_do']);
    }
    return { fileName: `${job.fileName.replace(/\.[^.]*$/, '')}-dong-bi-tu-choi.csv`, stream: Readable.from(chunks()) };
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.queue;
    fs.rmSync(this.root, { recursive: true, force: true });
  }

  private owned(id: string, actor: Actor): Job | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const isAdmin = actor.kind === 'staff' && actor.role === 'admin';
    return isAdmin || job.owner === actorId(actor) ? job : undefined;
  }

  private expire(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) {
      if (job.finishedAt && job.expires < now) {
        fs.rmSync(job.dir, { recursive: true, force: true });
        this.jobs.delete(id);
      }
    }
  }
}

function view(job: Job): HouseholdJobView {
  const { owner: _o, dir: _d, expires: _e, ...rest } = job;
  return rest;
}

async function* afterFirstLine(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let skipping = true;
  for await (const chunk of stream) {
    if (!skipping) {
      yield chunk;
      continue;
    }
    const nl = chunk.indexOf(0x0a);
    if (nl < 0) continue;
    skipping = false;
    if (nl + 1 < chunk.length) yield chunk.subarray(nl + 1);
  }
}
