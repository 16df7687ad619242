// A test receiver of the Ministry's data-sync API, written from the published description of
// QĐ 1551/2062 (vn-standards §7.2), independently of src/sync/healthbook/: login, then
// `POST /api/platform/data-sync/push` with `service-type: 100` and `{header, data, signature}`,
// the signature RSA-SHA256 over SHA256(header) "." SHA256(data) (upper-case hex) checked with the
// facility's public key.
import { createHash, createVerify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';

export interface HealthBookReceiver {
  url: string;
  received: { record: string; type: string; transactionId: string }[];
  logins: number;
  /** While true, every request answers 503. */
  down: boolean;
  close(): Promise<void>;
}

export async function startHealthBookReceiver(options: { publicKey: KeyObject; username: string; password: string }): Promise<HealthBookReceiver> {
  const verifies = (body: { header: unknown; data: unknown; signature: string }): boolean => {
    const hex = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('hex').toUpperCase();
    return createVerify('RSA-SHA256').update(`${hex(body.header)}.${hex(body.data)}`).verify(options.publicKey, body.signature, 'base64');
  };
  const state = { received: [] as HealthBookReceiver['received'], logins: 0, down: false };
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (state.down) return send(503, { code: 'CM_UNAVAILABLE' });
      if (req.url === '/api/auth/login') {
        const b = JSON.parse(text) as { username: string; password: string };
        if (b.username !== options.username || b.password !== options.password) return send(401, { code: 'AU_INVALID' });
        state.logins++;
        return send(200, { data: { access_token: `tok-${state.logins}` } });
      }
      if (req.url !== '/api/platform/data-sync/push' || req.method !== 'POST') return send(404, {});
      if (!/^Bearer tok-\d+$/.test(req.headers.authorization ?? '')) return send(401, { code: 'AU_UNAUTHORIZED' });
      if (req.headers['service-type'] !== '100') return send(400, { code: 'PS_DS_SERVICE_TYPE_INVALID' });
      const body = JSON.parse(text) as { header: { facility_id: string; transaction_id: string }; data: { data_type: string; file_content: string }; signature: string };
      if (!body.header || !body.data || typeof body.signature !== 'string' || !/^\d{13}$/.test(body.header.facility_id)) return send(400, { code: 'PS_DS_ENVELOPE_INVALID' });
      if (!['xml/base64', 'json/base64'].includes(body.data.data_type)) return send(400, { code: 'PS_DS_DATA_TYPE_INVALID' });
      if (!verifies(body)) return send(400, { code: 'PS_DS_RSA_SIGNATURE_INVALID' });
      state.received.push({ record: Buffer.from(body.data.file_content, 'base64').toString('utf8'), type: body.data.data_type, transactionId: body.header.transaction_id });
      return send(200, { code: 'PS_DS_SAVE_SUCCESS' });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    get received() {
      return state.received;
    },
    get logins() {
      return state.logins;
    },
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
