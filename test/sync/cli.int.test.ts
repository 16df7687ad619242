// The sync, import and immunisation commands against a real database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncCommands } from '../../src/cli/commands/sync.ts';
import { importFhirCommand } from '../../src/cli/commands/import-fhir.ts';
import { immunizationCommands } from '../../src/cli/commands/export-immunizations.ts';
import type { Command } from '../../src/cli/command.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { Database } from '../../src/store/database.ts';
import { deadLetter } from '../../src/store/outbox.ts';
import { createTestDatabase } from '../support/db.ts';

let db: Database;
let dir: string;
let config: ReturnType<typeof loadConfig>;

async function run(cmd: Command, args: string[]): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const code = await cmd.run(args, { config, out: (l) => out.push(l), err: () => undefined });
  return { code, out };
}
const find = (cmds: Command[], p: string) => cmds.find((c) => c.path.join(' ') === p)!;

beforeAll(async () => {
  db = await createTestDatabase();
  config = loadConfig({ DATABASE_URL: (db.pool.options as { connectionString: string }).connectionString });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-sync-cli-'));
}, 60_000);
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await db?.close();
});

describe('hssk sync / import fhir / immunizations', () => {
  it('import fhir loads a file; sync status shows the queue; dead letters are listed and replayed', async () => {
    const file = path.join(dir, 'Patient.ndjson');
    fs.writeFileSync(file, [
      { resourceType: 'Patient', id: 'cli-p1', identifier: [{ system: 'http://fhir.ehealth.gov.vn/core/sid/national_id', value: '068224000009' }] },
      { resourceType: 'Patient', id: 'cli-p2' },
    ].map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect((await run(importFhirCommand, [file])).out.at(-1)).toMatch(/Tổng: 2/);
    const status = JSON.parse((await run(find(syncCommands, 'sync status'), [])).out.join('\n')) as { queueDepth: number };
    expect(status.queueDepth).toBe(2);
    const { rows } = await db.pool.query<{ seq: string }>('SELECT seq FROM sync_outbox ORDER BY seq LIMIT 1');
    await deadLetter(db.pool, [Number(rows[0]!.seq)], 422, '422: invalid');
    expect((await run(find(syncCommands, 'sync dead-letters'), [])).out[0]).toMatch(/Patient\/cli-p1\/_history\/1\t422/);
    expect((await run(find(syncCommands, 'sync replay'), [])).out[0]).toMatch(/1/);
  });

  it('immunisations: a CSV in, the CSV out', async () => {
    const csv = path.join(dir, 'tiem.csv');
    fs.writeFileSync(csv, 'cccd,ma_vac_xin,mui_so,ngay_tiem,so_lo\n068224000009,BCG,1,2024-02-01,L9\n');
    expect((await run(find(immunizationCommands, 'import immunizations'), [csv])).out[0]).toMatch(/Mới: 1/);
    const out = path.join(dir, 'ra.csv');
    await run(find(immunizationCommands, 'export immunizations'), ['--out', out]);
    expect(fs.readFileSync(out, 'utf8')).toContain('068224000009,BCG,,1,2024-02-01,,L9');
  });
});
