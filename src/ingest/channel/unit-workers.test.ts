// The worker threads of the file channels give exactly what the importing thread would: the same
// units, in input order, the input's own error after the units read before it, and a task's
// exception surfaced without stopping the pool.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEpisodes } from '../xml/generator.ts';
import { EnvelopeError, readEnvelope } from '../xml/envelope.ts';
import type { ChannelUnit, UnitTask } from './unit-tasks.ts';
import { readyUnits, unitWorkerPool, UnitThreadStopped, UnitWorkerPool, type ReadyUnitsOptions } from './unit-workers.ts';

const provinceDir = path.join(import.meta.dirname, '../../../test/fixtures/xml/province');
const cdaDir = path.join(import.meta.dirname, '../../../test/fixtures/cda');
const inThreads: ReadyUnitsOptions = { threads: 1, ahead: 7, inProcessFirst: 0 };
const inProcess: ReadyUnitsOptions = { threads: 0, ahead: 7, inProcessFirst: 0 };

let work: string;
let envelopeText: string;

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-unit-workers-'));
  // Outpatient and inpatient episodes, excluded (B8) content and deliberately broken episodes.
  const g = await generateEpisodes({ provinceDir, count: 60, format: '130', outDir: work, perFile: 100, seed: 'unit-workers' });
  envelopeText = fs.readFileSync(g.files[0]!, 'utf8');
}, 60_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

async function* xmlTasks(text: string, validate = true): AsyncGenerator<UnitTask> {
  for await (const hoso of readEnvelope(text)) yield { kind: 'xml', hoso, validate };
}

/** The file's first episode as a task. */
async function firstTask(): Promise<UnitTask> {
  for await (const hoso of readEnvelope(envelopeText)) return { kind: 'xml', hoso, validate: true };
  throw new Error('the generated file has no episode');
}

/** Adapters give new entries random `urn:uuid` names: numbered in order of appearance, units compare. */
function comparable(units: ChannelUnit[]): unknown {
  const names = new Map<string, string>();
  return JSON.parse(JSON.stringify(units).replace(/urn:uuid:[0-9a-f-]{36}/g, (u) => {
    if (!names.has(u)) names.set(u, `urn:uuid:#${names.size}`);
    return names.get(u)!;
  }));
}

async function collect(units: AsyncIterable<ChannelUnit>): Promise<{ units: ChannelUnit[]; error?: unknown }> {
  const out: ChannelUnit[] = [];
  try {
    for await (const u of units) out.push(u);
    return { units: out };
  } catch (error) {
    return { units: out, error };
  }
}

