// An HSSK application on a fresh test database, called through app.inject() (no port opened).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { loadConfig } from '../../src/config/config.ts';
import { buildApp } from '../../src/http/app.ts';
import type { AuthenticateOptions } from '../../src/auth/authenticate.ts';
import type { FhirCaller } from '../../src/http/fhir/request.ts';
import { createLogger } from '../../src/logging.ts';
import type { Database } from '../../src/store/database.ts';
import { createTestDatabase } from './db.ts';

/** A caller allowed everything: for tests of FHIR semantics, not of access rules. */
export const SYSTEM_CALLER: FhirCaller = { authorize: () => undefined };

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  close(): Promise<void>;
}

export async function createTestApp(
  options: {
    caller?: FhirCaller;
    resolveCaller?: (req: FastifyRequest, options?: AuthenticateOptions) => Promise<FhirCaller>;
    env?: Record<string, string>;
    /** Spool reads' audit entries as `hssk serve` does (src/audit/audit-spool.ts). */
    auditSpool?: { dir: string; lingerMs?: number };
  } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({ HSSK_BASE_URL: 'http://hssk.test', ...options.env });
  const app = await buildApp({
    config,
    db,
    logger: createLogger('silent'),
    resolveCaller: options.resolveCaller ?? (async () => options.caller ?? SYSTEM_CALLER),
    ...(options.auditSpool ? { auditSpool: options.auditSpool } : {}),
  });
  return {
    app,
    db,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
