// The web portal's static files (web/dist, built by `npm run build`): the staff portal at `/`,
// the resident PWA at `/app`, with SPA fallback to each index.html. Hashed assets are cached
// for a year; index.html, the service worker and the manifest are revalidated every time. Every
// response carries the security headers below, including a strict Content-Security-Policy.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

export interface WebPluginOptions {
  /** Where the built app is; default web/dist of this checkout. */
  distDir?: string;
}

const DEFAULT_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Scripts only from this origin, no inline script, no eval, no plugins, no framing. Styles allow
 * 'unsafe-inline' because Mantine and Recharts set style attributes and a <style> element at run
 * time; style injection cannot run code, the script policy is what stops XSS.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Paths that belong to the APIs: never answered with the app's index.html. */
const API_PREFIXES = ['/fhir', '/api', '/auth', '/oauth2', '/.well-known', '/healthz', '/metrics'];

interface StaticFile {
  body: Buffer;
  gzip?: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

function loadDir(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      const url = '/' + path.relative(root, full).split(path.sep).join('/');
      const body = fs.readFileSync(full);
      const type = TYPES[path.extname(entry.name)] ?? 'application/octet-stream';
      const compressible = /^(text\/|application\/(json|manifest)|image\/svg)/.test(type) && body.length > 1024;
      files.set(url, {
        body,
        ...(compressible ? { gzip: gzipSync(body, { level: 9 }) } : {}),
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        immutable: url.startsWith('/assets/'),
      });
    }
  };
  walk(root);
  return files;
}

function send(request: FastifyRequest, reply: FastifyReply, file: StaticFile): FastifyReply {
  reply.headers(SECURITY_HEADERS);
  reply.header('content-type', file.type);
  reply.header('etag', file.etag);
  reply.header('vary', 'accept-encoding');
  reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
  const gzip = file.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (gzip) reply.header('content-encoding', 'gzip');
  return reply.send(request.method === 'HEAD' ? undefined : gzip ? file.gzip : file.body);
}

const NOT_BUILT = `<!doctype html><html lang="vi"><meta charset="utf-8"><title>HSSK</title>
<p>Giao diện web chưa được build. Chạy <code>npm run build</code> rồi khởi động lại HSSK.</p>
<p lang="en">The web portal has not been built. Run <code>npm run build</code> and restart HSSK.</p></html>`;

export const webRoutes: FastifyPluginAsync<WebPluginOptions> = async (app, options) => {
  const dist = options.distDir ?? DEFAULT_DIST;
  const files = fs.existsSync(path.join(dist, 'index.html')) ? loadDir(dist) : new Map<string, StaticFile>();
  if (files.size === 0) app.log.warn({ dist }, 'web portal not built: run npm run build');

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = decodeURIComponent((request.raw.url ?? '/').split('?')[0]!);
    if (API_PREFIXES.some((p) => url === p || url.startsWith(`${p}/`))) {
      return reply.code(404).send({ error: 'not-found', message: 'Không tìm thấy địa chỉ này.' });
    }
    // The resident app's service worker controls /app/ and below: /app itself must become /app/.
    if (url === '/app') return reply.code(301).headers(SECURITY_HEADERS).header('location', '/app/').send();
    const exact = files.get(url) ?? (url.endsWith('/') ? files.get(`${url}index.html`) : undefined);
    if (exact) return send(request, reply, exact);
    if (url.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(url)) {
      reply.headers(SECURITY_HEADERS);
      return reply.code(404).type('text/plain; charset=utf-8').send('Không tìm thấy tệp (not found)');
    }
    // SPA fallback: client-side routes of the resident app and of the staff portal.
    const index = files.get(url === '/app' || url.startsWith('/app/') ? '/app/index.html' : '/index.html');
    if (index) return send(request, reply, index);
    reply.headers(SECURITY_HEADERS);
    return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
  };

  app.route({ method: ['GET', 'HEAD'], url: '/', handler, exposeHeadRoute: false });
  app.route({ method: ['GET', 'HEAD'], url: '/*', handler, exposeHeadRoute: false });
};
