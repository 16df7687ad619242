// The Fastify application: a tree of plugins, one per area (health, fhir, auth, …).
// Shared services are decorated once here; tests call app.inject() without opening a port.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import type { Logger } from '../logging.ts';
import type { Database } from '../store/database.ts';
import { FhirError, issue, outcome } from '../fhir/outcomes.ts';
import type { FhirCaller } from './fhir/request.ts';
import { fhirRoutes } from './plugins/fhir.ts';
import { healthRoutes } from './plugins/health.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    config: Config;
  }
}

export interface AppOptions {
  config: Config;
  db: Database;
  logger: Logger;
  /** Who is calling the FHIR API. Without one, every FHIR request is refused (deny by default). */
  resolveCaller?: (req: FastifyRequest) => Promise<FhirCaller>;
}

const denyAll = async (): Promise<FhirCaller> => {
  throw new FhirError(401, outcome(issue('login', 'Cần đăng nhập (authentication required)')));
};

export async function buildApp({ config, db, logger, resolveCaller = denyAll }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    // Request logs carry the route pattern, not the URL: query strings can hold names or CCCD numbers.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: true,
  });
  app.decorate('db', db);
  app.decorate('config', config);
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  await app.register(healthRoutes);
  await app.register(fhirRoutes, { prefix: '/fhir', resolveCaller });
  return app;
}
