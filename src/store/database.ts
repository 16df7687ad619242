// The connection to PostgreSQL: embedded (default) or external (DATABASE_URL), with
// transactions that retry on serialization failures and deadlocks.
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Config } from '../config/config.ts';
import { startEmbeddedPostgres, type EmbeddedCluster } from './embedded-postgres.ts';
import { migrate } from './migrations.ts';

// BIGINT (int8) and NUMERIC are returned as strings by default; counts and ids here fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export type Queryable = pg.Pool | pg.PoolClient;

const statementNames = new Map<string, string>();
const MAX_NAMED_STATEMENTS = 500;

/**
 * A query that each connection parses and plans once, then re-executes (a named prepared
 * statement): half the PostgreSQL CPU of a read by id. Only for lookups by key, whose generic
 * plan is as good as a custom one — never for searches, where a plan made without the values
 * (a `LIKE $1` prefix, a skewed code) can be far worse. The name is derived from the text, so
 * every connection and every variant (e.g. each access condition) gets its own statement.
 */
export function preparedQuery(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    if (statementNames.size >= MAX_NAMED_STATEMENTS) return { text, values };
    name = `hssk_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

export interface Database {
  pool: pg.Pool;
  /** True when this process started an embedded PostgreSQL on its first run with an empty data dir. */
  embedded: boolean;
  /** Runs `fn` in one transaction; retried (whole) on serialization failure or deadlock. */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * A one-connection pool, to the same database, whose commits do not wait for the disk flush
   * (`synchronous_commit = off`): for the read-audit batches only (docs/security.md, "Audit").
   * Opened on first use, closed with the database.
   */
  asyncCommitPool(): pg.Pool;
  close(): Promise<void>;
}

export interface TransactionOptions {
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
  retries?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);

export function createDatabase(pool: pg.Pool, embedded: boolean, onClose: () => Promise<void>): Database {
  let asyncPool: pg.Pool | undefined;
  return {
    pool,
    embedded,
    asyncCommitPool() {
      if (!asyncPool) {
        // pg-pool keeps the options it was made with: the same server, user and timeouts.
        const base = (pool as unknown as { options: pg.PoolConfig }).options;
        asyncPool = new pg.Pool({ ...base, max: 1, options: '-c synchronous_commit=off' });
        asyncPool.on('error', () => undefined); // an idle client's lost connection; the next query reconnects
      }
      return asyncPool;
    },
    async transaction(fn, options = {}) {
      const retries = options.retries ?? 5;
      for (let attempt = 0; ; attempt++) {
        const client = await pool.connect();
        try {
          await client.query(options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : 'BEGIN');
          const result = await fn(client);
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          const code = (err as { code?: string }).code;
          if (code && RETRYABLE.has(code) && attempt < retries) {
            await new Promise((r) => setTimeout(r, 5 * 2 ** attempt + Math.random() * 10));
            continue;
          }
          throw err;
        } finally {
          client.release();
        }
      }
    },
    async close() {
      await asyncPool?.end();
      await pool.end();
      await onClose();
    },
  };
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** Override the pool size of the configuration. */
  poolSize?: number;
  /** Cancel any single statement running longer than this (default: the configuration's). 0 = none. */
  statementTimeoutMs?: number;
  onLog?: (line: string) => void;
}

/** Opens the configured database, starting the embedded PostgreSQL when there is no DATABASE_URL. */
export async function openDatabase(config: Config, options: OpenOptions = {}): Promise<Database> {
  let cluster: EmbeddedCluster | undefined;
  let url = config.databaseUrl;
  if (!url) {
    cluster = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPgPort,
      sharedBuffersMb: config.embeddedPgSharedBuffersMb,
      database: 'hssk',
      onLog: options.onLog,
    });
    url = cluster.url;
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? config.dbPoolSize,
    application_name: `hssk:${process.pid}`,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs ?? config.statementTimeoutMs,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => options.onLog?.(`idle PostgreSQL client error: ${err.message}`));
  const db = createDatabase(pool, cluster !== undefined, async () => {
    await cluster?.release();
  });
  try {
    if (options.migrate !== false) await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return db;
}