describe('readyUnits', () => {
  it('gives in worker threads the units the importing thread gives, in input order', async () => {
    const here = await collect(readyUnits(xmlTasks(envelopeText), inProcess));
    const there = await collect(readyUnits(xmlTasks(envelopeText), inThreads));
    expect(here.error).toBeUndefined();
    expect(there.error).toBeUndefined();
    expect(here.units).toHaveLength(60);
    // The generated file holds both kinds: accepted records and the adapter's refusals.
    expect(here.units.some((u) => u.result.ok)).toBe(true);
    expect(here.units.some((u) => !u.result.ok)).toBe(true);
    expect(comparable(there.units)).toEqual(comparable(here.units));
    // The record and its prepared form arrive as one object, not two copies.
    const ok = there.units.find((u) => u.result.ok)!.result;
    if (!ok.ok || !ok.ready.prepared.ok) throw new Error('expected a prepared record');
    expect(ok.ready.prepared.value.record).toBe(ok.ready.record);
    expect(ok.ready.prepared.value.entries).toBe(ok.ready.record.entries);
  });

  it('mixes units made here and in threads without changing their order', async () => {
    const here = await collect(readyUnits(xmlTasks(envelopeText), inProcess));
    const mixed = await collect(readyUnits(xmlTasks(envelopeText), { threads: 2, ahead: 5, inProcessFirst: 13 }));
    expect(comparable(mixed.units)).toEqual(comparable(here.units));
  });

  it('yields every unit read before the input breaks, then the input error', async () => {
    // Cut inside the 41st HOSO: forty complete episodes, then a truncated file.
    let at = -1;
    for (let i = 0; i < 41; i++) at = envelopeText.indexOf('<HOSO', at + 1);
    const cut = envelopeText.slice(0, at + 200);
    const here = await collect(readyUnits(xmlTasks(cut), inProcess));
    const there = await collect(readyUnits(xmlTasks(cut), inThreads));
    expect(here.units).toHaveLength(40);
    expect(there.units).toHaveLength(40);
    expect(here.error).toBeInstanceOf(EnvelopeError);
    expect(there.error).toBeInstanceOf(EnvelopeError);
    expect((there.error as EnvelopeError).code).toBe('truncated');
  });

  it('surfaces a task that throws at its turn, and the pool keeps working', async () => {
    async function* tasks(): AsyncGenerator<UnitTask> {
      let n = 0;
      for await (const hoso of readEnvelope(envelopeText)) {
        // The third task is not a HOSO at all: the adapter throws on it.
        yield n++ === 2 ? { kind: 'xml', hoso: null as never, validate: true } : { kind: 'xml', hoso, validate: true };
      }
    }
    const r = await collect(readyUnits(tasks(), inThreads));
    expect(r.units).toHaveLength(2);
    expect(r.error).toBeInstanceOf(Error);
    expect((r.error as Error).name).toBe('TypeError');
    const again = await collect(readyUnits(xmlTasks(envelopeText), inThreads));
    expect(again.units).toHaveLength(60);
  });

  it('lets the consumer stop early, and replaces a thread that was stopped', async () => {
    const seen: ChannelUnit[] = [];
    for await (const u of readyUnits(xmlTasks(envelopeText), inThreads)) {
      seen.push(u);
      if (seen.length === 3) break;
    }
    expect(seen).toHaveLength(3);
    await unitWorkerPool(1).close();
    const again = await collect(readyUnits(xmlTasks(envelopeText, false), inThreads));
    expect(again.units).toHaveLength(60);
  });

  it('makes a unit ready here when its thread ends before answering', async () => {
    const here = await collect(readyUnits(xmlTasks(envelopeText), inProcess));
    const units: ChannelUnit[] = [];
    for await (const u of readyUnits(xmlTasks(envelopeText), inThreads)) {
      units.push(u);
      // The thread is stopped with units still given to it (ahead: 7).
      if (units.length === 1) await unitWorkerPool(1).close();
    }
    expect(comparable(units)).toEqual(comparable(here.units));
  });

  it('adapts CDA documents in threads as here, the fallback facility included', async () => {
    async function* tasks(): AsyncGenerator<UnitTask> {
      for (const name of fs.readdirSync(cdaDir).sort()) {
        yield { kind: 'cda', bytes: fs.readFileSync(path.join(cdaDir, name)), fallbackFacility: '68001', validate: true };
      }
    }
    const here = await collect(readyUnits(tasks(), inProcess));
    const there = await collect(readyUnits(tasks(), inThreads));
    expect(here.units.length).toBeGreaterThan(3);
    expect(comparable(there.units)).toEqual(comparable(here.units));
  });

  it('lets an idle thread go, and starts one again for the next task', async () => {
    const pool = new UnitWorkerPool(1, { idleMs: 100 });
    const task = await firstTask();
    const first = await pool.run(task);
    expect(first.result.ok).toBe(true);
    expect(pool.running).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(pool.running).toBe(0);
    const second = await pool.run(task);
    expect(comparable([second])).toEqual(comparable([first]));
    await pool.close();
    expect(pool.running).toBe(0);
  });

  it('reports a thread that runs out of memory as stopped, not as a fault of the unit', async () => {
    // 4 MB cannot even hold the R4 definitions: the thread dies on its first unit.
    const pool = new UnitWorkerPool(1, { heapLimitMb: 4 });
    const task = await firstTask();
    const err = await pool.run(task).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnitThreadStopped);
    expect(((err as Error).cause as { code?: string } | undefined)?.code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(pool.running).toBe(0);
    // Two more deaths before any answer: a thread that cannot start. The pool gives up on threads.
    for (let i = 0; i < 2; i++) await expect(pool.run(task)).rejects.toBeInstanceOf(UnitThreadStopped);
    const refused = pool.run(task);
    expect(pool.running).toBe(0);
    await expect(refused).rejects.toThrow(/Không khởi động được/);
    await pool.close();
  });
});
