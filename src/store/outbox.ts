// The sync outbox (MISSION B9): rows are written by the resource writer in the same statement as
// the resource versions (resource-writer.ts); this module reads, clears, dead-letters and replays
// them. Rows hold keys only (type, id, version); the pushed content is the resource's current row.
import type { Queryable } from './database.ts';

export interface OutboxItem {
  seq: number;
  rid: number;
  resourceType: string;
  id: string;
  versionId: number;
  compartment: string | null;
  queuedAt: Date;
  /** The resource's current state (null content when deleted or gone). */
  deleted: boolean;
  content: string | null;
}

export interface DeadLetter {
  seq: number;
  resourceType: string;
  id: string;
  versionId: number;
  compartment: string | null;
  queuedAt: Date;
  failedAt: Date;
  status: number | null;
  error: string;
}

interface OutboxRow {
  seq: string;
  rid: string;
  resource_type: string;
  id: string;
  version_id: number;
  compartment: string | null;
  queued_at: Date;
  deleted: boolean | null;
  content: string | null;
}

/** The oldest `limit` queued changes, with the current state of their resources, in queue order. */
export async function readOutbox(db: Queryable, limit: number): Promise<OutboxItem[]> {
  const { rows } = await db.query<OutboxRow>(
    `SELECT o.seq, o.rid, o.resource_type, o.id, o.version_id, o.compartment, o.queued_at, r.deleted, r.content
       FROM sync_outbox o LEFT JOIN resource r ON r.rid = o.rid
      ORDER BY o.seq LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    seq: Number(r.seq),
    rid: Number(r.rid),
    resourceType: r.resource_type,
    id: r.id,
    versionId: r.version_id,
    compartment: r.compartment,
    queuedAt: r.queued_at,
    deleted: r.deleted ?? true,
    content: r.deleted ? null : r.content,
  }));
}

/** Removes pushed changes. */
export async function clearOutbox(db: Queryable, seqs: number[]): Promise<void> {
  if (seqs.length === 0) return;
  await db.query('DELETE FROM sync_outbox WHERE seq = ANY($1::bigint[])', [seqs]);
}

/** Moves refused changes to the dead-letter list (same statement: never in both, never in neither). */
export async function deadLetter(db: Queryable, seqs: number[], status: number | null, error: string): Promise<void> {
  if (seqs.length === 0) return;
  await db.query(
    `WITH d AS (DELETE FROM sync_outbox WHERE seq = ANY($1::bigint[]) RETURNING *)
     INSERT INTO sync_dead_letter (seq, rid, resource_type, id, version_id, compartment, queued_at, status, error)
     SELECT seq, rid, resource_type, id, version_id, compartment, queued_at, $2, $3 FROM d
     ON CONFLICT (seq) DO UPDATE SET failed_at = now(), status = EXCLUDED.status, error = EXCLUDED.error`,
    [seqs, status, error.slice(0, 2000)],
  );
}

export async function listDeadLetters(db: Queryable, limit = 100): Promise<DeadLetter[]> {
  const { rows } = await db.query<{
    seq: string; resource_type: string; id: string; version_id: number; compartment: string | null;
    queued_at: Date; failed_at: Date; status: number | null; error: string;
  }>('SELECT seq, resource_type, id, version_id, compartment, queued_at, failed_at, status, error FROM sync_dead_letter ORDER BY seq LIMIT $1', [limit]);
  return rows.map((r) => ({
    seq: Number(r.seq), resourceType: r.resource_type, id: r.id, versionId: r.version_id, compartment: r.compartment,
    queuedAt: r.queued_at, failedAt: r.failed_at, status: r.status, error: r.error,
  }));
}

/**
 * Puts dead letters back in the outbox (all, or the given ones). They are queued again at the
 * end: the worker pushes the resource's current state, so the order of an old change is moot.
 */
export async function replayDeadLetters(db: Queryable, seqs?: number[]): Promise<number> {
  const { rowCount } = await db.query(
    `WITH d AS (DELETE FROM sync_dead_letter WHERE $1::bigint[] IS NULL OR seq = ANY($1::bigint[]) RETURNING *)
     INSERT INTO sync_outbox (rid, resource_type, id, version_id, compartment, queued_at)
     SELECT rid, resource_type, id, version_id, compartment, queued_at FROM d ORDER BY seq`,
    [seqs ?? null],
  );
  return rowCount ?? 0;
}

export interface OutboxStats {
  depth: number;
  oldestQueuedAt: Date | null;
  deadLetters: number;
}

export async function outboxStats(db: Queryable): Promise<OutboxStats> {
  const { rows } = await db.query<{ depth: string; oldest: Date | null; dead: string }>(
    `SELECT (SELECT count(*) FROM sync_outbox) AS depth,
            (SELECT queued_at FROM sync_outbox ORDER BY seq LIMIT 1) AS oldest,
            (SELECT count(*) FROM sync_dead_letter) AS dead`,
  );
  const r = rows[0]!;
  return { depth: Number(r.depth), oldestQueuedAt: r.oldest, deadLetters: Number(r.dead) };
}

export async function readSyncState<T>(db: Queryable, key: string): Promise<T | undefined> {
  const { rows } = await db.query<{ value: T }>('SELECT value FROM sync_state WHERE key = $1', [key]);
  return rows[0]?.value;
}

export async function writeSyncState(db: Queryable, key: string, value: unknown): Promise<void> {
  await db.query(
    'INSERT INTO sync_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value',
    [key, JSON.stringify(value)],
  );
}
