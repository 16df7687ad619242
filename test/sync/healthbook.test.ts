// The 2026 health-book channel against a test receiver that checks the envelope and verifies the
// signature as QĐ 1551/2062 describe it (SHA256(header) "." SHA256(data), upper-case hex, RSA-SHA256).
import { createHash, createVerify, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthBookClient } from '../../src/sync/healthbook/client.ts';

const facilityKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const received: { record: string; type: string }[] = [];
let server: http.Server;
let base: string;
let logins = 0;

/** Written from the published description, independently of src/sync/healthbook/envelope.ts. */
function receiverVerifies(body: { header: unknown; data: unknown; signature: string }): boolean {
  const hex = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').toUpperCase();
  return createVerify('RSA-SHA256').update(`${hex(body.header)}.${hex(body.data)}`).verify(facilityKey.publicKey, body.signature, 'base64');
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/api/auth/login') {
        const b = JSON.parse(text) as { username: string; password: string };
        if (b.username !== 'cs68001' || b.password !== 'mat-khau') return send(401, { code: 'AU_INVALID' });
        logins++;
        return send(200, { data: { access_token: `tok-${logins}` } });
      }
      if (req.url !== '/api/platform/data-sync/push' || req.method !== 'POST') return send(404, {});
      if (!/^Bearer tok-\d+$/.test(req.headers.authorization ?? '')) return send(401, { code: 'AU_UNAUTHORIZED' });
      if (req.headers['service-type'] !== '100') return send(400, { code: 'PS_DS_SERVICE_TYPE_INVALID' });
      const body = JSON.parse(text) as { header: { facility_id: string }; data: { data_type: string; file_content: string }; signature: string };
      if (!body.header || !body.data || typeof body.signature !== 'string' || !/^\d{13}$/.test(body.header.facility_id)) return send(400, { code: 'PS_DS_ENVELOPE_INVALID' });
      if (!['xml/base64', 'json/base64'].includes(body.data.data_type)) return send(400, { code: 'PS_DS_DATA_TYPE_INVALID' });
      if (!receiverVerifies(body)) return send(400, { code: 'PS_DS_RSA_SIGNATURE_INVALID' });
      received.push({ record: Buffer.from(body.data.file_content, 'base64').toString('utf8'), type: body.data.data_type });
      return send(200, { code: 'PS_DS_SAVE_SUCCESS' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

afterAll(async () => new Promise<void>((r) => server.close(() => r())));

const xml = '<KHAMSUCKHOE><THONGTINDONVI><MACSKCB>68001</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20260801</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO></THONGTINHOSO></KHAMSUCKHOE>';

describe('the health-book channel (QĐ 1551/2062)', () => {
  it('logs in, pushes a signed envelope, and the receiver verifies the signature and reads the record', async () => {
    const client = new HealthBookClient({ baseUrl: base, username: 'cs68001', password: 'mat-khau', facilityId: '6800100000001', privateKey: facilityKey.privateKey });
    const a = await client.push(xml, 'xml');
    expect(a).toMatchObject({ ok: true, code: 'PS_DS_SAVE_SUCCESS' });
    expect(received.at(-1)).toEqual({ record: xml, type: 'xml/base64' });
    expect(await client.push(JSON.stringify({ SO_CCCD: '068190000001' }), 'json')).toMatchObject({ ok: true });
    expect(logins).toBe(1);
  });

  it('an envelope signed with another key is refused as PS_DS_RSA_SIGNATURE_INVALID', async () => {
    const client = new HealthBookClient({ baseUrl: base, username: 'cs68001', password: 'mat-khau', facilityId: '6800100000001', privateKey: otherKey.privateKey });
    expect(await client.push(xml, 'xml')).toMatchObject({ ok: false, code: 'PS_DS_RSA_SIGNATURE_INVALID' });
  });

  it('wrong credentials fail the login', async () => {
    const client = new HealthBookClient({ baseUrl: base, username: 'cs68001', password: 'sai', facilityId: '6800100000001', privateKey: facilityKey.privateKey });
    await expect(client.push(xml, 'xml')).rejects.toThrow(/login refused/);
  });
});
