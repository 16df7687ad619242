import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import type { Database } from '../store/database.ts';
import { authenticateRequest } from './actor.ts';
import { createClient } from './clients.ts';
import { clearServerSecrets } from './server-secret.ts';
import type { AuthServices } from './services.ts';
import { createStaffUser } from './staff-users.ts';
import { cookieOf, testApp } from './test-app.ts';
import { totpCode } from './totp.ts';

let db: Database;
let app: FastifyInstance;
let services: AuthServices;
const PASSWORD = 'mat-khau-rat-dai-123';

beforeAll(async () => {
  clearServerSecrets();
  db = await createTestDatabase();
  ({ app, services } = await testApp(db));
  await createStaffUser(db.pool, { username: 'bs.lan', displayName: 'BS. Lan', role: 'clinician', facilityCode: '68001', password: PASSWORD });
  await createStaffUser(db.pool, { username: 'nv.hoa', displayName: 'Hoa', role: 'clerk', facilityCode: '68001', password: PASSWORD });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

async function login(username: string, totp?: string) {
  return app.inject({ method: 'POST', url: '/auth/login', payload: { username, password: PASSWORD, ...(totp ? { totp } : {}) } });
}

async function session(username: string) {
  const response = await login(username);
  expect(response.statusCode).toBe(200);
  return { cookie: cookieOf(response.headers['set-cookie']), csrf: response.json<{ csrfToken: string }>().csrfToken };
}

describe('staff sessions', () => {
  it('signs in with an HttpOnly, SameSite=Strict, Secure cookie and never returns the password', async () => {
    const response = await login('bs.lan');
    expect(response.statusCode).toBe(200);
    const cookie = String(response.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-hssk_session=/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Secure');
    expect(response.body).not.toContain(PASSWORD);
    const me = await app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: cookieOf(response.headers['set-cookie']) } });
    expect(me.json()).toMatchObject({ actor: { kind: 'staff', role: 'clinician', facilityCode: '68001' } });
  });

  it('refuses a state-changing request from the session without its CSRF token (cross-site request forgery)', async () => {
    const { cookie, csrf } = await session('bs.lan');
    const forged = await app.inject({ method: 'POST', url: '/auth/logout-everywhere', headers: { cookie } });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error).toBe('csrf');
    const wrong = await app.inject({ method: 'POST', url: '/auth/logout-everywhere', headers: { cookie, 'x-csrf-token': csrf.slice(1) + 'x' } });
    expect(wrong.statusCode).toBe(403);
    const other = await session('nv.hoa');
    const crossed = await app.inject({ method: 'POST', url: '/auth/logout-everywhere', headers: { cookie, 'x-csrf-token': other.csrf } });
    expect(crossed.statusCode).toBe(403);
  });

  it('logout everywhere ends every session of the user, and only theirs', async () => {
    const first = await session('bs.lan');
    const second = await session('bs.lan');
    const clerk = await session('nv.hoa');
    const out = await app.inject({ method: 'POST', url: '/auth/logout-everywhere', headers: { cookie: first.cookie, 'x-csrf-token': first.csrf } });
    expect(out.statusCode).toBe(200);
    expect(out.json().ended).toBeGreaterThanOrEqual(2);
    for (const s of [first, second]) {
      const me = await app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: s.cookie } });
      expect(me.statusCode).toBe(401);
    }
    expect((await app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: clerk.cookie } })).statusCode).toBe(200);
  });

  it('logout ends this session only', async () => {
    const a = await session('nv.hoa');
    const b = await session('nv.hoa');
    expect((await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: a.cookie, 'x-csrf-token': a.csrf } })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: a.cookie } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/auth/session', headers: { cookie: b.cookie } })).statusCode).toBe(200);
  });

  it('locks an account after five wrong passwords, even against the right one, and says so in Vietnamese', async () => {
    await createStaffUser(db.pool, { username: 'bi.khoa', displayName: 'Khoá', role: 'clerk', facilityCode: '68001', password: PASSWORD });
    for (let i = 0; i < 4; i++) {
      const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'bi.khoa', password: `sai-${i}-mat-khau` } });
      expect(r.statusCode).toBe(401);
    }
    const fifth = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'bi.khoa', password: 'sai-nua-mat-khau' } });
    expect(fifth.statusCode).toBe(423);
    const right = await login('bi.khoa');
    expect(right.statusCode).toBe(423);
    expect(right.json().message).toContain('tạm khoá');
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const r = await app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'khong.ton.tai', password: PASSWORD } });
    expect(r.statusCode).toBe(401);
    expect(r.json().error).toBe('invalid-credentials');
  });

  it('requires the TOTP second factor of administrators, and accepts each code once', async () => {
    const created = await createStaffUser(db.pool, { username: 'admin.soyte', displayName: 'Quản trị', role: 'admin', password: PASSWORD });
    expect(created.totpUri).toMatch(/^otpauth:\/\/totp\//);
    const secret = new URL(created.totpUri!).searchParams.get('secret')!;
    const without = await login('admin.soyte');
    expect(without.statusCode).toBe(401);
    expect(without.json().error).toBe('totp-required');
    expect((await login('admin.soyte', '000000')).json().error).toMatch(/invalid-totp|account-locked/);
    const code = totpCode(secret);
    expect((await login('admin.soyte', code)).statusCode).toBe(200);
    expect((await login('admin.soyte', code)).json().error).toBe('invalid-totp');
  });
});

