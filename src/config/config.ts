// The one place that reads process.env. Everything else receives a typed Config.
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  /** HTTP port of `hssk serve`. */
  port: number;
  /** Address the HTTP server binds to. */
  host: string;
  /** External PostgreSQL; when absent, an embedded PostgreSQL runs in `dataDir`. */
  databaseUrl: string | undefined;
  /** Directory of the embedded PostgreSQL and other local state. */
  dataDir: string;
  /** Port of the embedded PostgreSQL (0: pick a free one). */
  embeddedPgPort: number;
  /** Load the demo province on the embedded database's first run. */
  demo: boolean;
  /** The deployment's province (2025 code). */
  province: string;
  /** Public base URL, used in FHIR links (Bundle.link, Location headers). */
  baseUrl: string | undefined;
  logLevel: LogLevel;
  /** Size of the PostgreSQL connection pool of one process. */
  dbPoolSize: number;
  /** Statement timeout for queries served over HTTP, in milliseconds. */
  statementTimeoutMs: number;
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Cấu hình không hợp lệ (invalid configuration):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Every variable HSSK reads, with its meaning: the README's configuration table comes from here. */
export const CONFIG_VARIABLES = [
  ['PORT', '8080', 'HTTP port of the server'],
  ['HOST', '0.0.0.0', 'address the server listens on'],
  ['DATABASE_URL', '(embedded)', 'PostgreSQL connection string; without it an embedded PostgreSQL runs in HSSK_DATA_DIR'],
  ['HSSK_DATA_DIR', './.hssk', 'where the embedded PostgreSQL keeps its data'],
  ['HSSK_PG_PORT', '0 (a free port)', 'port of the embedded PostgreSQL'],
  ['HSSK_DEMO', 'on', '`off` disables loading the demo province on the embedded database’s first run'],
  ['HSSK_PROVINCE', '68', 'the deployment’s province code (2025 list; 68 = Lâm Đồng)'],
  ['HSSK_BASE_URL', 'http://localhost:PORT', 'public base URL used in FHIR links'],
  ['LOG_LEVEL', 'info', 'fatal, error, warn, info, debug, trace or silent'],
  ['HSSK_DB_POOL', '20', 'PostgreSQL connections per process'],
  ['HSSK_STATEMENT_TIMEOUT_MS', '30000', 'longest a single query may run before it is cancelled'],
  ['HSSK_BODY_LIMIT', '52428800', 'largest accepted request body in bytes (50 MiB)'],
] as const;

function intVar(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${name}="${raw}" phải là số nguyên (must be an integer)`);
    return fallback;
  }
  const value = Number(raw);
  if (value < min || value > max) {
    problems.push(`${name}=${value} phải nằm trong khoảng ${min}–${max} (must be between ${min} and ${max})`);
  }
  return value;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const port = intVar(env, 'PORT', 8080, 0, 65535, problems);
  const embeddedPgPort = intVar(env, 'HSSK_PG_PORT', 0, 0, 65535, problems);
  const dbPoolSize = intVar(env, 'HSSK_DB_POOL', 20, 1, 500, problems);
  const statementTimeoutMs = intVar(env, 'HSSK_STATEMENT_TIMEOUT_MS', 30_000, 100, 3_600_000, problems);
  const bodyLimit = intVar(env, 'HSSK_BODY_LIMIT', 50 * 1024 * 1024, 1024, 2 * 1024 * 1024 * 1024, problems);

  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL phải bắt đầu bằng postgres:// hoặc postgresql:// (must be a PostgreSQL URL)');
  }

  const demoRaw = (env.HSSK_DEMO ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0'].includes(demoRaw)) {
    problems.push(`HSSK_DEMO="${env.HSSK_DEMO}" phải là on hoặc off (must be on or off)`);
  }
  const demo = ['on', 'true', '1'].includes(demoRaw);

  const province = env.HSSK_PROVINCE?.trim() || '68';
  if (!/^\d{2}$/.test(province)) {
    problems.push(`HSSK_PROVINCE="${province}" phải là mã tỉnh 2 chữ số (must be a 2-digit province code)`);
  }

  const logLevel = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL="${env.LOG_LEVEL}" phải là một trong ${LOG_LEVELS.join(', ')}`);
  }

  const baseUrlRaw = env.HSSK_BASE_URL?.trim() || undefined;
  if (baseUrlRaw !== undefined && !/^https?:\/\/[^\s]+$/.test(baseUrlRaw)) {
    problems.push(`HSSK_BASE_URL="${baseUrlRaw}" phải là một URL http(s) (must be an http(s) URL)`);
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    databaseUrl,
    dataDir: path.resolve(cwd, env.HSSK_DATA_DIR?.trim() || '.hssk'),
    embeddedPgPort,
    demo,
    province,
    baseUrl: baseUrlRaw?.replace(/\/+$/, ''),
    logLevel,
    dbPoolSize,
    statementTimeoutMs,
    bodyLimit,
  };
}
