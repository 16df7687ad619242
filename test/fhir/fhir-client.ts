// A small FHIR client over app.inject() for the integration tests of the FHIR API.
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';

/**
 * Response JSON as the tests read it: loosely typed on purpose, since asserting on its shape is
 * what the tests do (and a wrong guess fails the assertion, not the type-check).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface FhirResult<T = Json> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  raw: string;
}

export interface FhirClient {
  request<T = Json>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<FhirResult<T>>;
  create<T extends Resource>(resource: T, headers?: Record<string, string>): Promise<T & { id: string }>;
  search(url: string, headers?: Record<string, string>): Promise<Bundle>;
  /** Ids of the matches of a search (entries with search.mode = match), in order. */
  ids(url: string): Promise<string[]>;
}

export function fhirClient(app: FastifyInstance): FhirClient {
  const request = async <T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<FhirResult<T>> => {
    const res = await app.inject({
      method: method as 'GET',
      url: url.startsWith('/') ? url : `/fhir/${url}`,
      headers: { ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    let parsed: unknown;
    try {
      parsed = res.body ? JSON.parse(res.body) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, headers: res.headers, body: parsed as T, raw: res.body };
  };
  const client: FhirClient = {
    request,
    async create(resource, headers) {
      const res = await request(`POST`, resource.resourceType, resource, headers);
      if (res.status !== 201) throw new Error(`create ${resource.resourceType} failed: ${res.status} ${res.raw}`);
      return res.body as typeof resource & { id: string };
    },
    async search(url, headers) {
      const res = await request<Bundle>('GET', url, undefined, headers);
      if (res.status !== 200) throw new Error(`search ${url} failed: ${res.status} ${res.raw}`);
      return res.body;
    },
    async ids(url) {
      const bundle = await client.search(url);
      return (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);
    },
  };
  return client;
}

/** The issues of an OperationOutcome as "code@expression" strings, for compact assertions. */
export function issuesOf(body: OperationOutcome | undefined): { code: string; expression: string[]; text: string }[] {
  return (body?.issue ?? []).map((i) => ({ code: i.code, expression: i.expression ?? [], text: i.details?.text ?? i.diagnostics ?? '' }));
}
