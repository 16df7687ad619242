// Entry of a worker thread of unit-workers.ts: tasks in, channel units out, one at a time. Nothing
// is logged here (units hold personal data); an exception goes back to the importing thread.
import { parentPort } from 'node:worker_threads';
import { runUnitTask, type UnitTask } from './unit-tasks.ts';

const port = parentPort;
if (!port) throw new Error('unit-worker.ts runs only as a worker thread');
port.on('message', ({ id, task }: { id: number; task: UnitTask }) => {
  try {
    port.postMessage({ id, unit: runUnitTask(task) });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    port.postMessage({ id, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
