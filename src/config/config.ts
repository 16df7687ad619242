// The one place that reads process.env. Everything else receives a typed Config.
import os from 'node:os';
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
  /** `shared_buffers` of the embedded PostgreSQL, in MiB (default: a quarter of the memory, 128–8192). */
  embeddedPgSharedBuffersMb: number;
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
  /** Addresses of reverse proxies whose X-Forwarded-For is believed (empty: none). */
  trustProxy: string[];
  /** `hub`: the national hub receiving pushes from provinces; `province` (default) otherwise. */
  mode: 'province' | 'hub';
  /** National synchronisation (docs/sync.md); no worker runs without a target. */
  sync: {
    target: string | undefined;
    clientId: string | undefined;
    clientSecret: string | undefined;
    batchSize: number;
  };
  /**
   * The national health-book channel (QĐ 1551, docs/sync.md); undefined without an endpoint.
   * The key file is read when the scheduler starts.
   */
  healthBook: {
    url: string;
    username: string;
    password: string;
    facilityId: string;
    keyFile: string;
    intervalMinutes: number;
  } | undefined;
  /** Hours a finished $export job and its files are kept (docs/sync.md). */
  exportRetentionHours: number;
  /**
   * Where the corroborated population rule of identity matching applies (docs/identity.md,
   * rule 5): `auto` in communes whose household list has been imported, `on` everywhere, `off` nowhere.
   */
  identityPopulationRule: 'auto' | 'on' | 'off';
  /**
   * Worker threads that adapt and validate the units of an XML or CDA import while the importing
   * thread writes (0: none, all in one thread).
   */
  ingestThreads: number;
  auth: {
    accessTokenSeconds: number;
    sessionIdleSeconds: number;
    sessionMaxSeconds: number;
    lockoutThreshold: number;
    lockoutSeconds: number;
    signingKeyRotationDays: number;
    smsAdapter: 'log' | 'http';
    smsGatewayUrl: string | undefined;
    smsGatewayToken: string | undefined;
  };
  /** Web Push for reminders (docs/programs.md). */
  push: {
    /** A configured VAPID key pair (base64url); both absent: the pair stored in the database. */
    vapidPublicKey: string | undefined;
    vapidPrivateKey: string | undefined;
    /** Contact the push services may use (mailto: or https:); absent: derived from the base URL. */
    vapidSubject: string | undefined;
    /** Hosts (and their subdomains) a subscription endpoint may point to; `*`: any https host. */
    serviceHosts: string[] | '*';
  };
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
  ['HSSK_DATA_DIR', './.hssk', 'where the embedded PostgreSQL keeps its data, and the audit spool of reads (audit-spool/)'],
  ['HSSK_PG_PORT', '0 (a free port)', 'port of the embedded PostgreSQL'],
  ['HSSK_PG_SHARED_BUFFERS_MB', 'a quarter of the memory (128–8192)', 'PostgreSQL’s own page cache (`shared_buffers`) of the embedded PostgreSQL, in MiB; an external server is configured on its own'],
  ['HSSK_DEMO', 'on', '`off` disables loading the demo province on the embedded database’s first run'],
  ['HSSK_PROVINCE', '68', 'the deployment’s province code (2025 list; 68 = Lâm Đồng)'],
  ['HSSK_BASE_URL', 'http://localhost:PORT', 'public base URL used in FHIR links'],
  ['LOG_LEVEL', 'info', 'fatal, error, warn, info, debug, trace or silent'],
  ['HSSK_DB_POOL', '20', 'PostgreSQL connections per process'],
  ['HSSK_INGEST_THREADS', 'CPU cores − 1 (at most 8)', 'worker threads that adapt and validate the episodes and documents of an XML or CDA import while the database writes; 0: all in the importing thread'],
  ['HSSK_STATEMENT_TIMEOUT_MS', '30000', 'longest a single query may run before it is cancelled'],
  ['HSSK_BODY_LIMIT', '52428800', 'largest accepted request body in bytes (50 MiB)'],
  ['HSSK_TRUST_PROXY', '(none)', 'comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For is trusted'],
  ['HSSK_ACCESS_TOKEN_SECONDS', '300', 'lifetime of OAuth2 access tokens'],
  ['HSSK_SESSION_IDLE_SECONDS', '1800', 'portal session idle timeout'],
  ['HSSK_SESSION_MAX_SECONDS', '43200', 'portal session absolute lifetime'],
  ['HSSK_LOCKOUT_THRESHOLD', '5', 'failed sign-ins before an account is locked'],
  ['HSSK_LOCKOUT_SECONDS', '900', 'length of a lockout'],
  ['HSSK_SIGNING_KEY_ROTATION_DAYS', '30', 'age at which the token signing key is replaced (0: never)'],
  ['HSSK_SMS_ADAPTER', 'log', '`log` (messages kept in the SMS outbox for administrators) or `http` (a real gateway)'],
  ['HSSK_SMS_GATEWAY_URL', '', 'SMS gateway endpoint (http adapter): POST {to, message}'],
  ['HSSK_SMS_GATEWAY_TOKEN', '', 'bearer token of the SMS gateway (http adapter)'],
  ['HSSK_VAPID_PUBLIC_KEY', '(stored)', 'VAPID public key (base64url) for web push; without it (and the private key) a pair generated on first start is kept in the database'],
  ['HSSK_VAPID_PRIVATE_KEY', '(stored)', 'VAPID private key (base64url), set together with the public key'],
  ['HSSK_VAPID_SUBJECT', 'HSSK_BASE_URL if https, else mailto:hssk@localhost', 'contact (mailto: or https: URL) sent to the push services with every web push'],
  ['HSSK_PUSH_SERVICE_HOSTS', 'the browsers’ push services', 'comma-separated hosts (subdomains included) that push subscriptions may point to; `*` allows any https host'],
  ['HSSK_MODE', 'province', '`hub` makes this instance the national hub that provinces push to'],
  ['HSSK_SYNC_TARGET', '', 'FHIR base URL of the receiver of the sync push (e.g. the hub); empty: no push'],
  ['HSSK_SYNC_CLIENT_ID', '', 'OAuth2 client registered on the receiver'],
  ['HSSK_SYNC_CLIENT_SECRET', '', 'secret of that client'],
  ['HSSK_SYNC_BATCH', '200', 'resources per pushed transaction Bundle'],
  ['HSSK_HEALTHBOOK_URL', '', "base URL of the Ministry's data-sync API for the health book (QĐ 1551), e.g. `https://api-sandbox.emrhub.vn`; empty: channel off"],
  ['HSSK_HEALTHBOOK_USER', '', "the facility's data-exchange account on that API"],
  ['HSSK_HEALTHBOOK_PASSWORD', '', 'password of that account'],
  ['HSSK_HEALTHBOOK_FACILITY_ID', '', "the facility's 13-digit ID on the Cổng dữ liệu sức khỏe"],
  ['HSSK_HEALTHBOOK_KEY_FILE', '', "PEM file of the facility's RSA private key that signs every push"],
  ['HSSK_HEALTHBOOK_INTERVAL_MINUTES', '15', 'how often health checks not yet pushed are looked for (1–720; the limit is 24 hours)'],
  ['HSSK_EXPORT_RETENTION_HOURS', '24', 'hours a finished `$export` job and its NDJSON files are kept before they are deleted'],
  ['HSSK_IDENTITY_POPULATION_RULE', 'auto', 'where identity matching links a sole, corroborated namesake candidate (docs/identity.md, rule 5): `auto` for records stating a commune whose household list has been imported, `on` for every record, `off` never'],
] as const;

