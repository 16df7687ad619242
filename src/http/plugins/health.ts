// GET /healthz: 200 once the database answers; 503 otherwise (for load balancers and scripts).
import type { FastifyPluginAsync } from 'fastify';

export const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/healthz', { logLevel: 'warn' }, async (_req, reply) => {
    try {
      await app.db.pool.query('SELECT 1');
      return { status: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', message: 'Cơ sở dữ liệu chưa sẵn sàng' });
    }
  });
};
