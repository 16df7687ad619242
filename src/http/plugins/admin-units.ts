// GET /api/admin-units/provinces and /api/admin-units/communes?province=68: the 2025
// administrative units, for pickers (the residents' app's address form). Public reference data
// (no personal data), like /fhir/metadata; the default province is the deployment's.
import type { FastifyPluginAsync } from 'fastify';
import { communesOf, province, provinces } from '../../province/admin-units.ts';

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'vi');

export const adminUnitRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/admin-units/provinces', async (_req, reply) => {
    reply.header('cache-control', 'public, max-age=86400');
    return { provinces: provinces().map(({ code, name }) => ({ code, name })).sort(byName) };
  });

  app.get<{ Querystring: { province?: string } }>(
    '/api/admin-units/communes',
    { schema: { querystring: { type: 'object', properties: { province: { type: 'string', pattern: '^\\d{2}$' } }, additionalProperties: false } } },
    async (req, reply) => {
      const code = req.query.province ?? app.config.province;
      if (!province(code)) return reply.code(404).send({ error: 'not-found', message: `Không có tỉnh/thành phố mã "${code}"` });
      reply.header('cache-control', 'public, max-age=86400');
      return { province: code, communes: communesOf(code).map(({ code: c, name }) => ({ code: c, name })).sort(byName) };
    },
  );
};
