// Runs the $export jobs of this process and takes over those a stopped process left in progress
// (restart, crash): a job resumes from its last written file (docs/sync.md). Shutdown stops the
// jobs after their current page and leaves them in progress, for the next start to resume.
import { findClient } from '../auth/clients.ts';
import { canAccess } from '../auth/scopes.ts';
import { serverSecret } from '../auth/server-secret.ts';
import type { Database } from '../store/database.ts';
import { failExportJob, inProgressExportJobs, runExportJob, type ExportJob, type RunOptions, type RunOutcome } from './bulk-export.ts';
import { deidentifier } from './deidentify.ts';

export class ExportRunner {
  private readonly db: Database;
  private readonly options: Omit<RunOptions, 'signal' | 'resumed'>;
  private readonly abort = new AbortController();
  private readonly running = new Map<string, Promise<RunOutcome>>();

  constructor(db: Database, options: Omit<RunOptions, 'signal' | 'resumed'> = {}) {
    this.db = db;
    this.options = options;
  }

  /** Starts a job just created by its client; `allowed` is that client's scope check. */
  start(job: ExportJob, allowed: (type: string) => boolean): Promise<RunOutcome> {
    return this.run(job, allowed, false);
  }

  /**
   * Takes over every job in progress that no process is running (their session lock is free): the
   * client's current scopes decide again what it may have (a removed or disabled client, or a
   * client with a facility, ends the job). Resolves when those jobs end.
   */
  async resumeOrphans(): Promise<RunOutcome[]> {
    const started: Promise<RunOutcome>[] = [];
    for (const job of await inProgressExportJobs(this.db.pool)) {
      if (this.running.has(job.id) || this.abort.signal.aborted) continue;
      const client = await findClient(this.db.pool, job.clientId);
      if (!client || client.disabled || client.facilityCode) {
        await failExportJob(this.db.pool, job.id, 'the client that started this export is no longer allowed to export');
        started.push(Promise.resolve('error'));
        continue;
      }
      started.push(this.run(job, (type) => canAccess(client.scopes, type, 'search'), true));
    }
    return Promise.all(started);
  }

  /** Stops every running job after its current page (they stay in progress) and waits for them. */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.running.values());
  }

  private run(job: ExportJob, allowed: (type: string) => boolean, resumed: boolean): Promise<RunOutcome> {
    const p = (async () => {
      const transform = job.params.deidentify ? deidentifier(await serverSecret(this.db.pool, 'export-pseudonym')) : undefined;
      return runExportJob(this.db, job, allowed, transform, { ...this.options, signal: this.abort.signal, resumed });
    })()
      .catch((): RunOutcome => 'error')
      .finally(() => this.running.delete(job.id));
    this.running.set(job.id, p);
    return p;
  }
}
