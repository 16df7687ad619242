// Worker threads that adapt and prepare a file channel's units (unit-tasks.ts) while the importing
// thread plans and writes batches. On the XML ingest, adapting, B8 screening and R4 validation
// were over half of Node's CPU, and running them in the importing thread — 200 episodes in one
// synchronous stretch — held up the batch that owned the identity lock (docs/benchmarks.md).
// Units leave in input order; a bounded number are read ahead, so memory stays bounded.
import { Worker } from 'node:worker_threads';
import { runUnitTask, type ChannelUnit, type UnitTask } from './unit-tasks.ts';

/**
 * The thread a task was given to ended before answering (out of memory on a huge unit, stopped,
 * crashed): the task itself is not at fault, and is made ready in the importing thread instead.
 */
export class UnitThreadStopped extends Error {
  override name = 'UnitThreadStopped';
}

type Answer = { id: number; unit: ChannelUnit } | { id: number; error: { name: string; message: string; stack?: string } };

interface Pending {
  resolve(unit: ChannelUnit): void;
  reject(err: Error): void;
}

class UnitThread {
  readonly pending = new Map<number, Pending>();
  /** Tasks answered so far. */
  answered = 0;
  private readonly worker: Worker;
  private gone = false;
  private readonly onGone: (thread: UnitThread, died: boolean) => void;
  private readonly idleMs: number;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(onGone: (thread: UnitThread, died: boolean) => void, idleMs: number, heapLimitMb: number) {
    this.onGone = onGone;
    this.idleMs = idleMs;
    // V8 lets an unlimited old generation grow to ~300 MB on a ~50 MB live set; a cap makes it
    // collect sooner. A unit too large for it ends the thread and is made ready in the importing
    // thread (UnitThreadStopped).
    this.worker = new Worker(new URL('./unit-worker.ts', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: heapLimitMb } });
    // Idle threads never keep the process alive; a thread with work does (see run).
    this.worker.unref();
    this.worker.on('message', (answer: Answer) => {
      const p = this.pending.get(answer.id);
      if (!p) return;
      this.pending.delete(answer.id);
      this.answered++;
      if (this.pending.size === 0) {
        this.worker.unref();
        // A thread holds up to ~200 MB of heap after an import: an idle one is let go.
        this.idleTimer = setTimeout(() => void this.stop(), this.idleMs).unref();
      }
      if ('unit' in answer) p.resolve(answer.unit);
      else p.reject(Object.assign(new Error(answer.error.message), { name: answer.error.name, stack: answer.error.stack }));
    });
    this.worker.on('error', (err) => this.fail(new UnitThreadStopped(`Luồng xử lý hồ sơ gặp lỗi: ${err.message}`, { cause: err }), true));
    this.worker.on('exit', (code) => this.fail(new UnitThreadStopped(`Luồng xử lý hồ sơ đã dừng (mã ${code}).`), true));
  }

  run(id: number, task: UnitTask): Promise<ChannelUnit> {
    if (this.gone) return Promise.reject(new UnitThreadStopped('Luồng xử lý hồ sơ đã dừng.'));
    clearTimeout(this.idleTimer);
    return new Promise<ChannelUnit>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, task });
      } catch (err) {
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
        reject(err as Error);
      }
    });
  }

  /** Ends the thread; tasks still pending are rejected. */
  stop(): Promise<number> {
    clearTimeout(this.idleTimer);
    this.fail(new UnitThreadStopped('Luồng xử lý hồ sơ đã dừng.'), false);
    return this.worker.terminate();
  }

  private fail(err: Error, died: boolean): void {
    if (!this.gone) {
      this.gone = true;
      this.onGone(this, died);
    }
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

export interface UnitWorkerPoolOptions {
  /** An idle thread ends after this long (default 30 s). */
  idleMs?: number;
  /** Each thread's old generation, in MB (default 192). */
  heapLimitMb?: number;
}

/**
 * A pool of up to `size` threads, started when first needed and ended after `idleMs` without
 * work; a thread that dies is replaced by the next task. After three threads in a row died
 * without answering anything (a thread that cannot start), the pool starts no more: its tasks
 * are refused at once, and made ready in the importing thread.
 */
export class UnitWorkerPool {
  private threads: UnitThread[] = [];
  private nextId = 1;
  readonly size: number;
  private readonly idleMs: number;
  private readonly heapLimitMb: number;
  private failedStarts = 0;

  constructor(size: number, options: UnitWorkerPoolOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    this.size = size;
    this.idleMs = options.idleMs ?? 30_000;
    this.heapLimitMb = options.heapLimitMb ?? 192;
  }

  /** Threads running now. */
  get running(): number {
    return this.threads.length;
  }

  run(task: UnitTask): Promise<ChannelUnit> {
    if (this.failedStarts >= 3) return Promise.reject(new UnitThreadStopped('Không khởi động được luồng xử lý hồ sơ; hồ sơ được xử lý trong luồng chính.'));
    let thread = this.threads.reduce<UnitThread | undefined>((best, t) => (!best || t.pending.size < best.pending.size ? t : best), undefined);
    if (!thread || (thread.pending.size > 0 && this.threads.length < this.size)) {
      thread = new UnitThread((t, died) => this.gone(t, died), this.idleMs, this.heapLimitMb);
      this.threads.push(thread);
    }
    return thread.run(this.nextId++, task);
  }

  private gone(thread: UnitThread, died: boolean): void {
    this.threads = this.threads.filter((t) => t !== thread);
    if (died && thread.answered === 0) this.failedStarts++;
    else if (thread.answered > 0) this.failedStarts = 0;
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((t) => t.stop()));
  }
}

