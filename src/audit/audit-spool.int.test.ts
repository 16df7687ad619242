// The spool of reads' audit entries (audit-spool.ts): an entry is on disk when its request is
// answered, reaches the chain in packs, and survives the death of its process — replayed once,
// in full, by the next process on the data directory, and never while its own process runs.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import type { Database } from '../store/database.ts';
import { canonicalEntry, entryFromCanonical, type AuditEntryInput } from './audit-entry.ts';
import { SpooledAuditLog } from './audit-spool.ts';
import { createChainedAuditLog } from './chained-audit-log.ts';
import { verifyAuditChain } from './verify.ts';

const TARGET = 'test-database';
let db: Database;
let dir: string;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-spool-test-'));
  await db.pool.query('TRUNCATE audit_pack, audit_row, audit_seal');
  return () => fs.rm(dir, { recursive: true, force: true });
});

const read = (patientId: string): AuditEntryInput => ({ action: 'read', outcome: '0', agentKind: 'client', agentId: 'his-68001', patientId, entityType: 'Patient', entityId: patientId });
const spoolFiles = async () => (await fs.readdir(dir)).filter((f) => f.endsWith('.spool')).sort();
const trail = async () => (await db.pool.query<{ patient_id: string }>('SELECT patient_id FROM audit_entry ORDER BY chain_pos')).rows.map((r) => r.patient_id);

