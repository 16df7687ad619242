// A real local push service standing in for a browser vendor's (FCM, Mozilla, Apple): an HTTPS
// server that receives what web-push sends, checks the VAPID authorisation (RFC 8292) and keeps
// the encrypted body; and the browser's side of a subscription (a P-256 key pair and an auth
// secret), able to decrypt an aes128gcm message (RFC 8188, RFC 8291) as the browser would.
import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

const FIXTURES = new URL('../fixtures/push/', import.meta.url);
export const PUSH_SERVICE_CERT = fs.readFileSync(new URL('localhost-cert.pem', FIXTURES));
const KEY = fs.readFileSync(new URL('localhost-key.pem', FIXTURES));

export interface ReceivedPush {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface LocalPushService {
  origin: string;
  received: ReceivedPush[];
  /** Paths answered with this status instead of 201 (e.g. 410 Gone for an expired subscription). */
  answers: Map<string, number>;
  /** An agent trusting the service's certificate, for the sender. */
  agent: https.Agent;
  close(): Promise<void>;
}

export async function startPushService(): Promise<LocalPushService> {
  const received: ReceivedPush[] = [];
  const answers = new Map<string, number>();
  const server = https.createServer({ cert: PUSH_SERVICE_CERT, key: KEY }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answers.get(path) ?? 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new https.Agent({ ca: PUSH_SERVICE_CERT });
  return {
    origin: `https://localhost:${port}`,
    received,
    answers,
    agent,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The browser's half of a PushSubscription. */
export class BrowserSubscription {
  readonly endpoint: string;
  readonly auth = randomBytes(16);
  private readonly ecdh: ECDH = createECDH('prime256v1');
  constructor(endpoint: string) {
    this.endpoint = endpoint;
    this.ecdh.generateKeys();
  }
  get p256dh(): Buffer {
    return this.ecdh.getPublicKey();
  }
  /** The JSON a browser's PushSubscription.toJSON() gives. */
  toJSON() {
    return { endpoint: this.endpoint, expirationTime: null, keys: { p256dh: this.p256dh.toString('base64url'), auth: this.auth.toString('base64url') } };
  }

  /** Decrypts an aes128gcm push message body (one record, RFC 8291 §3.4, RFC 8188 §2). */
  decrypt(body: Buffer): string {
    const salt = body.subarray(0, 16);
    const rs = body.readUInt32BE(16);
    const idLength = body[20]!;
    const asPublic = body.subarray(21, 21 + idLength);
    const record = body.subarray(21 + idLength);
    if (record.length > rs) throw new Error('more than one record');
    const ecdhSecret = this.ecdh.computeSecret(asPublic);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), this.p256dh, asPublic]);
    const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, this.auth, keyInfo, 32));
    const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
    const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    // Plaintext, then the last-record delimiter 0x02, then zero padding.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error('no last-record delimiter');
    return padded.subarray(0, end).toString('utf8');
  }
}

export interface VapidClaims {
  aud: string;
  exp: number;
  sub: string;
}

/**
 * Checks `Authorization: vapid t=<JWT>, k=<public key>` as a push service does: the ES256
 * signature against k, and returns the claims with k for the caller to compare.
 */
export function verifyVapid(authorization: string | undefined): { claims: VapidClaims; publicKey: string } {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!m) throw new Error(`not a VAPID authorization: ${authorization}`);
  const [, jwt, k] = m as unknown as [string, string, string];
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  if (JSON.parse(Buffer.from(header, 'base64url').toString()).alg !== 'ES256') throw new Error('alg is not ES256');
  const point = Buffer.from(k, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  if (!ok) throw new Error('VAPID signature does not verify');
  return { claims: JSON.parse(Buffer.from(payload, 'base64url').toString()) as VapidClaims, publicKey: k };
}
