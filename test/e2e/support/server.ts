// A real HSSK server for the browser tests: a fresh test database, the app with the web plugin
// (registered here until src/http/app.ts registers it), listening on a free loopback port; the
// web app built into a temporary directory; staff users created, data loaded through the APIs.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { build } from 'vite';
import { createStaffUser } from '../../../src/auth/staff-users.ts';
import { totpCode } from '../../../src/auth/totp.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { buildDemoBundle } from '../../../src/demo/demo-bundle.ts';
import { loadDemoIfFirstRun } from '../../../src/demo/demo.ts';
import { buildApp, systemFhirWriter } from '../../../src/http/app.ts';
import { webRoutes } from '../../../src/http/plugins/web.ts';
import { createLogger } from '../../../src/logging.ts';
import { readOutbox } from '../../../src/sms/outbox.ts';
import type { Database } from '../../../src/store/database.ts';
import { createTestDatabase } from '../../support/db.ts';

export const PASSWORD = 'Mat-khau-thu-nghiem-2026';
export const DEMO_COMMUNE = '24820';

export interface E2eServer {
  app: FastifyInstance;
  db: Database;
  baseUrl: string;
  adminTotpSecret: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const DIST = path.resolve('web/dist');
const STAMP = path.resolve('node_modules/.cache/hssk-web-build-stamp');
const LOCK = path.resolve('node_modules/.cache/hssk-web-build.lock');

function sourceStamp(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name === 'dist' || e.name === 'node_modules') continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else hash.update(full).update(fs.readFileSync(full));
    }
  };
  walk(path.resolve('web'));
  return hash.digest('hex');
}

/**
 * Makes web/dist match the sources (the app serves web/dist): rebuilt when web/ changed since
 * the last build, under a lock so that concurrent test files build once.
 */
export async function buildWeb(): Promise<string> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (let waited = 0; ; waited += 200) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      if (waited > 120_000 || Date.now() - fs.statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 120_000) fs.rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const stamp = sourceStamp();
    const built = fs.existsSync(STAMP) ? fs.readFileSync(STAMP, 'utf8') : '';
    if (built !== stamp || !fs.existsSync(path.join(DIST, 'index.html'))) {
      await build({ configFile: path.resolve('web/vite.config.ts'), logLevel: 'warn' });
      fs.writeFileSync(STAMP, stamp);
    }
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
  return DIST;
}

