import { describe, expect, it } from 'vitest';
import type { AuditEntryInput } from './audit-entry.ts';
import { batchingAuditLog } from './audit-log.ts';

const entry = (patientId: string): AuditEntryInput => ({ action: 'read', outcome: '0', agentKind: 'client', patientId });

describe('grouping audit entries into batches', () => {
  it('puts the entries of requests answered in the same turn of the event loop into one batch, even from separate callbacks', async () => {
    const batches: string[][] = [];
    const log = batchingAuditLog(async (entries) => void batches.push(entries.map((e) => e.patientId!)), 4);
    // Five timer callbacks: each is followed by a microtask checkpoint, as each request's read completion is.
    const recorded = await new Promise<Promise<void>[]>((resolve) => {
      const all: Promise<void>[] = [];
      for (let i = 0; i < 5; i++) setTimeout(() => all.push(log.record(entry(`p${i}`))), 0);
      setTimeout(() => resolve(all), 0);
    });
    await Promise.all(recorded);
    expect(batches).toEqual([['p0', 'p1', 'p2', 'p3', 'p4']]);
  });

  it('answers a record only once its batch is written, sends what arrived meanwhile in the next batch, and passes a failure to every entry of its batch', async () => {
    let release!: () => void;
    const batches: string[][] = [];
    let fail = false;
    const log = batchingAuditLog(async (entries) => {
      batches.push(entries.map((e) => e.patientId!));
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      if (fail) throw new Error('disk full');
    }, 1);
    let firstDone = false;
    const first = log.record(entry('a')).then(() => (firstDone = true));
    await new Promise((r) => setImmediate(r));
    const second = [log.record(entry('b')), log.record(entry('c'))];
    await new Promise((r) => setTimeout(r, 5));
    expect(firstDone).toBe(false);
    expect(batches).toEqual([['a']]);
    fail = true;
    release();
    await expect(first).rejects.toThrow('disk full');
    for (const p of second) await expect(p).rejects.toThrow('disk full');
    expect(batches).toEqual([['a'], ['b', 'c']]);
  });
});
