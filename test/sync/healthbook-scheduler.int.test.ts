// The health-book scheduler (QĐ 1551: health checks reach the Ministry within 24 hours): the job
// the pg-boss queue runs finds a new health check, pushes it signed to the test receiver once and
// only once — however often and however concurrently the job runs — and keeps what it could not
// push for the next run.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { loadFhirDefinitions } from '../../src/fhir/definitions.ts';
import { IdentifierSystem } from '../../src/fhir/systems.ts';
import { recordHealthCheck } from '../../src/programs/visits.ts';
import type { Database } from '../../src/store/database.ts';
import { Repository } from '../../src/store/repository.ts';
import { healthBookCounts } from '../../src/sync/healthbook/push-job.ts';
import { healthBookJob } from '../../src/sync/healthbook/start.ts';
import { syncStatus } from '../../src/sync/status.ts';
import { createTestDatabase } from '../support/db.ts';
import { startHealthBookReceiver, type HealthBookReceiver } from './healthbook-receiver.ts';

const key = generateKeyPairSync('rsa', { modulusLength: 2048 });
let db: Database;
let receiver: HealthBookReceiver;
let dir: string;
let patientId: string;
let job: NonNullable<ReturnType<typeof healthBookJob>>;

/** The record inside a pushed KHAMSUCKHOE file (NOIDUNGFILE, base64). */
function innerRecord(file: string): string {
  const m = /<NOIDUNGFILE>([^<]+)<\/NOIDUNGFILE>/.exec(file);
  return Buffer.from(m![1]!, 'base64').toString('utf8');
}

beforeAll(async () => {
  loadFhirDefinitions();
  db = await createTestDatabase();
  receiver = await startHealthBookReceiver({ publicKey: key.publicKey, username: 'cs68001', password: 'mat-khau' });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-hb-'));
  const keyFile = path.join(dir, 'facility.pem');
  await fs.writeFile(keyFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const config = loadConfig({
    HSSK_HEALTHBOOK_URL: receiver.url,
    HSSK_HEALTHBOOK_USER: 'cs68001',
    HSSK_HEALTHBOOK_PASSWORD: 'mat-khau',
    HSSK_HEALTHBOOK_FACILITY_ID: '6800100000001',
    HSSK_HEALTHBOOK_KEY_FILE: keyFile,
    HSSK_HEALTHBOOK_INTERVAL_MINUTES: '5',
  });
  const built = healthBookJob(config, db, () => undefined);
  expect(built?.cron).toBe('*/5 * * * *');
  job = built!;
  const patient = await new Repository(db).create({
    resourceType: 'Patient',
    identifier: [{ system: IdentifierSystem.cccd, value: '068190000123' }],
    name: [{ family: 'Trần', given: ['Thị', 'Mai'], text: 'Trần Thị Mai' }],
    gender: 'female',
    birthDate: '1950-04-02',
  } as Patient);
  patientId = patient.resource.id;
});

afterAll(async () => {
  await receiver.close();
  await db.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the health-book scheduler', () => {
  it('pushes a new health check once, signed, and never again however often the job runs', async () => {
    const check = await recordHealthCheck(db, { patientId, date: '2026-11-20', kind: 'elderly', weightKg: 52, systolic: 150, diastolic: 90, pulse: 78, conclusion: 'Tăng huyết áp độ 1' }, '68001');
    expect((await healthBookCounts(db.pool)).pending).toBe(1);

    await job.run();
    expect(receiver.received).toHaveLength(1);
    const file = receiver.received[0]!.record;
    expect(file).toContain('<MACSKCB>68001</MACSKCB>');
    const record = innerRecord(file);
    expect(record).toContain(`<MA_LK>${check.encounterId}</MA_LK>`);
    expect(record).toContain('<SO_CCCD>068190000123</SO_CCCD>');
    expect(record).toContain('<HO_TEN>Trần Thị Mai</HO_TEN>');
    expect(record).toContain('<HUYET_AP>150/90</HUYET_AP>');
    expect(record).toContain('<KET_LUAN>Tăng huyết áp độ 1</KET_LUAN>');

    await job.run();
    await Promise.all([job.run(), job.run()]);
    expect(receiver.received).toHaveLength(1);
    expect(await healthBookCounts(db.pool)).toMatchObject({ pending: 0, pushed: 1, failing: 0 });
    // The disclosure to the Ministry is in the audit trail, with the receiver's transaction id.
    const { rows } = await db.pool.query(`SELECT patient_id, detail FROM audit_entry WHERE action = 'export' AND entity_type = 'Encounter' AND entity_id = $1`, [check.encounterId]);
    expect(rows).toHaveLength(1);
    expect(rows[0].patient_id).toBe(patientId);
    expect(rows[0].detail.transactionId).toBe(receiver.received[0]!.transactionId);
  });

  it('two runs at once push a new check once', async () => {
    await recordHealthCheck(db, { patientId, date: '2026-11-21', kind: 'general', weightKg: 53 }, '68001');
    await Promise.all([job.run(), job.run(), job.run()]);
    expect(receiver.received).toHaveLength(2);
  });

  it('a check the receiver cannot take yet waits for the next run, shown on the status, then goes once', async () => {
    await recordHealthCheck(db, { patientId, date: '2026-11-22', kind: 'general', pulse: 80 }, '68001');
    receiver.down = true;
    await job.run();
    expect(receiver.received).toHaveLength(2);
    const status = await syncStatus(db.pool, undefined, 'province', { url: receiver.url, intervalMinutes: 5 });
    expect(status.healthBook).toMatchObject({ configured: true, pending: 1, failing: 1, pushed: 2, overdue: 0 });
    expect((status.healthBook as { lastError: string }).lastError).toMatch(/503/);

    receiver.down = false;
    await job.run();
    await job.run();
    expect(receiver.received).toHaveLength(3);
    expect(await healthBookCounts(db.pool)).toMatchObject({ pending: 0, pushed: 3, failing: 0, lastError: null });
  });
});