const pools = new Map<number, UnitWorkerPool>();

/** The process's pool of this size (threads are a process resource: imports share them). */
export function unitWorkerPool(size: number): UnitWorkerPool {
  let pool = pools.get(size);
  if (!pool) pools.set(size, (pool = new UnitWorkerPool(size)));
  return pool;
}

export interface ReadyUnitsOptions {
  /** Worker threads (0: every unit in the importing thread). */
  threads: number;
  /** Units read and dispatched ahead of the one the consumer waits for. */
  ahead: number;
  /**
   * The first units are made ready in the importing thread: a request of a few units never
   * waits for a thread to start.
   */
  inProcessFirst: number;
}

/**
 * Runs the tasks, in worker threads when `threads` > 0, and yields their units in input order.
 * Tasks keep being read and dispatched while the consumer is busy (up to `ahead` units), so the
 * threads work while the importing thread waits for the database. An error of the input is
 * thrown after every unit read before it has been yielded; a task whose thread ended before
 * answering is run here.
 */
export async function* readyUnits(tasks: AsyncIterable<UnitTask>, options: ReadyUnitsOptions): AsyncGenerator<ChannelUnit> {
  if (options.threads <= 0) {
    for await (const task of tasks) yield runUnitTask(task);
    return;
  }
  const pool = unitWorkerPool(options.threads);
  const ahead = Math.max(1, options.ahead);
  const queue: Promise<ChannelUnit>[] = [];
  const input = tasks[Symbol.asyncIterator]();
  let ended = false;
  let stopped = false;
  let inputError: { error: unknown } | undefined;
  let room: (() => void) | undefined;
  let arrived: (() => void) | undefined;
  const pump = async () => {
    let n = 0;
    try {
      for (;;) {
        while (queue.length >= ahead && !stopped) await new Promise<void>((r) => (room = r));
        if (stopped) break;
        const next = await input.next();
        if (next.done) break;
        const task = next.value;
        const unit = n++ < options.inProcessFirst
          ? Promise.resolve(task).then(runUnitTask)
          : pool.run(task).catch((err: unknown) => (err instanceof UnitThreadStopped ? runUnitTask(task) : Promise.reject(err)));
        unit.catch(() => undefined); // surfaced when its turn comes
        queue.push(unit);
        arrived?.();
      }
    } catch (error) {
      inputError = { error };
    } finally {
      ended = true;
      arrived?.();
    }
  };
  const pumping = pump();
  try {
    for (;;) {
      while (queue.length === 0 && !ended) await new Promise<void>((r) => (arrived = r));
      const head = queue.shift();
      if (!head) break;
      room?.();
      yield await head;
    }
    if (inputError) throw inputError.error;
  } finally {
    // The consumer is done (or stopped early): the input is closed once the pump lets go of it.
    stopped = true;
    room?.();
    void pumping.then(() => input.return?.()).catch(() => undefined);
  }
}
