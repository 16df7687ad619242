// Two HSSK instances listening on real ports (a province and the hub), a flaky proxy between
// them, and content hashes of what each side holds.
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createClient } from '../../src/auth/clients.ts';
import { loadConfig } from '../../src/config/config.ts';
import { buildApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logging.ts';
import type { Database } from '../../src/store/database.ts';
import { SOURCE_SYSTEM_PREFIX } from '../../src/sync/bundle.ts';
import { bindProvinceClient } from '../../src/sync/hub-guard.ts';
import { createTestDatabase } from '../support/db.ts';

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Instance {
  app: FastifyInstance;
  db: Database;
  url: string;
  close(): Promise<void>;
}

export async function startInstance(env: Record<string, string> = {}): Promise<Instance> {
  const db = await createTestDatabase();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({ HSSK_BASE_URL: url, ...env });
  const app = await buildApp({ config, db, logger: createLogger('silent'), background: false });
  await app.listen({ port, host: '127.0.0.1' });
  return {
    app,
    db,
    url,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** A provincial system client registered on the receiver. */
export async function provinceClient(receiver: Instance, name: string, province?: string): Promise<{ clientId: string; clientSecret: string }> {
  const c = await createClient(receiver.db.pool, { name, scopes: ['system/*.cruds'] });
  if (province) await bindProvinceClient(receiver.db.pool, c.clientId, province);
  return { clientId: c.clientId, clientSecret: c.clientSecret! };
}

export interface FlakyProxy {
  url: string;
  /** Every n-th request answers 503 (0: none). */
  failEvery: number;
  /** While down, connections are reset. */
  down: boolean;
  requests: number;
  failed: number;
  close(): Promise<void>;
}

export async function flakyProxy(targetPort: number): Promise<FlakyProxy> {
  const state = { failEvery: 0, down: false, requests: 0, failed: 0 };
  const server = http.createServer((req, res) => {
    if (proxy.down) {
      proxy.failed++;
      req.socket.destroy();
      return;
    }
    proxy.requests++;
    if (proxy.failEvery > 0 && proxy.requests % proxy.failEvery === 0) {
      proxy.failed++;
      req.resume();
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    const up = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: FlakyProxy = {
    ...state,
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  return proxy;
}

/** Content without what the receiver assigns (meta.versionId, lastUpdated) or the push adds. */
export function contentHash(content: string): string {
  const r = JSON.parse(content) as Record<string, unknown>;
  const meta = { ...(r['meta'] as Record<string, unknown> | undefined) };
  delete meta['versionId'];
  delete meta['lastUpdated'];
  if (Object.keys(meta).length) r['meta'] = meta;
  else delete r['meta'];
  const strip = (i: { system?: string }) => !i.system?.startsWith(SOURCE_SYSTEM_PREFIX);
  if (Array.isArray(r['identifier'])) {
    const ids = (r['identifier'] as { system?: string }[]).filter(strip);
    if (ids.length) r['identifier'] = ids;
    else delete r['identifier'];
  } else if (r['identifier'] && !strip(r['identifier'] as { system?: string })) delete r['identifier'];
  return createHash('sha256').update(canonical(r)).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** type/id → content hash of every current resource of a database (deleted: 'deleted'). */
export async function holdings(db: Database, types: string[]): Promise<Map<string, string>> {
  const { rows } = await db.pool.query<{ resource_type: string; id: string; deleted: boolean; content: string | null }>(
    'SELECT resource_type, id, deleted, content FROM resource WHERE resource_type = ANY($1) ORDER BY resource_type, id',
    [types],
  );
  return new Map(rows.map((r) => [`${r.resource_type}/${r.id}`, r.deleted || !r.content ? 'deleted' : contentHash(r.content)]));
}
