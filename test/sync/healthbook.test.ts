// The 2026 health-book channel against a test receiver that checks the envelope and verifies the
// signature as QĐ 1551/2062 describe it (SHA256(header) "." SHA256(data), upper-case hex, RSA-SHA256).
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthBookClient } from '../../src/sync/healthbook/client.ts';
import { startHealthBookReceiver, type HealthBookReceiver } from './healthbook-receiver.ts';

const facilityKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
let receiver: HealthBookReceiver;
let base: string;

beforeAll(async () => {
  receiver = await startHealthBookReceiver({ publicKey: facilityKey.publicKey, username: 'cs68001', password: 'mat-khau' });
  base = receiver.url;
});

afterAll(async () => receiver.close());

const xml = '<KHAMSUCKHOE><THONGTINDONVI><MACSKCB>68001</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20260801</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO></THONGTINHOSO></KHAMSUCKHOE>';

describe('the health-book channel (QĐ 1551/2062)', () => {
  it('logs in, pushes a signed envelope, and the receiver verifies the signature and reads the record', async () => {
    const client = new HealthBookClient({ baseUrl: base, username: 'cs68001', password: 'mat-khau', facilityId: '6800100000001', privateKey: facilityKey.privateKey });
    const a = await client.push(xml, 'xml');
    expect(a).toMatchObject({ ok: true, code: 'PS_DS_SAVE_SUCCESS' });
    expect(receiver.received.at(-1)).toMatchObject({ record: xml, type: 'xml/base64' });
    expect(await client.push(JSON.stringify({ SO_CCCD: '068190000001' }), 'json')).toMatchObject({ ok: true });
    expect(receiver.logins).toBe(1);
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
