// A server process's audit spool, to be killed: records entries with a linger long enough that
// none reaches PostgreSQL on its own, after `flushFirst` of them have been written in, then
// reports "spooled <id>" on stdout and waits for its SIGKILL (src/audit/audit-spool.int.test.ts).
import pg from 'pg';
import { SpooledAuditLog } from '../../src/audit/audit-spool.ts';
import { createChainedAuditLog } from '../../src/audit/chained-audit-log.ts';

const [connectionString, dir, target, total, flushFirst] = process.argv.slice(2) as [string, string, string, string, string];
const pool = new pg.Pool({ connectionString, max: 2 });
const spool = new SpooledAuditLog(createChainedAuditLog(pool), { dir, target, lingerMs: 3_600_000, segmentBytes: 600 });
const entry = (i: number) => ({ action: 'read' as const, outcome: '0' as const, agentKind: 'client', agentId: 'his-68001', patientId: `p${i}`, entityType: 'Patient', entityId: `p${i}` });
for (let i = 0; i < Number(flushFirst); i++) await spool.record(entry(i));
await spool.flush();
for (let i = Number(flushFirst); i < Number(total); i++) await spool.record(entry(i));
process.stdout.write(`spooled ${spool.id}\n`);
setInterval(() => undefined, 60_000);
