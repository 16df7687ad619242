// The one way the portal talks to HSSK: same-origin fetch with the session cookie, the CSRF
// token on every state-changing request, and errors turned into ApiError (status + the
// server's own Vietnamese message, if any) for the screens to show in plain words.

let csrfToken: string | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function getCsrfToken(): string | undefined {
  return csrfToken;
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  /** The server's code (auth/consent routes: "totp-required", "invalid-otp", …; FHIR: issue code). */
  readonly code: string | undefined;
  /** The server's message (Vietnamese), when it sent one. */
  readonly serverMessage: string | undefined;
  constructor(status: number, code?: string, serverMessage?: string) {
    super(serverMessage ?? `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
  }
}

interface OperationOutcomeLike {
  resourceType: 'OperationOutcome';
  issue?: { code?: string; diagnostics?: string; details?: { text?: string } }[];
}

async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return new ApiError(res.status);
  }
  if (body && typeof body === 'object') {
    const b = body as { error?: string; message?: string } & Partial<OperationOutcomeLike>;
    if (b.resourceType === 'OperationOutcome') {
      const first = b.issue?.find((i) => i.details?.text || i.diagnostics) ?? b.issue?.[0];
      // "Tiếng Việt (English meaning)": keep the Vietnamese part for the user.
      const text = (first?.details?.text ?? first?.diagnostics)?.replace(/\s*\([^()]*\)\s*$/, '');
      return new ApiError(res.status, first?.code, text);
    }
    return new ApiError(res.status, b.error, b.message);
  }
  return new ApiError(res.status);
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json, application/fhir+json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network');
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>(path, signal ? { signal } : {}),
  post: <T>(path: string, body: unknown = {}) => request<T>(path, { method: 'POST', body }),
  put: <T>(path: string, body: unknown = {}) => request<T>(path, { method: 'PUT', body }),
};
