// The audit log of reads and searches: an entry is safe once it is in a local append-only file
// (the spool), and reaches the chain in PostgreSQL a few milliseconds later, with many others in
// one pack. A read used to wait for its batch's INSERT (a round trip and a commit shared by the
// few requests in flight at that moment, ~5–7 at 16 clients); now its request waits for one
// write(2) per turn of the event loop, and the chain grows by packs of hundreds of entries —
// the fixed cost per statement spread over them (docs/benchmarks.md, "Authorisation and audit").
//
// Crash safety is what the chained log gave with `synchronous_commit = off`: a crash of the HSSK
// process loses nothing (what write(2) returned from is in the kernel's page cache and the next
// start replays it), a crash of the OS can lose the last fraction of a second. Replay is
// idempotent: every pack records its spool and the index of its last entry (audit_pack.spool_id,
// spool_end), and a replay appends only the entries after the highest index already in.
//
// Files: `<dir>/<spool id>.<segment>.spool`, one JSON line per entry after a header line: since
// format 2, the entry's canonical form with its spool index in place of its sequence number —
// the very text the chain then hashes, made once (format 1, `{"i": index, "e": entry}`, is still
// replayed). A
// process writes one spool (id: host, pid and a random suffix), in segments of a few MiB; a
// segment is deleted once its entries are all in PostgreSQL. At start-up, `recover` replays the
// spools of processes of this host that are gone.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { canonicalFields, entryFromCanonical, withSequence, type AuditEntryInput } from './audit-entry.ts';
import type { AuditLog } from './audit-log.ts';
import type { ChainedAuditLog } from './chained-audit-log.ts';

export interface AuditSpoolOptions {
  dir: string;
  /** Which database the entries belong to (no secrets): a spool is replayed only into the same one. */
  target: string;
  /** How long an entry may wait for others before its pack is written (default 20 ms). */
  lingerMs?: number;
  /** Entries per pack at most (default 500). */
  maxBatch?: number;
  /** Entries spooled but not yet in PostgreSQL beyond which requests wait for the chain to catch up. */
  maxQueued?: number;
  /** A segment is closed once this large (bytes, default 4 MiB), and deleted once its entries are in. */
  segmentBytes?: number;
  /** Operator messages; never given personal data. */
  log?: (level: 'warn' | 'error', message: string) => void;
}

interface Header {
  /** The line format: 1, `{"i": index, "e": entry}`; 2, the canonical form with the index first. */
  hsskAuditSpool: 1 | 2;
  id: string;
  host: string;
  pid: number;
  /** When the writing process started (ms since the epoch): tells it from a later process given its pid. */
  started: number;
  target: string;
}

interface Segment {
  file: string;
  fd: number;
  bytes: number;
  lastIndex: number;
}

interface Spooled {
  index: number;
  entry: AuditEntryInput;
}

/** An entry this process spooled, with its canonical form without its sequence number (canonicalFields). */
interface OwnSpooled extends Spooled {
  fields: string;
}

const SUFFIX = '.spool';
/** Serialises spool replays across the processes of one database (session-level advisory lock). */
const RECOVERY_LOCK = 'hssk:audit-spool-recovery';
const MAX_RETRY_MS = 30_000;

function writeAll(fd: number, text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
  return bytes.length;
}

export class SpooledAuditLog implements AuditLog {
  readonly id: string;
  private readonly dir: string;
  private readonly target: string;
  private readonly lingerMs: number;
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly segmentBytes: number;
  private readonly log: NonNullable<AuditSpoolOptions['log']>;
  private segments: Segment[] = [];
  private segmentNo = 0;
  private nextIndex = 1;
  /** A request's entries with its promise: one promise per request, however many entries. */
  private toWrite: Array<{ entries: Array<AuditEntryInput & { recordedAt: Date }>; resolve: () => void; reject: (err: unknown) => void }> = [];
  private writeScheduled = false;
  /** Spooled, not yet in PostgreSQL, in index order. */
  private unflushed: OwnSpooled[] = [];
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Requests held back while too many entries wait for PostgreSQL. */
  private heldBack: Array<() => void> = [];
  private closed = false;
  private readonly chain: ChainedAuditLog;

