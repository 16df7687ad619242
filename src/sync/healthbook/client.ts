// The facility's client of the Ministry's data-sync API (Trục dữ liệu BYT, api.emrhub.vn /
// api-sandbox.emrhub.vn): `POST /api/auth/login` → token, then
// `POST /api/platform/data-sync/push` (header `service-type: 100`) with the signed envelope.
// Health-check records must reach it within 24 hours of the check (QĐ 1551).
import type { KeyObject } from 'node:crypto';
import { buildEnvelope } from './envelope.ts';

export interface HealthBookOptions {
  baseUrl: string;
  username: string;
  password: string;
  facilityId: string;
  /** The facility's private key (PEM or KeyObject), installed by the operator. */
  privateKey: KeyObject | string;
  fetch?: typeof fetch;
}

export interface PushAnswer {
  ok: boolean;
  /** The API's result code (CM_SUCCESS, PS_DS_SAVE_SUCCESS, PS_DS_RSA_SIGNATURE_INVALID, …). */
  code: string | undefined;
  status: number;
  transactionId: string;
}

const SUCCESS = new Set(['CM_SUCCESS', 'PS_DS_SAVE_SUCCESS']);

export class HealthBookClient {
  private readonly o: HealthBookOptions;
  private token: string | undefined;

  constructor(options: HealthBookOptions) {
    this.o = options;
  }

  private get fetch(): typeof fetch {
    return this.o.fetch ?? fetch;
  }

  private async login(): Promise<string> {
    const r = await this.fetch(`${this.o.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: this.o.username, password: this.o.password }),
    });
    const body = (await r.json().catch(() => ({}))) as { access_token?: string; token?: string; data?: { token?: string; access_token?: string } };
    const token = body.access_token ?? body.token ?? body.data?.access_token ?? body.data?.token;
    if (!r.ok || !token) throw new Error(`login refused (${r.status})`);
    return (this.token = token);
  }

  /** Pushes one health-check record (the XML or JSON file of Phụ lục 02). */
  async push(content: Buffer | string, type: 'xml' | 'json'): Promise<PushAnswer> {
    const envelope = buildEnvelope({ facilityId: this.o.facilityId, content, type, privateKey: this.o.privateKey });
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = this.token ?? (await this.login());
      const r = await this.fetch(`${this.o.baseUrl}/api/platform/data-sync/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'service-type': '100', authorization: `Bearer ${token}` },
        body: JSON.stringify(envelope),
      });
      if (r.status === 401 && attempt === 0) {
        this.token = undefined;
        continue;
      }
      const body = (await r.json().catch(() => ({}))) as { code?: string };
      return { ok: r.ok && body.code !== undefined && SUCCESS.has(body.code), code: body.code, status: r.status, transactionId: envelope.header.transaction_id };
    }
    return { ok: false, code: undefined, status: 401, transactionId: envelope.header.transaction_id };
  }
}