/**
 * The embedded PostgreSQL's page cache: a quarter of the memory (PostgreSQL's own advice), at
 * least 128 MiB and at most 8 GiB. A 1,000,000-resident household import ran 16 % faster with
 * 6 GiB than with 512 MiB (docs/benchmarks.md): its indexes outgrow a small cache, and every
 * index entry then fetches and writes back pages through the kernel.
 */
export function defaultSharedBuffersMb(memoryBytes: number = usableMemoryBytes()): number {
  return Math.min(8192, Math.max(128, Math.floor(memoryBytes / 4 / 2 ** 20)));
}

/** The machine's memory, or the container's limit when it has a lower one (cgroups). */
function usableMemoryBytes(): number {
  const limit = process.constrainedMemory();
  return limit > 0 ? Math.min(limit, os.totalmem()) : os.totalmem();
}

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

/** The push services of Chrome/Edge/Android (FCM), Firefox, Windows and Safari. */
export const DEFAULT_PUSH_SERVICE_HOSTS = ['fcm.googleapis.com', 'push.services.mozilla.com', 'notify.windows.com', 'push.apple.com'];

function pushSettings(env: Env, problems: string[]): Config['push'] {
  const vapidPublicKey = env.HSSK_VAPID_PUBLIC_KEY?.trim() || undefined;
  const vapidPrivateKey = env.HSSK_VAPID_PRIVATE_KEY?.trim() || undefined;
  if (Boolean(vapidPublicKey) !== Boolean(vapidPrivateKey)) {
    problems.push('HSSK_VAPID_PUBLIC_KEY và HSSK_VAPID_PRIVATE_KEY phải được đặt cùng nhau (set both or neither)');
  }
  // An uncompressed P-256 point is 65 bytes, a private scalar 32 (RFC 8292 §3.2).
  if (vapidPublicKey && (!/^[A-Za-z0-9_-]+$/.test(vapidPublicKey) || Buffer.from(vapidPublicKey, 'base64url').length !== 65)) {
    problems.push('HSSK_VAPID_PUBLIC_KEY phải là khóa công khai P-256 65 byte mã hóa base64url (must be a 65-byte base64url P-256 public key)');
  }
  if (vapidPrivateKey && (!/^[A-Za-z0-9_-]+$/.test(vapidPrivateKey) || Buffer.from(vapidPrivateKey, 'base64url').length !== 32)) {
    problems.push('HSSK_VAPID_PRIVATE_KEY phải là khóa bí mật P-256 32 byte mã hóa base64url (must be a 32-byte base64url P-256 private key)');
  }
  const vapidSubject = env.HSSK_VAPID_SUBJECT?.trim() || undefined;
  if (vapidSubject && !/^(mailto:\S+@\S+|https:\/\/\S+)$/.test(vapidSubject)) {
    problems.push(`HSSK_VAPID_SUBJECT="${vapidSubject}" phải là địa chỉ mailto: hoặc URL https: (must be a mailto: address or an https: URL)`);
  }
  const hostsRaw = env.HSSK_PUSH_SERVICE_HOSTS?.trim();
  let serviceHosts: string[] | '*' = DEFAULT_PUSH_SERVICE_HOSTS;
  if (hostsRaw === '*') serviceHosts = '*';
  else if (hostsRaw) {
    serviceHosts = hostsRaw.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
    const bad = serviceHosts.filter((h) => !/^[a-z0-9.-]+$/.test(h));
    if (bad.length > 0) problems.push(`HSSK_PUSH_SERVICE_HOSTS: "${bad.join(', ')}" không phải tên máy chủ (not host names)`);
  }
  return { vapidPublicKey, vapidPrivateKey, vapidSubject, serviceHosts };
}

