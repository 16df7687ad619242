// The web plugin on a small built app: security headers, caching, SPA fallback, API paths.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, webRoutes } from '../../src/http/plugins/web.ts';

let app: FastifyInstance;
let dist: string;

beforeAll(async () => {
  dist = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-web-plugin-'));
  fs.mkdirSync(path.join(dist, 'assets'));
  fs.mkdirSync(path.join(dist, 'app'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>staff</title>');
  fs.writeFileSync(path.join(dist, 'app/index.html'), '<!doctype html><title>resident</title>');
  fs.writeFileSync(path.join(dist, 'app/sw.js'), 'self.addEventListener("fetch", () => {});');
  fs.writeFileSync(path.join(dist, 'assets/staff-abc123.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  app = Fastify();
  await app.register(webRoutes, { distDir: dist });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  fs.rmSync(dist, { recursive: true, force: true });
});

describe('the web portal files', () => {
  it('serves the staff portal at / with a strict Content-Security-Policy and no caching of index.html', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>staff</title>');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('caches hashed assets for a year and compresses them', async () => {
    const res = await app.inject({ url: '/assets/staff-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('gzip');
    const again = await app.inject({ url: '/assets/staff-abc123.js', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('answers client-side routes with the right app and never answers API paths with a page', async () => {
    expect((await app.inject({ url: '/patients/abc?x=1' })).body).toContain('staff');
    expect((await app.inject({ url: '/app/' })).body).toContain('resident');
    expect((await app.inject({ url: '/app/consents' })).body).toContain('resident');
    const bare = await app.inject({ url: '/app' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/app/');
    expect((await app.inject({ url: '/api/nothing-here' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/assets/missing-123.js' })).statusCode).toBe(404);
    expect((await app.inject({ url: '/app/sw.js' })).headers['cache-control']).toBe('no-cache');
  });

  it('explains in Vietnamese when the portal has not been built', async () => {
    const empty = Fastify();
    await empty.register(webRoutes, { distDir: path.join(dist, 'nowhere') });
    const res = await empty.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    await empty.close();
  });
});