/** `env`: extra configuration (e.g. a sync target), as the environment would give it. */
export async function startServer(distDir: string, env: Record<string, string> = {}): Promise<E2eServer> {
  const db = await createTestDatabase();
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({ HSSK_BASE_URL: baseUrl, PORT: String(port), LOG_LEVEL: 'silent', ...env });
  const app = await buildApp({ config, db, logger: createLogger('silent') });
  // Until src/http/app.ts registers the web plugin, register it here.
  if (!app.hasRoute({ method: 'GET', url: '/' })) await app.register(webRoutes, { distDir });
  await app.listen({ port, host: '127.0.0.1' });

  const fhir = systemFhirWriter(db);
  const admin = await createStaffUser(db.pool, { username: 'admin.so', displayName: 'Lê Quản Trị', role: 'admin', password: PASSWORD }, fhir);
  await createStaffUser(db.pool, { username: 'yte.ductrong', displayName: 'Phạm Thị Hoa', role: 'commune-worker', communeCode: DEMO_COMMUNE, facilityCode: '68120', password: PASSWORD }, fhir);
  await createStaffUser(db.pool, { username: 'bs.benhvien', displayName: 'Đỗ Minh Tâm', role: 'clinician', facilityCode: '68001', password: PASSWORD }, fhir);
  const adminTotpSecret = new URL(admin.totpUri!).searchParams.get('secret')!;

  return {
    app,
    db,
    baseUrl,
    adminTotpSecret,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** The date `n` days before today in Vietnam (yyyy-mm-dd). */
export function daysAgo(n: number): string {
  return new Date(Date.now() + 7 * 3600_000 - n * 86_400_000).toISOString().slice(0, 10);
}

export interface DemoServer {
  app: FastifyInstance;
  db: Database;
  baseUrl: string;
  /** The demo commune health worker `demo.xa` (src/demo/demo.ts) and its generated password. */
  workerPassword: string;
  demoLoadMs: number;
  close(): Promise<void>;
}

/**
 * The demo province exactly as `npm start` builds it on an empty database's first run
 * (households, XML 130 episodes, the demo family, the demo accounts, the programme refresh),
 * served with the web app.
 */
export async function startDemoServer(distDir: string): Promise<DemoServer> {
  const db = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-e2e-demo-'));
  const started = performance.now();
  const demo = await loadDemoIfFirstRun(db, loadConfig({ HSSK_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), systemFhirWriter(db), () => undefined);
  const demoLoadMs = Math.round(performance.now() - started);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const app = await buildApp({ config: loadConfig({ HSSK_BASE_URL: baseUrl, PORT: String(port), LOG_LEVEL: 'silent' }), db, logger: createLogger('silent') });
  if (!app.hasRoute({ method: 'GET', url: '/' })) await app.register(webRoutes, { distDir });
  await app.listen({ port, host: '127.0.0.1' });
  const account = fs.readFileSync(demo!.credentialsFile, 'utf8').split('\n').find((l) => l.startsWith('demo.xa\t'))!;
  return {
    app,
    db,
    baseUrl,
    workerPassword: account.split('\t')[1]!,
    demoLoadMs,
    async close() {
      await app.close();
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The demo commune worker signed in through the real route: JSON/FHIR POSTs and GETs as them. */
export async function demoWorkerApi(server: DemoServer) {
  const login = await server.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'demo.xa', password: server.workerPassword } });
  if (login.statusCode !== 200) throw new Error(`demo.xa sign-in: ${login.statusCode} ${login.body}`);
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const { csrfToken, actor } = login.json() as { csrfToken: string; actor: { communeCode: string } };
  return {
    communeCode: actor.communeCode,
    async post(url: string, payload: unknown): Promise<Record<string, string>> {
      const r = await server.app.inject({
        method: 'POST', url, payload: JSON.stringify(payload),
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': url.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' },
      });
      if (r.statusCode >= 300) throw new Error(`POST ${url}: ${r.statusCode} ${r.body}`);
      return r.json() as Record<string, string>;
    },
    get: (url: string) => server.app.inject({ method: 'GET', url, headers: { cookie } }),
  };
}

/** A staff session through the real sign-in route, for seeding through the real APIs. */
export async function apiSession(server: E2eServer, username: string, totpSecret?: string) {
  const res = await server.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { username, password: PASSWORD, ...(totpSecret ? { totp: totpCode(totpSecret) } : {}) },
  });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${username} failed: ${res.statusCode} ${res.body}`);
  const cookie = String(res.headers['set-cookie']).split(';')[0]!;
  const { csrfToken } = res.json() as { csrfToken: string };
  return {
    async get(url: string) {
      const r = await server.app.inject({ method: 'GET', url, headers: { cookie } });
      if (r.statusCode >= 300) throw new Error(`GET ${url}: ${r.statusCode} ${r.body}`);
      return r.json() as unknown;
    },
    async post(url: string, payload: unknown) {
      const r = await server.app.inject({
        method: 'POST',
        url,
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': url.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' },
        payload: JSON.stringify(payload),
      });
      if (r.statusCode >= 300) throw new Error(`POST ${url}: ${r.statusCode} ${r.body}`);
      return r.json() as unknown;
    },
  };
}

/** The demo province, as a transaction through POST /fhir (fixed ids: PUT). */
export function demoTransaction(): Bundle {
  const demo = buildDemoBundle('68');
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: (demo.entry ?? []).map((e): BundleEntry => {
      const r = e.resource as Resource;
      return { resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } };
    }),
  };
}

/** A resident with exactly 200 entries in the record: 40 episodes × (encounter, diagnosis, medicine, blood pressure, glucose). */
export function bigRecordTransaction(patientId: string): Bundle {
  const entries: BundleEntry[] = [
    {
      resource: {
        resourceType: 'Patient',
        id: patientId,
        name: [{ text: 'Hoàng Thị Nhiều', family: 'Hoàng', given: ['Thị', 'Nhiều'] }],
        gender: 'female',
        birthDate: '1958-05-06',
        telecom: [{ system: 'phone', value: '0905111222', use: 'mobile' }],
        address: [{ use: 'home', text: 'Thôn 5, xã Đức Trọng, tỉnh Lâm Đồng', extension: [{ url: 'http://fhir.hssk.vn/StructureDefinition/address-commune', valueCode: DEMO_COMMUNE }] }],
      },
      request: { method: 'PUT', url: `Patient/${patientId}` },
    },
  ];
  const put = (r: Resource & { id: string }) => entries.push({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } });
  const subject = { reference: `Patient/${patientId}` };
  for (let i = 0; i < 40; i++) {
    const day = new Date(Date.UTC(2023, 0, 5) + i * 17 * 86_400_000).toISOString().slice(0, 10);
    const enc = { reference: `Encounter/${patientId}-e${i}` };
    put({ resourceType: 'Encounter', id: `${patientId}-e${i}`, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'Ngoại trú' }, subject, serviceProvider: { reference: 'Organization/demo-tyt-duc-trong' }, period: { start: `${day}T08:00:00+07:00`, end: `${day}T09:00:00+07:00` } });
    put({ resourceType: 'Condition', id: `${patientId}-c${i}`, subject, encounter: enc, category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }], code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: i % 2 ? 'E11' : 'I10', display: i % 2 ? 'Đái tháo đường type 2' : 'Tăng huyết áp' }] } });
    put({ resourceType: 'MedicationRequest', id: `${patientId}-m${i}`, status: 'completed', intent: 'order', subject, encounter: enc, medicationCodeableConcept: { text: i % 2 ? 'Metformin 500 mg' : 'Amlodipin 5 mg' } });
    put({
      resourceType: 'Observation', id: `${patientId}-bp${i}`, status: 'final', subject, encounter: enc, effectiveDateTime: `${day}T08:10:00+07:00`,
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Huyết áp' }] },
      component: [
        { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 150 - (i % 20), unit: 'mmHg' } },
        { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 95 - (i % 12), unit: 'mmHg' } },
      ],
    });
    put({
      resourceType: 'Observation', id: `${patientId}-g${i}`, status: 'final', subject, encounter: enc, effectiveDateTime: `${day}T08:20:00+07:00`,
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: '2339-0', display: 'Glucose máu' }] },
      valueQuantity: { value: 7 + (i % 5) / 2, unit: 'mmol/L' },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

export async function latestSms(db: Database, phone: string): Promise<string> {
  const international = phone.startsWith('0') ? `+84${phone.slice(1)}` : phone;
  const [message] = await readOutbox(db.pool, { phone: international, limit: 1 });
  if (!message) throw new Error(`no SMS to ${phone}`);
  return message.message;
}

export function codeIn(message: string): string {
  const code = /\b(\d{6})\b/.exec(message)?.[1];
  if (!code) throw new Error(`no 6-digit code in "${message}"`);
  return code;
}