/** Runs test/support/audit-spool-child.ts until it has spooled its entries; resolves with its pid, spool id and a kill. */
async function spoolingChild(total: number, flushFirst: number, target = TARGET): Promise<{ id: string; kill(): Promise<void> }> {
  const url = (db.pool.options as { connectionString: string }).connectionString;
  const child = spawn(process.execPath, [path.resolve('test/support/audit-spool-child.ts'), url, dir, target, String(total), String(flushFirst)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const id = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /spooled (\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`spooling child exited with ${code}`)));
  });
  return {
    id,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

describe('the audit spool of reads and searches', () => {
  it('answers once the entries are in the spool file, and writes them to the chain in one pack', async () => {
    const spool = new SpooledAuditLog(createChainedAuditLog(db.pool), { dir, target: TARGET, lingerMs: 60_000 });
    await Promise.all(['a', 'b', 'c'].map((p) => spool.record(read(p))));
    const files = await spoolFiles();
    expect(files).toHaveLength(1);
    const lines = (await fs.readFile(path.join(dir, files[0]!), 'utf8')).trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ hsskAuditSpool: 2, id: spool.id, pid: process.pid, target: TARGET });
    // Each line is its entry's canonical form with the spool index first, where the chain has the sequence number.
    const spooled = lines.slice(1).map((l) => entryFromCanonical(JSON.parse(l)));
    expect(spooled.map((e) => [e.seq, e.patientId])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(lines.slice(1)).toEqual(spooled.map((e) => canonicalEntry(e)));
    expect(await trail()).toEqual([]);
    await spool.flush();
    expect(await trail()).toEqual(['a', 'b', 'c']);
    const { rows } = await db.pool.query('SELECT n, spool_id, spool_end FROM audit_pack');
    expect(rows).toEqual([{ n: 3, spool_id: spool.id, spool_end: 3 }]);
    await spool.close();
    expect(await spoolFiles()).toEqual([]);
    // A request still running at shutdown: its entry is committed before it answers, no new file.
    await spool.record(read('d'));
    expect(await trail()).toEqual(['a', 'b', 'c', 'd']);
    expect(await spoolFiles()).toEqual([]);
    expect(await verifyAuditChain(db.pool)).toMatchObject({ ok: true, verified: 4 });
  });

  it('writes packs of at most maxBatch entries by itself after the linger, and deletes each full segment once its entries are in', async () => {
    const spool = new SpooledAuditLog(createChainedAuditLog(db.pool), { dir, target: TARGET, lingerMs: 5, maxBatch: 4, segmentBytes: 400 });
    for (let i = 0; i < 10; i++) await spool.record(read(`p${i}`));
    expect((await spoolFiles()).length).toBeGreaterThan(2);
    await expect.poll(trail).toHaveLength(10);
    const { rows } = await db.pool.query<{ n: number }>('SELECT n FROM audit_pack ORDER BY first_pos');
    expect(rows.every((r) => r.n <= 4)).toBe(true);
    // Only the segment being written is left.
    await expect.poll(spoolFiles).toHaveLength(1);
    await spool.close();
    expect(await spoolFiles()).toEqual([]);
  });

  it('replays what a killed process had spooled, exactly once, and leaves a running process’s spool alone', async () => {
    const child = await spoolingChild(12, 5);
    // 5 entries went in before the kill; 7 were only spooled.
    expect(await trail()).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    const next = new SpooledAuditLog(createChainedAuditLog(db.pool), { dir, target: TARGET });
    expect(await next.recover(db.pool)).toEqual({ spools: 0, entries: 0 });
    expect((await spoolFiles()).length).toBeGreaterThan(0);
    await child.kill();
    expect(await next.recover(db.pool)).toEqual({ spools: 1, entries: 7 });
    expect(await trail()).toEqual(Array.from({ length: 12 }, (_, i) => `p${i}`));
    expect(await spoolFiles()).toEqual([]);
    expect(await verifyAuditChain(db.pool)).toMatchObject({ ok: true, verified: 12 });
    expect(await next.recover(db.pool)).toEqual({ spools: 0, entries: 0 });
  });

  it('replays nothing twice when the replaying process died before deleting the spool', async () => {
    const child = await spoolingChild(6, 0);
    await child.kill();
    const files = await spoolFiles();
    const copies = await Promise.all(files.map((f) => fs.readFile(path.join(dir, f))));
    const first = new SpooledAuditLog(createChainedAuditLog(db.pool), { dir, target: TARGET });
    expect(await first.recover(db.pool)).toEqual({ spools: 1, entries: 6 });
    // As if the files had outlived the replay, plus a line cut short by a crash of the OS.
    await Promise.all(files.map((f, i) => fs.writeFile(path.join(dir, f), copies[i]!)));
    await fs.appendFile(path.join(dir, files[files.length - 1]!), '[7,"2026-11-25T05:');
    const warnings: string[] = [];
    const second = new SpooledAuditLog(createChainedAuditLog(db.pool), { dir, target: TARGET, log: (_level, m) => warnings.push(m) });
    expect(await second.recover(db.pool)).toEqual({ spools: 1, entries: 0 });
    expect(await trail()).toHaveLength(6);
    expect(warnings.join('\n')).toContain('1 unreadable line(s) skipped');
    expect(await verifyAuditChain(db.pool)).toMatchObject({ ok: true, verified: 6 });
  });

  it('replays a spool in the first line format (`{"i": index, "e": entry}`) left by an earlier version', async () => {
    const id = 'earlier-version-4194303-0a0b0c0d';
    const header = { hsskAuditSpool: 1, id, host: os.hostname(), pid: 4194303, started: 0, target: TARGET };
    const lines = ['x', 'y'].map((p, i) => JSON.stringify({ i: i + 1, e: { ...read(p), recordedAt: new Date(Date.UTC(2026, 10, 24, 8, i)) } }));
    await fs.writeFile(path.join(dir, `${id}.000001.spool`), [header, ...lines].map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
    const spool = new SpooledAuditLog(createChainedAuditLog(db.pool), { dir, target: TARGET });
    expect(await spool.recover(db.pool)).toEqual({ spools: 1, entries: 2 });
    expect(await trail()).toEqual(['x', 'y']);
    const { rows } = await db.pool.query<{ recorded_at: Date }>('SELECT recorded_at FROM audit_entry ORDER BY chain_pos');
    expect(rows.map((r) => r.recorded_at.toISOString())).toEqual(['2026-11-24T08:00:00.000Z', '2026-11-24T08:01:00.000Z']);
    expect(await spoolFiles()).toEqual([]);
    expect(await verifyAuditChain(db.pool)).toMatchObject({ ok: true, verified: 2 });
  });

  it('leaves the spool of another database where it is, with a warning', async () => {
    const child = await spoolingChild(2, 0, 'another-database');
    await child.kill();
    const warnings: string[] = [];
    const spool = new SpooledAuditLog(createChainedAuditLog(db.pool), { dir, target: TARGET, log: (_level, m) => warnings.push(m) });
    expect(await spool.recover(db.pool)).toEqual({ spools: 0, entries: 0 });
    expect(await trail()).toEqual([]);
    expect((await spoolFiles()).length).toBeGreaterThan(0);
    expect(warnings.join('\n')).toContain('belongs to another database');
  });
});
