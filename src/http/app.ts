// The Fastify application: a tree of plugins, one per area (health, fhir, auth, consent, …).
// Shared services are decorated once here; tests call app.inject() without opening a port.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Resource } from '@medplum/fhirtypes';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logging.ts';
import type { Database } from '../store/database.ts';
import { authConfig } from '../auth/auth-config.ts';
import { authenticate, type AuthenticateOptions } from '../auth/authenticate.ts';
import { AuthError } from '../auth/errors.ts';
import type { FhirWriter } from '../auth/fhir-writer.ts';
import type { AuditSpoolOptions } from '../audit/audit-spool.ts';
import { createAuthServices, type AuthServices } from '../auth/services.ts';
import { FhirError, issue, outcome } from '../fhir/outcomes.ts';
import { indexedPatientDirectory } from '../store/patient-directory.ts';
import { Repository } from '../store/repository.ts';
import { callerFor } from './fhir-caller.ts';
import type { FhirCaller } from './fhir/request.ts';
import { adminRoutes } from './plugins/admin-users.ts';
import { auditSealer } from './plugins/audit-sealer.ts';
import { authRoutes } from './plugins/auth.ts';
import { consentRoutes } from './plugins/consent.ts';
import { consentRequestRoutes } from './plugins/consent-requests.ts';
import { fhirRoutes } from './plugins/fhir.ts';
import { healthRoutes } from './plugins/health.ts';
import { adminUnitRoutes } from './plugins/admin-units.ts';
import { householdImportRoutes } from './plugins/household-import.ts';
import { identityRoutes } from './plugins/identity.ts';
import { ingestRoutes } from './plugins/ingest.ts';
import { programRoutes } from './plugins/programs.ts';
import { pushRoutes } from './plugins/push.ts';
import { reportRoutes } from './plugins/reports.ts';
import { webRoutes } from './plugins/web.ts';
import { residentRoutes } from './plugins/residents.ts';
import { hubGuard, syncRoutes } from './plugins/sync.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    config: Config;
    services: AuthServices;
  }
}

export interface AppOptions {
  config: Config;
  db: Database;
  logger: Logger;
  /** Overrides who is calling the FHIR API (tests of FHIR semantics). Default: the request's credentials. */
  resolveCaller?: (req: FastifyRequest, options?: AuthenticateOptions) => Promise<FhirCaller>;
  /** Background work (report refresh) off, for tests that need a quiet database. */
  background?: boolean;
  /**
   * Where reads' and searches' audit entries are spooled before they reach the chain (`hssk
   * serve`: `<data dir>/audit-spool`); spools left there by dead processes are replayed first.
   * Without it, a read waits for its entry's commit.
   */
  auditSpool?: Pick<AuditSpoolOptions, 'dir' | 'lingerMs'>;
}

/** Writes FHIR resources as the system (Practitioner for new staff, Consent, …). */
export function systemFhirWriter(db: Database): FhirWriter {
  const repo = new Repository(db);
  return {
    async create(resource) {
      const written = await repo.create(resource as Resource);
      return { id: written.resource.id };
    },
    async update(resource) {
      await repo.update(resource as Resource);
    },
  };
}

/** Which database a spool's entries belong to, without credentials. */
export function databaseTarget(config: Config): string {
  if (!config.databaseUrl) return `embedded:${config.dataDir}`;
  try {
    const url = new URL(config.databaseUrl);
    return `${url.hostname}:${url.port || 5432}${url.pathname}${url.searchParams.get('host') ? `?host=${url.searchParams.get('host')}` : ''}`;
  } catch {
    return 'external';
  }
}

export function authServicesFor(config: Config, db: Database, auditSpool?: Omit<AuditSpoolOptions, 'target'>): AuthServices {
  const settings = authConfig({
    baseUrl: config.baseUrl ?? `http://localhost:${config.port}`,
    accessTokenSeconds: config.auth.accessTokenSeconds,
    sessionIdleSeconds: config.auth.sessionIdleSeconds,
    sessionAbsoluteSeconds: config.auth.sessionMaxSeconds,
    lockoutThreshold: config.auth.lockoutThreshold,
    lockoutSeconds: config.auth.lockoutSeconds,
    signingKeyRotationDays: config.auth.signingKeyRotationDays,
    sms: { adapter: config.auth.smsAdapter, gatewayUrl: config.auth.smsGatewayUrl, gatewayToken: config.auth.smsGatewayToken },
  });
  return createAuthServices({
    db,
    config: settings,
    fhir: systemFhirWriter(db),
    patients: indexedPatientDirectory(db.pool),
    ...(auditSpool ? { auditSpool: { ...auditSpool, target: databaseTarget(config) } } : {}),
  });
}

export async function buildApp({ config, db, logger, resolveCaller, background = true, auditSpool }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    // Request logs carry the route pattern, not the URL: query strings can hold names or CCCD numbers.
    logController: new LogController({ disableRequestLogging: true }),
    // Only the configured reverse proxies may set the client address (per-IP limits, audit).
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
  });
  const services = authServicesFor(config, db, auditSpool ? { ...auditSpool, log: (level, message) => logger[level](message) } : undefined);
  if (services.auditSpool) {
    const spool = services.auditSpool;
    const replayed = await spool.recover(db.pool);
    if (replayed.entries > 0) logger.warn({ spools: replayed.spools, entries: replayed.entries }, 'audit entries of stopped processes replayed into the chain');
    // The last reads' entries go in when the server stops (the database closes after the app).
    app.addHook('onClose', async () => spool.close());
  }
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('services', services);
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  const callerFromCredentials = async (req: FastifyRequest, options?: AuthenticateOptions): Promise<FhirCaller> => {
    let auth;
    try {
      auth = await authenticate(req, services, options);
    } catch (err) {
      if (err instanceof AuthError) {
        throw new FhirError(err.statusCode, outcome(issue(err.statusCode === 401 ? 'login' : 'forbidden', err.message)));
      }
      throw err;
    }
    if (!auth) throw new FhirError(401, outcome(issue('login', 'Cần đăng nhập hoặc mã truy cập (authentication required)')));
    return callerFor(auth.actor, auth.gate);
  };

  const fhirCaller = resolveCaller ?? callerFromCredentials;
  await app.register(healthRoutes);
  await app.register(adminUnitRoutes);
  // Registered before the FHIR plugin: its exact route POST /fhir/Patient/$match wins over /fhir/*.
  await app.register(identityRoutes, { services, resolveCaller: fhirCaller });
  // Before the FHIR plugin: in hub mode, a hook on every FHIR write (a province writes its own records).
  await app.register(hubGuard);
  await app.register(fhirRoutes, { prefix: '/fhir', resolveCaller: fhirCaller });
  await app.register(authRoutes, { services });
  await app.register(consentRoutes, { services });
  await app.register(consentRequestRoutes, { services });
  await app.register(residentRoutes, { services });
  await app.register(adminRoutes, { services });
  await app.register(ingestRoutes);
  await app.register(householdImportRoutes);
  await app.register(reportRoutes, { refreshIntervalMs: background ? 60_000 : 0 });
  await app.register(programRoutes, { services });
  await app.register(pushRoutes, { services });
  await app.register(auditSealer);
  await app.register(syncRoutes);
  await app.register(webRoutes);
  return app;
}