describe('OAuth2 client credentials and access tokens', () => {
  async function token(payload: Record<string, string>, headers: Record<string, string> = {}) {
    return app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(payload).toString() });
  }

  it('issues a short-lived token to a facility client (client_secret_basic and client_secret_post), carrying its facility', async () => {
    const { clientId, clientSecret } = await createClient(db.pool, { name: 'BV tỉnh', facilityCode: '68001', scopes: ['system/*.read', 'system/Observation.cu'] });
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    const viaBasic = await token({ grant_type: 'client_credentials', scope: 'system/Patient.rs system/Observation.c' }, { authorization: `Basic ${basic}` });
    expect(viaBasic.statusCode).toBe(200);
    expect(viaBasic.json()).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'system/Patient.rs system/Observation.c' });
    const actor = await authenticateRequest({ method: 'GET', headers: { authorization: `Bearer ${viaBasic.json().access_token}` } }, services);
    expect(actor).toEqual({ kind: 'client', clientId, facilityCode: '68001', scopes: ['system/Patient.rs', 'system/Observation.c'] });

    const viaPost = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret! });
    expect(viaPost.statusCode).toBe(200);
    expect(viaPost.json().scope).toBe('system/*.read system/Observation.cu');

    expect((await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'sai' })).statusCode).toBe(401);
    const beyond = await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret!, scope: 'system/*.write' });
    expect(beyond.json().error).toBe('invalid_scope');
    expect((await token({ grant_type: 'password', client_id: clientId, client_secret: clientSecret! })).json().error).toBe('unsupported_grant_type');
  });

  it('refuses forged, expired, wrong-audience, wrong-issuer and unsigned tokens', async () => {
    const { kid } = await services.keys.current();
    const attacker = await generateKeyPair('ES256');
    const claims = { scope: 'system/*.read', client_id: 'x' };
    const base = (key: CryptoKey, opts: { aud?: string; iss?: string; exp?: number } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(opts.iss ?? 'https://hssk.test')
        .setAudience(opts.aud ?? 'https://hssk.test/fhir')
        .setSubject('x')
        .setJti('j')
        .setIssuedAt()
        .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 300)
        .sign(key);
    const real = (await services.keys.current()).privateKey;
    const cases = {
      forged: await base(attacker.privateKey),
      expired: await base(real, { exp: Math.floor(Date.now() / 1000) - 60 }),
      wrongAudience: await base(real, { aud: 'https://other.example/fhir' }),
      wrongIssuer: await base(real, { iss: 'https://evil.example' }),
      unsigned: `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, sub: 'x', aud: 'https://hssk.test/fhir', iss: 'https://hssk.test', exp: 9999999999 })).toString('base64url')}.`,
      garbage: 'abc.def.ghi',
    };
    // The control: the same construction with the real key passes.
    expect(await authenticateRequest({ method: 'GET', headers: { authorization: `Bearer ${await base(real)}` } }, services)).toMatchObject({ kind: 'client' });
    for (const [name, jwt] of Object.entries(cases)) {
      await expect(authenticateRequest({ method: 'GET', headers: { authorization: `Bearer ${jwt}` } }, services), name).rejects.toMatchObject({ code: 'invalid-token' });
    }
    await expect(authenticateRequest({ method: 'GET', headers: { authorization: 'Basic abc' } }, services)).rejects.toMatchObject({ code: 'invalid-token' });
  });

  it('keeps verifying tokens signed before a key rotation until they expire, and publishes both keys', async () => {
    const { clientId, clientSecret } = await createClient(db.pool, { name: 'Cổng quốc gia', scopes: ['system/Patient.read'] });
    const before = (await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret! })).json().access_token as string;
    const oldKid = JSON.parse(Buffer.from(before.split('.')[0]!, 'base64url').toString()).kid;
    const newKid = await services.keys.rotate();
    expect(newKid).not.toBe(oldKid);
    const after = (await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret! })).json().access_token as string;
    expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid).toBe(newKid);
    for (const jwt of [before, after]) {
      expect(await authenticateRequest({ method: 'GET', headers: { authorization: `Bearer ${jwt}` } }, services)).toMatchObject({ kind: 'client', clientId });
    }
    const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: Array<{ kid: string; d?: string }> }>();
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    // Once the old key has been retired for longer than a token lives, it verifies nothing.
    await db.pool.query("UPDATE signing_key SET retired_at = now() - interval '1 hour' WHERE kid = $1", [oldKid]);
    const fresh = (await testApp(db)).services;
    await expect(authenticateRequest({ method: 'GET', headers: { authorization: `Bearer ${before}` } }, fresh)).rejects.toMatchObject({ code: 'invalid-token' });
  });

  it('accepts a SMART Backend Services client_assertion once, and refuses replay, wrong audience and long lifetimes', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES384' };
    const { clientId, clientSecret } = await createClient(db.pool, { name: 'HIS bệnh viện', facilityCode: '68002', scopes: ['system/*.rs'], jwks: { keys: [jwk] } });
    expect(clientSecret).toBeUndefined();
    const assertion = (opts: { aud?: string; exp?: string; jti?: string } = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES384', kid: 'k1' })
        .setIssuer(clientId)
        .setSubject(clientId)
        .setAudience(opts.aud ?? 'https://hssk.test/oauth2/token')
        .setJti(opts.jti ?? crypto.randomUUID())
        .setExpirationTime(opts.exp ?? '4m')
        .sign(privateKey);
    const form = (jwt: string) => ({
      grant_type: 'client_credentials',
      scope: 'system/Observation.rs',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: jwt,
    });
    const jwt = await assertion();
    const ok = await token(form(jwt));
    expect(ok.statusCode).toBe(200);
    expect(ok.json().scope).toBe('system/Observation.rs');
    expect((await token(form(jwt))).json().error).toBe('invalid_client');
    expect((await token(form(await assertion({ aud: 'https://hssk.test/fhir' })))).json().error).toBe('invalid_client');
    expect((await token(form(await assertion({ exp: '30m' })))).json().error).toBe('invalid_client');
    const stranger = await generateKeyPair('ES384');
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'ES384', kid: 'k1' }).setIssuer(clientId).setSubject(clientId).setAudience('https://hssk.test/oauth2/token').setJti('z').setExpirationTime('4m').sign(stranger.privateKey);
    expect((await token(form(forged))).statusCode).toBe(401);
  });

  it('publishes the SMART configuration', async () => {
    const config = (await app.inject({ method: 'GET', url: '/.well-known/smart-configuration' })).json();
    expect(config).toMatchObject({
      token_endpoint: 'https://hssk.test/oauth2/token',
      jwks_uri: 'https://hssk.test/.well-known/jwks.json',
      grant_types_supported: ['client_credentials'],
    });
    expect(config.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
  });

  it('records sign-ins and refused sign-ins in the audit trail', async () => {
    const { rows } = await db.pool.query<{ outcome: string; n: number }>("SELECT outcome, count(*)::int AS n FROM audit_entry WHERE action = 'login' GROUP BY outcome");
    expect(rows.find((r) => r.outcome === '0')?.n).toBeGreaterThan(0);
    expect(rows.find((r) => r.outcome === '4')?.n).toBeGreaterThan(0);
  });
});
