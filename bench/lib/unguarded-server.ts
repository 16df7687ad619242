// BENCHMARK-ONLY BUILD — never shipped, never reachable from `hssk`: `hssk serve` (the same
// start-up, background workers and application) with the two things the access-overhead
// benchmark subtracts taken out — the caller is resolved to an unrestricted caller without
// reading any credential (no token or session check, no scope check, no access condition in
// the SQL), and the audit log discards what it is given. Every other code path (routing,
// search, SQL, serialisation) is the product's. Started by bench/access-overhead.ts.
import { loadConfig } from '../../src/config/config.ts';
import type { FhirCaller } from '../../src/http/fhir/request.ts';
import { startServer } from '../../src/server.ts';

const UNGUARDED: FhirCaller = { authorize: () => undefined };

const server = await startServer(loadConfig(process.env), {
  adaptApp: {
    resolveCaller: async () => UNGUARDED,
    afterBuild: (app) => {
      for (const log of [app.services.audit, app.services.readAudit]) Object.assign(log, { record: async () => undefined, recordMany: async () => undefined });
    },
  },
});
await server.closed;
process.exit(0);