  constructor(chain: ChainedAuditLog, options: AuditSpoolOptions) {
    this.chain = chain;
    this.dir = options.dir;
    this.target = options.target;
    this.lingerMs = options.lingerMs ?? 20;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxQueued = options.maxQueued ?? 50_000;
    this.segmentBytes = options.segmentBytes ?? 4 * 2 ** 20;
    this.log = options.log ?? (() => undefined);
    this.id = `${os.hostname().replace(/[^A-Za-z0-9-]/g, '_')}-${process.pid}-${randomBytes(4).toString('hex')}`;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  record(entry: AuditEntryInput): Promise<void> {
    return this.recordMany([entry]);
  }

  recordMany(entries: AuditEntryInput[]): Promise<void> {
    if (this.closed) return this.chain.recordMany(entries);
    if (entries.length === 0) return Promise.resolve();
    const now = new Date();
    return new Promise<void>((resolve, reject) => {
      this.toWrite.push({ entries: entries.map((e) => ({ ...e, recordedAt: e.recordedAt ?? now })), resolve, reject });
      if (!this.writeScheduled) {
        this.writeScheduled = true;
        // Like the chained log's batches: every request answered in this turn shares one write.
        setImmediate(() => this.writeNow());
      }
    });
  }

  /** Resolves once every entry recorded before the call is in PostgreSQL; rejects if a pack fails. */
  async flush(): Promise<void> {
    this.writeNow();
    const target = this.nextIndex - 1;
    // In until the oldest entry still waiting comes after it (entries get indices in spool order).
    while ((this.unflushed[0]?.index ?? this.nextIndex) <= target) await this.flushOnce();
  }

  /** Writes what is left to PostgreSQL and removes this process's spool files. */
  async close(): Promise<void> {
    // From now on a record goes straight to the chain (awaited commit), not into a segment about to go.
    this.closed = true;
    await this.flush();
    for (const s of this.segments) this.retire(s);
    this.segments = [];
  }

  /**
   * Replays the spools that processes of this host left behind (crashed or killed before their
   * entries reached PostgreSQL), then deletes them. One replay at a time per database.
   */
  async recover(pool: pg.Pool): Promise<{ spools: number; entries: number }> {
    const names = fs.readdirSync(this.dir).filter((f) => f.endsWith(SUFFIX));
    const bySpool = new Map<string, string[]>();
    for (const name of names) {
      const id = name.slice(0, -SUFFIX.length).replace(/\.\d+$/, '');
      if (id === this.id) continue;
      bySpool.set(id, [...(bySpool.get(id) ?? []), name]);
    }
    let spools = 0;
    let entries = 0;
    if (bySpool.size === 0) return { spools, entries };
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [RECOVERY_LOCK]);
      try {
        for (const [id, files] of bySpool) {
          const replayed = await this.replay(client, id, files.sort());
          if (replayed !== undefined) {
            spools++;
            entries += replayed;
          }
        }
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [RECOVERY_LOCK]);
      }
    } finally {
      client.release();
    }
    return { spools, entries };
  }

  /** One dead process's spool: the entries not yet in, appended in packs; undefined when left alone. */
  private async replay(client: pg.PoolClient, id: string, files: string[]): Promise<number | undefined> {
    const pending: Spooled[] = [];
    let header: Header | undefined;
    let unreadable = false;
    let torn = 0;
    let read = 0;
    for (const file of files) {
      let text: string;
      try {
        text = fs.readFileSync(path.join(this.dir, file), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // replayed meanwhile
        throw err;
      }
      read++;
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (line === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          torn++; // a line cut short by the crash of the OS: nothing of it was answered for long
          continue;
        }
        if (i === 0) {
          header = value as Header;
          continue;
        }
        if (header?.hsskAuditSpool === 2) {
          try {
            const { seq: index, ...entry } = entryFromCanonical(value);
            pending.push({ index, entry });
          } catch {
            unreadable = true;
          }
        } else if (header?.hsskAuditSpool === 1) {
          const { i: index, e } = value as { i: number; e: AuditEntryInput & { recordedAt: string } };
          pending.push({ index, entry: { ...e, recordedAt: new Date(e.recordedAt) } });
        } else {
          unreadable = true;
        }
      }
    }
    if (read === 0) return undefined; // another process replayed it while this one waited for the lock
    if (!header || (header.hsskAuditSpool !== 1 && header.hsskAuditSpool !== 2) || header.id !== id || unreadable) {
      this.log('warn', `audit spool ${id}: no readable header, or lines of an unknown form; left in ${this.dir}`);
      return undefined;
    }
    if (header.target !== this.target) {
      this.log('warn', `audit spool ${id} belongs to another database (${header.target}), left in ${this.dir}`);
      return undefined;
    }
    if (header.host !== os.hostname()) {
      this.log('warn', `audit spool ${id} was written on host ${header.host}: replay it there; left in ${this.dir}`);
      return undefined;
    }
    if (processAlive(header.pid, header.started)) return undefined; // its own process is still writing it
    const { rows } = await client.query<{ end: string | null }>('SELECT max(spool_end) AS end FROM audit_pack WHERE spool_id = $1', [id]);
    const done = rows[0]?.end === null || rows[0]?.end === undefined ? 0 : Number(rows[0].end);
    const todo = pending.filter((p) => p.index > done).sort((a, b) => a.index - b.index);
    for (let start = 0; start < todo.length; start += this.maxBatch) {
      const batch = todo.slice(start, start + this.maxBatch);
      await this.chain.appendSpooled(
        batch.map((b) => b.entry),
        { id, end: batch[batch.length - 1]!.index },
      );
    }
    if (torn > 0) this.log('warn', `audit spool ${id}: ${torn} unreadable line(s) skipped`);
    for (const file of files) fs.rmSync(path.join(this.dir, file), { force: true });
    return todo.length;
  }

  private writeNow(): void {
    this.writeScheduled = false;
    const items = this.toWrite;
    if (items.length === 0) return;
    this.toWrite = [];
    const first = this.nextIndex;
    const spooled: OwnSpooled[] = [];
    let text = '';
    for (const item of items) {
      for (const entry of item.entries) {
        const index = first + spooled.length;
        const fields = canonicalFields(entry);
        spooled.push({ index, entry, fields });
        text += `${withSequence(index, fields)}\n`;
      }
    }
    try {
      const segment = this.currentSegment();
      segment.bytes += writeAll(segment.fd, text);
      segment.lastIndex = first + spooled.length - 1;
    } catch (err) {
      // Not in the spool: the requests fail rather than answer without their entry.
      this.log('error', `audit spool ${this.id}: write failed (${(err as Error).message})`);
      for (const item of items) item.reject(err);
      return;
    }
    this.nextIndex += spooled.length;
    for (const s of spooled) this.unflushed.push(s);
    this.scheduleFlush();
    if (this.unflushed.length <= this.maxQueued) {
      for (const item of items) item.resolve();
    } else {
      for (const item of items) this.heldBack.push(item.resolve);
    }
  }

  private currentSegment(): Segment {
    const current = this.segments[this.segments.length - 1];
    if (current && current.bytes < this.segmentBytes) return current;
    const file = path.join(this.dir, `${this.id}.${String(++this.segmentNo).padStart(6, '0')}${SUFFIX}`);
    const fd = fs.openSync(file, 'a', 0o600);
    const header: Header = { hsskAuditSpool: 2, id: this.id, host: os.hostname(), pid: process.pid, started: PROCESS_STARTED, target: this.target };
    const segment: Segment = { file, fd, bytes: writeAll(fd, `${JSON.stringify(header)}\n`), lastIndex: this.nextIndex - 1 };
    this.segments.push(segment);
    return segment;
  }

  private scheduleFlush(): void {
    if (this.flushing || this.flushTimer || this.unflushed.length === 0) return;
    const delay = this.failures > 0 ? Math.min(MAX_RETRY_MS, 100 * 2 ** this.failures) : this.unflushed.length >= this.maxBatch ? 0 : this.lingerMs;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushOnce().catch(() => undefined); // logged in flushOnce; retried with backoff
    }, delay);
  }

  /** One pack: the oldest spooled entries (or the pack in flight). */
  private flushOnce(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.unflushed.length === 0) return Promise.resolve();
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const batch = this.unflushed.slice(0, this.maxBatch);
    const end = batch[batch.length - 1]!.index;
    this.flushing = this.chain
      .appendSpooled(
        batch.map((b) => b.entry),
        { id: this.id, end },
        batch.map((b) => b.fields),
      )
      .then(
        () => {
          this.failures = 0;
          this.unflushed = this.unflushed.slice(batch.length);
          const current = this.segments[this.segments.length - 1];
          this.segments = this.segments.filter((seg) => {
            const done = seg !== current && seg.lastIndex <= end;
            if (done) this.retire(seg);
            return !done;
          });
          if (this.unflushed.length <= this.maxQueued) {
            const release = this.heldBack;
            this.heldBack = [];
            release.forEach((resolve) => resolve());
          }
        },
        (err: unknown) => {
          this.failures++;
          this.log('error', `audit spool ${this.id}: ${this.unflushed.length} entries wait for PostgreSQL (${(err as Error).message}); kept in ${this.dir}`);
          throw err;
        },
      )
      .finally(() => {
        this.flushing = undefined;
        this.scheduleFlush();
      });
    return this.flushing;
  }

  private retire(segment: Segment): void {
    if (segment.fd < 0) return;
    fs.closeSync(segment.fd);
    segment.fd = -1;
    fs.rmSync(segment.file, { force: true });
  }
}

const PROCESS_STARTED = Math.round(Date.now() - process.uptime() * 1000);

/**
 * Whether the process that wrote a spool still runs: its pid exists and, where /proc tells
 * (Linux), started when the spool says — a restarted container hands the same pids out again.
 */
function processAlive(pid: number, started: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const startedAt = linuxProcessStart(pid);
  return startedAt === undefined || Math.abs(startedAt - started) < 5_000;
}

/** A process's start (ms since the epoch) from /proc: boot time plus its start in clock ticks (USER_HZ = 100). */
function linuxProcessStart(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3: starttime is field 22.
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(btime) ? btime * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}
