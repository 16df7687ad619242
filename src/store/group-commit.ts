// Group commit: concurrent units of work that each need one transaction are written together,
// several per transaction, by a `write` that turns N units into a few multi-row statements.
// Under load a single create then costs a fraction of a statement and of a commit instead of
// seven statements and a disk flush of its own; alone, a unit is written at once (no waiting).
// Every unit still resolves only after the commit that contains it: nothing is acknowledged
// that a crash could lose.
import type { Database, Queryable } from './database.ts';

export interface GroupCommit<T> {
  /** Resolves once the unit is committed; rejects with the unit's own error if it cannot be. */
  submit(unit: T): Promise<void>;
}

export interface GroupCommitOptions {
  /** Most units in one transaction. */
  maxBatch?: number;
  /** Transactions in flight at once; units arriving meanwhile wait for the next one. */
  maxInFlight?: number;
}

interface Pending<T> {
  unit: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit<T>(
  db: Pick<Database, 'transaction'>,
  write: (tx: Queryable, units: T[]) => Promise<void>,
  options: GroupCommitOptions = {},
): GroupCommit<T> {
  const maxBatch = options.maxBatch ?? 200;
  const maxInFlight = options.maxInFlight ?? 2;
  let queue: Pending<T>[] = [];
  let inFlight = 0;
  let scheduled = false;

  const commit = (batch: Pending<T>[]) => db.transaction((tx) => write(tx, batch.map((p) => p.unit)));

  async function run(batch: Pending<T>[]): Promise<void> {
    try {
      await commit(batch);
      for (const p of batch) p.resolve();
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // One bad unit must not fail the others: each is retried in a transaction of its own.
      await Promise.all(
        batch.map((p) =>
          commit([p]).then(
            () => p.resolve(),
            (e: unknown) => p.reject(e),
          ),
        ),
      );
    }
  }

  function flush(): void {
    scheduled = false;
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      void run(batch).finally(() => {
        inFlight--;
        flush();
      });
    }
  }

  return {
    submit(unit) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ unit, resolve, reject });
        // Units submitted in the same turn of the event loop share a transaction.
        if (!scheduled && inFlight < maxInFlight) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