function healthBookSettings(env: Env, cwd: string, problems: string[]): Config['healthBook'] {
  const url = env.HSSK_HEALTHBOOK_URL?.trim().replace(/\/+$/, '') || undefined;
  const intervalMinutes = intVar(env, 'HSSK_HEALTHBOOK_INTERVAL_MINUTES', 15, 1, 720, problems);
  if (!url) return undefined;
  if (!/^https?:\/\/\S+$/.test(url)) problems.push(`HSSK_HEALTHBOOK_URL="${url}" phải là một URL http(s)`);
  const username = env.HSSK_HEALTHBOOK_USER?.trim() ?? '';
  const password = env.HSSK_HEALTHBOOK_PASSWORD ?? '';
  const facilityId = env.HSSK_HEALTHBOOK_FACILITY_ID?.trim() ?? '';
  const keyFile = env.HSSK_HEALTHBOOK_KEY_FILE?.trim() ?? '';
  if (!username || !password) problems.push('HSSK_HEALTHBOOK_USER và HSSK_HEALTHBOOK_PASSWORD là bắt buộc khi có HSSK_HEALTHBOOK_URL (required with the health-book endpoint)');
  if (!/^\d{13}$/.test(facilityId)) problems.push(`HSSK_HEALTHBOOK_FACILITY_ID="${facilityId}" phải gồm 13 chữ số (13 digits)`);
  if (!keyFile) problems.push('HSSK_HEALTHBOOK_KEY_FILE là bắt buộc khi có HSSK_HEALTHBOOK_URL (the facility key signs every push)');
  return { url, username, password, facilityId, keyFile: path.resolve(cwd, keyFile), intervalMinutes };
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const problems: string[] = [];
  const port = intVar(env, 'PORT', 8080, 0, 65535, problems);
  const embeddedPgPort = intVar(env, 'HSSK_PG_PORT', 0, 0, 65535, problems);
  const embeddedPgSharedBuffersMb = intVar(env, 'HSSK_PG_SHARED_BUFFERS_MB', defaultSharedBuffersMb(), 16, 1024 * 1024, problems);
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

  const accessTokenSeconds = intVar(env, 'HSSK_ACCESS_TOKEN_SECONDS', 300, 30, 86_400, problems);
  const sessionIdleSeconds = intVar(env, 'HSSK_SESSION_IDLE_SECONDS', 1800, 60, 86_400, problems);
  const sessionMaxSeconds = intVar(env, 'HSSK_SESSION_MAX_SECONDS', 43_200, 60, 30 * 86_400, problems);
  const lockoutThreshold = intVar(env, 'HSSK_LOCKOUT_THRESHOLD', 5, 1, 100, problems);
  const lockoutSeconds = intVar(env, 'HSSK_LOCKOUT_SECONDS', 900, 1, 86_400, problems);
  const signingKeyRotationDays = intVar(env, 'HSSK_SIGNING_KEY_ROTATION_DAYS', 30, 0, 3650, problems);
  const smsAdapter = (env.HSSK_SMS_ADAPTER?.trim() || 'log') as 'log' | 'http';
  if (smsAdapter !== 'log' && smsAdapter !== 'http') {
    problems.push(`HSSK_SMS_ADAPTER="${env.HSSK_SMS_ADAPTER}" phải là log hoặc http`);
  }
  const smsGatewayUrl = env.HSSK_SMS_GATEWAY_URL?.trim() || undefined;
  if (smsAdapter === 'http' && !smsGatewayUrl) {
    problems.push('HSSK_SMS_GATEWAY_URL là bắt buộc khi HSSK_SMS_ADAPTER=http (required with the http SMS adapter)');
  }
  if (smsGatewayUrl && !/^https?:\/\/\S+$/.test(smsGatewayUrl)) {
    problems.push(`HSSK_SMS_GATEWAY_URL="${smsGatewayUrl}" phải là một URL http(s)`);
  }
  const mode = (env.HSSK_MODE?.trim().toLowerCase() || 'province') as 'province' | 'hub';
  if (mode !== 'province' && mode !== 'hub') problems.push(`HSSK_MODE="${env.HSSK_MODE}" phải là province hoặc hub`);
  const syncTarget = env.HSSK_SYNC_TARGET?.trim().replace(/\/+$/, '') || undefined;
  if (syncTarget && !/^https?:\/\/\S+$/.test(syncTarget)) problems.push(`HSSK_SYNC_TARGET="${syncTarget}" phải là một URL http(s)`);
  const syncClientId = env.HSSK_SYNC_CLIENT_ID?.trim() || undefined;
  const syncClientSecret = env.HSSK_SYNC_CLIENT_SECRET?.trim() || undefined;
  if (syncTarget && (!syncClientId || !syncClientSecret)) {
    problems.push('HSSK_SYNC_CLIENT_ID và HSSK_SYNC_CLIENT_SECRET là bắt buộc khi có HSSK_SYNC_TARGET (required with a sync target)');
  }
  const syncBatchSize = intVar(env, 'HSSK_SYNC_BATCH', 200, 1, 10_000, problems);
  const healthBook = healthBookSettings(env, cwd, problems);
  const exportRetentionHours = intVar(env, 'HSSK_EXPORT_RETENTION_HOURS', 24, 1, 8760, problems);
  const ingestThreads = intVar(env, 'HSSK_INGEST_THREADS', Math.min(8, os.availableParallelism() - 1), 0, 64, problems);
  const push = pushSettings(env, problems);
  const populationRuleRaw = env.HSSK_IDENTITY_POPULATION_RULE?.trim().toLowerCase() || 'auto';
  if (populationRuleRaw !== 'auto' && populationRuleRaw !== 'on' && populationRuleRaw !== 'off') {
    problems.push(`HSSK_IDENTITY_POPULATION_RULE="${env.HSSK_IDENTITY_POPULATION_RULE}" phải là auto, on hoặc off (must be auto, on or off)`);
  }
  const identityPopulationRule = populationRuleRaw as Config['identityPopulationRule'];
  const trustProxy = (env.HSSK_TRUST_PROXY ?? '').split(',').map((s) => s.trim()).filter(Boolean);

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    port,
    host: env.HOST?.trim() || '0.0.0.0',
    databaseUrl,
    dataDir: path.resolve(cwd, env.HSSK_DATA_DIR?.trim() || '.hssk'),
    embeddedPgPort,
    embeddedPgSharedBuffersMb,
    demo,
    province,
    baseUrl: baseUrlRaw?.replace(/\/+$/, ''),
    logLevel,
    dbPoolSize,
    statementTimeoutMs,
    bodyLimit,
    trustProxy,
    mode,
    sync: { target: syncTarget, clientId: syncClientId, clientSecret: syncClientSecret, batchSize: syncBatchSize },
    healthBook,
    exportRetentionHours,
    identityPopulationRule,
    ingestThreads,
    auth: {
      accessTokenSeconds,
      sessionIdleSeconds,
      sessionMaxSeconds,
      lockoutThreshold,
      lockoutSeconds,
      signingKeyRotationDays,
      smsAdapter,
      smsGatewayUrl,
      smsGatewayToken: env.HSSK_SMS_GATEWAY_TOKEN?.trim() || undefined,
    },
    push,
  };
}
