import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import { insertAuditEntries } from '../../audit/audit-log.ts';
import { sealAll } from '../../audit/sealer.ts';
import { loadConfig } from '../../config/config.ts';
import type { Database } from '../../store/database.ts';
import type { Command } from '../command.ts';
import { auditVerifyCommand } from './audit-verify.ts';
import { clientCreateCommand } from './client-create.ts';
import { smsOutboxCommand } from './sms-outbox.ts';
import { userCreateCommand } from './user-create.ts';

let db: Database;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  url = (db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
});
afterAll(async () => {
  await db.close();
});

async function run(command: Command, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await command.run(args, { config: loadConfig({ DATABASE_URL: url }), out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('hssk user/client/audit/sms commands', () => {
  it('bootstraps the first administrator with a generated password and a TOTP enrolment URI', async () => {
    const r = await run(userCreateCommand, ['--username', 'admin', '--role', 'admin', '--name', 'Quản trị Sở Y tế']);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out);
    expect(printed.password).toHaveLength(20);
    expect(printed.totp_uri).toMatch(/^otpauth:\/\/totp\/HSSK:admin\?secret=/);
    await expect(run(userCreateCommand, ['--username', 'bs.an', '--role', 'clinician', '--name', 'BS'])).rejects.toThrow(/facility/);
  });

  it('registers a client and prints its id and secret as JSON', async () => {
    const r = await run(clientCreateCommand, ['--name', 'BV Đa khoa', '--facility', '68001', '--scope', 'system/*.read system/Observation.write']);
    expect(Object.keys(JSON.parse(r.out))).toEqual(['client_id', 'client_secret']);
    await expect(run(clientCreateCommand, ['--name', 'x', '--scope', 'patient/*.read'])).rejects.toThrow(/system scopes/);
  });

  it('verifies the audit chain, and names the broken entry after a direct edit', async () => {
    await insertAuditEntries(db.pool, Array.from({ length: 5 }, () => ({ action: 'read' as const, outcome: '0' as const, agentKind: 'staff', patientId: 'p' })));
    await sealAll(db);
    expect((await run(auditVerifyCommand, [])).code).toBe(0);
    await db.transaction(async (c) => {
      await c.query('SET LOCAL session_replication_role = replica');
      await c.query("UPDATE audit_row SET patient_id = 'q' WHERE chain_pos = 3");
    });
    const broken = await run(auditVerifyCommand, []);
    expect(broken.code).toBe(1);
    expect(broken.err).toContain('vị trí 3');
  });

  it('shows the development SMS outbox', async () => {
    await db.pool.query("INSERT INTO sms_outbox (phone, message) VALUES ('+84912345678', 'HSSK: Ma 123456')");
    const r = await run(smsOutboxCommand, ['--phone', '0912345678']);
    expect(r.out).toContain('HSSK: Ma 123456');
  });
});
