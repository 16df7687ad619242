// Test support for the auth, consent and resident routes: a Fastify app with the plugins of
// this area on a real test database, an in-memory FHIR writer, and the log SMS adapter.
import type { Resource } from '@medplum/fhirtypes';
import Fastify, { type FastifyInstance } from 'fastify';
import { adminRoutes } from '../http/plugins/admin-users.ts';
import { authRoutes } from '../http/plugins/auth.ts';
import { consentRoutes } from '../http/plugins/consent.ts';
import { consentRequestRoutes } from '../http/plugins/consent-requests.ts';
import { residentRoutes } from '../http/plugins/residents.ts';
import type { Database } from '../store/database.ts';
import { authConfig, type AuthConfig } from './auth-config.ts';
import type { FhirWriter } from './fhir-writer.ts';
import { randomToken } from './secrets.ts';
import { createAuthServices, type AuthServices } from './services.ts';

export interface RecordingWriter extends FhirWriter {
  resources: Map<string, Resource>;
}

export function recordingWriter(): RecordingWriter {
  const resources = new Map<string, Resource>();
  return {
    resources,
    async create(resource) {
      const id = randomToken(8);
      resources.set(`${resource.resourceType}/${id}`, { ...resource, id });
      return { id };
    },
    async update(resource) {
      resources.set(`${resource.resourceType}/${resource.id}`, resource);
    },
  };
}

export async function testApp(db: Database, overrides: Partial<AuthConfig> = {}): Promise<{ app: FastifyInstance; services: AuthServices; fhir: RecordingWriter }> {
  const fhir = recordingWriter();
  const services = createAuthServices({ db, config: { ...authConfig({ baseUrl: 'https://hssk.test' }), ...overrides }, fhir });
  const app = Fastify({ trustProxy: true });
  for (const plugin of [authRoutes, consentRoutes, consentRequestRoutes, residentRoutes, adminRoutes]) await app.register(plugin, { services });
  await app.ready();
  return { app, services, fhir };
}

/** Inserts a Patient row as the FHIR store would (compartment = own id). */
export async function insertPatient(
  db: Database,
  id: string,
  opts: { phone?: string; cccd?: string; facility?: string; identifiers?: { system: string; value: string }[] } = {},
): Promise<void> {
  const identifier = [...(opts.cccd ? [{ system: 'http://fhir.ehealth.gov.vn/core/sid/national_id', value: opts.cccd }] : []), ...(opts.identifiers ?? [])];
  const patient = {
    resourceType: 'Patient',
    id,
    ...(identifier.length > 0 ? { identifier } : {}),
    ...(opts.phone ? { telecom: [{ system: 'phone', value: opts.phone, use: 'mobile' }] } : {}),
  };
  await db.pool.query(
    `INSERT INTO resource (resource_type, id, version_id, last_updated, compartment, source_facility, content) VALUES ('Patient', $1, 1, now(), $1, $2, $3)`,
    [id, opts.facility ?? 'F9', JSON.stringify(patient)],
  );
}

/** The newest SMS sent to a phone (log adapter), and the first 6-digit code in it. */
export async function lastCode(db: Database, phone: string): Promise<string | undefined> {
  const { rows } = await db.pool.query<{ message: string }>('SELECT message FROM sms_outbox WHERE phone = $1 ORDER BY id DESC LIMIT 1', [phone]);
  return rows[0]?.message.match(/\b\d{6}\b/)?.[0];
}

export function cookieOf(setCookie: string | string[] | number | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0]! : String(setCookie);
  return header.split(';')[0]!;
}
