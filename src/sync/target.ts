// The receiver of the sync push: a FHIR server (another HSSK, the hub, the national record)
// reached as an OAuth2 client (client_credentials), its token endpoint found through the SMART
// configuration. Answers are classified for the worker: done, refused (4xx: this content will
// never be accepted as it is) or transient (network, 5xx, 429: try again later).

export interface TargetOptions {
  /** FHIR base URL, e.g. https://hub.example/fhir. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Scope asked for; the receiver grants what the client is registered with. */
  scope?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type PushResult =
  | { kind: 'done'; body: unknown }
  | { kind: 'refused'; status: number; error: string }
  | { kind: 'transient'; status: number | null; error: string };

export class SyncTarget {
  private readonly options: TargetOptions;
  private token: { value: string; expiresAt: number } | undefined;
  private tokenEndpoint: string | undefined;

  constructor(options: TargetOptions) {
    this.options = options;
  }

  private get fetch(): typeof fetch {
    return this.options.fetch ?? fetch;
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    return this.fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
  }

  /** [base]/.well-known/smart-configuration, then the server root's (HSSK serves it there). */
  private async discover(): Promise<string> {
    if (this.tokenEndpoint) return this.tokenEndpoint;
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const candidates = [`${base}/.well-known/smart-configuration`, `${new URL(base).origin}/.well-known/smart-configuration`];
    for (const url of candidates) {
      const r = await this.request(url, { headers: { accept: 'application/json' } });
      if (!r.ok) continue;
      const conf = (await r.json()) as { token_endpoint?: unknown };
      if (typeof conf.token_endpoint === 'string') return (this.tokenEndpoint = conf.token_endpoint);
    }
    throw new TransientError(null, 'smart-configuration without token_endpoint');
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 10_000) return this.token.value;
    const endpoint = await this.discover();
    const r = await this.request(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.options.clientId,
        client_secret: this.options.clientSecret,
        ...(this.options.scope ? { scope: this.options.scope } : {}),
      }).toString(),
    });
    if (!r.ok) throw new TransientError(r.status, `token endpoint answered ${r.status}`);
    const body = (await r.json()) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new TransientError(r.status, 'token endpoint answered without access_token');
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 300) * 1000 };
    return body.access_token;
  }

  /** POSTs a transaction Bundle to the base URL. Never throws: the outcome is classified. */
  async transaction(bundle: unknown): Promise<PushResult> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let r: Response;
      try {
        const token = await this.accessToken();
        r = await this.request(this.options.baseUrl, {
          method: 'POST',
          // The answer's resources are not read: minimal spares the receiver serialising them.
          headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', prefer: 'return=minimal', authorization: `Bearer ${token}` },
          body: JSON.stringify(bundle),
        });
      } catch (err) {
        if (err instanceof TransientError) return { kind: 'transient', status: err.status, error: err.message };
        return { kind: 'transient', status: null, error: `network: ${(err as Error).name}` };
      }
      const text = await r.text().catch(() => '');
      if (r.ok) {
        try {
          return { kind: 'done', body: JSON.parse(text) };
        } catch {
          return { kind: 'transient', status: r.status, error: 'unreadable answer' };
        }
      }
      if (r.status === 401 && attempt === 0) {
        this.token = undefined;
        continue;
      }
      const error = `${r.status}: ${diagnostics(text)}`;
      if (r.status >= 500 || r.status === 429 || r.status === 408 || r.status === 401) return { kind: 'transient', status: r.status, error };
      return { kind: 'refused', status: r.status, error };
    }
    return { kind: 'transient', status: 401, error: 'unauthorised' };
  }
}

class TransientError extends Error {
  readonly status: number | null;
  constructor(status: number | null, message: string) {
    super(message);
    this.status = status;
  }
}

/** The receiver's issue codes and texts (an OperationOutcome), not the whole body. */
function diagnostics(text: string): string {
  try {
    const oo = JSON.parse(text) as { issue?: { code?: string; diagnostics?: string; details?: { text?: string }; expression?: string[] }[] };
    if (Array.isArray(oo.issue)) {
      // The text is what an administrator reads on the dead-letter list (HSSK puts it in details.text).
      return oo.issue.map((i) => [i.code, i.expression?.join(','), i.details?.text ?? i.diagnostics].filter(Boolean).join(' ')).join('; ').slice(0, 1000);
    }
  } catch {
    // not JSON: the status says enough
  }
  return text.slice(0, 200);
}
