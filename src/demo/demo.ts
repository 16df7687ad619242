// The demo province `npm start` loads on the embedded database's first run, so that a new user
// sees a working province: a small generated province (facilities, households, hospital
// episodes in XML 130 through the real import pipeline), a fixed family whose records show every
// kind of entry, and demo staff accounts. Everything it writes is tagged or named as demo, and
// it runs once: the system_setting "demo" row records that it was loaded.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { Config } from '../config/config.ts';
import { createStaffUser } from '../auth/staff-users.ts';
import type { FhirWriter } from '../auth/fhir-writer.ts';
import { Tag } from '../fhir/systems.ts';
import { paramKey } from '../fhir/search-parameters.ts';
import { importFacilities } from '../ingest/facility/import-facilities.ts';
import { importHouseholds } from '../ingest/household/import-households.ts';
import { openHouseholdSource } from '../ingest/household/read-rows.ts';
import { ingestXmlFile } from '../ingest/channel/xml-channel.ts';
import { generateEpisodes } from '../ingest/xml/generator.ts';
import type { PipelineContext } from '../pipeline/types.ts';
import { refreshAll } from '../programs/state/refresh.ts';
import { refreshReports } from '../reports/refresh.ts';
import { generateProvince } from '../province/generator.ts';
import { Repository } from '../store/repository.ts';
import type { Database } from '../store/database.ts';
import { buildDemoBundle } from './demo-bundle.ts';
import { allocateResidentIds, upsertPersons, type PersonToWrite } from '../identity/mpi/mpi-store.ts';
import { personRow } from '../identity/mpi/person-row.ts';
import { withResidentId } from '../pipeline/patient-data.ts';

export const DEMO_RESIDENTS = 1500;
export const DEMO_EPISODES = 600;
/** The demo's episodes start in the 300 days beginning this many days ago. */
const DEMO_EPISODE_DAYS_AGO = 310;

/** Demo accounts: usernames and roles. Passwords are generated and written to the data directory. */
const DEMO_STAFF = [
  { username: 'demo.xa', displayName: 'Cán bộ trạm y tế xã (demo)', role: 'commune-worker' as const, commune: true },
  { username: 'demo.bacsi', displayName: 'Bác sĩ bệnh viện tỉnh (demo)', role: 'clinician' as const, facility: '68001' },
  { username: 'demo.quanly', displayName: 'Quản lý Sở Y tế (demo)', role: 'manager' as const },
];

export interface DemoResult {
  residents: number;
  episodes: number;
  credentialsFile: string;
}

async function busiestCommune(db: Database): Promise<string> {
  const { rows } = await db.pool.query<{ code: string }>(
    `SELECT t.code FROM search_token t WHERE t.p = $1 GROUP BY t.code ORDER BY count(*) DESC, t.code LIMIT 1`,
    [paramKey('Patient', 'address-commune')],
  );
  return rows[0]?.code ?? '24820';
}

export async function loadDemoIfFirstRun(
  db: Database,
  config: Config,
  fhir: FhirWriter,
  log: (line: string) => void,
): Promise<DemoResult | undefined> {
  const { rows } = await db.pool.query(`SELECT 1 FROM system_setting WHERE key = 'demo'`);
  if (rows.length > 0) return undefined;
  const { rows: existing } = await db.pool.query('SELECT 1 FROM resource LIMIT 1');
  if (existing.length > 0) {
    // A database that already holds real data never gets demo data mixed in.
    await db.pool.query(`INSERT INTO system_setting (key, value) VALUES ('demo', '{"loaded": false, "reason": "database not empty"}') ON CONFLICT DO NOTHING`);
    return undefined;
  }
  log('Lần chạy đầu tiên: đang tạo tỉnh mẫu (first run: building the demo province)…');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hssk-demo-'));
  try {
    const ctx: PipelineContext = { db, actor: { kind: 'system', name: 'demo' }, province: config.province, populationRule: config.identityPopulationRule };
    generateProvince({ residents: DEMO_RESIDENTS, seed: 'hssk-demo', outDir: dir, province: config.province, pairs: 0 });
    await importFacilities(ctx, path.join(dir, 'facilities.csv'));
    // The generated list is every household of its communes: they are covered (docs/identity.md, rule 5).
    const households = await importHouseholds(ctx, openHouseholdSource(path.join(dir, 'households.csv')), { completeList: true });
    log(`  hộ gia đình: ${households.rows} người, ${households.households} hộ`);
    // The demo family and the commune worker live in the commune with the most residents.
    const commune = await busiestCommune(db);
    // Episodes of the last ten months (ending ten days ago, so every stay is over), so this year's
    // reports, the worklists and the residents' timelines show them.
    const from = new Date(Date.now() - DEMO_EPISODE_DAYS_AGO * 86_400_000).toISOString().slice(0, 10);
    const episodes = await generateEpisodes({ provinceDir: dir, count: DEMO_EPISODES, format: '130', outDir: path.join(dir, 'xml'), seed: 'hssk-demo', from });
    let accepted = 0;
    for (const file of episodes.files) accepted += (await ingestXmlFile(ctx, file, { threads: config.ingestThreads })).accepted;
    log(`  đợt điều trị (XML 130): ${accepted} được nhận`);

    const repo = new Repository(db);
    await repo.transaction(async (tx) => {
      const entries = buildDemoBundle(config.province, commune).entry ?? [];
      // The family's resident IDs come from the sequence, like every resident's (never reused).
      const residentIds = await allocateResidentIds(tx.queryable, config.province, entries.filter((e) => e.resource?.resourceType === 'Patient').length);
      const persons: PersonToWrite[] = [];
      for (const entry of entries) {
        let resource = entry.resource as Resource;
        if (resource.resourceType === 'Patient') resource = withResidentId(resource as Patient, residentIds.shift()!);
        resource.meta = { ...resource.meta, tag: [...(resource.meta?.tag ?? []), Tag.demo] };
        const written = await tx.update(resource);
        if (written.resource.resourceType === 'Patient') persons.push(personRow(written.resource.id!, written.resource, true));
      }
      // In the patient index like every resident, so a create or an import of them finds them.
      await upsertPersons(tx.queryable, persons);
    });
    // The demo's worklists are there at once, not only after the nightly programme refresh.
    const programs = await refreshAll(db);
    log(`  chương trình y tế: ${programs.worklistRows} mục trong danh sách công việc`);
    // The reports too, rather than after the server's first refresh a minute later.
    const reports = await refreshReports(db, { province: config.province });
    log(`  báo cáo: ${reports.episodes} đợt điều trị đã tổng hợp`);

    const credentialsFile = path.join(config.dataDir, 'demo-accounts.txt');
    const lines = ['Tài khoản dùng thử (demo) — chỉ dùng trên máy thử nghiệm', ''];
    for (const staff of DEMO_STAFF) {
      const created = await createStaffUser(
        db.pool,
        {
          username: staff.username,
          displayName: staff.displayName,
          role: staff.role,
          ...(staff.commune ? { communeCode: commune } : {}),
          ...(staff.facility ? { facilityCode: staff.facility } : {}),
        },
        fhir,
      );
      lines.push(`${staff.username}\t${created.generatedPassword}\t${staff.displayName}`);
    }
    await fs.writeFile(credentialsFile, lines.join('\n') + '\n', { mode: 0o600 });
    const result = { residents: DEMO_RESIDENTS, episodes: accepted, credentialsFile };
    await db.pool.query(`INSERT INTO system_setting (key, value) VALUES ('demo', $1)`, [
      JSON.stringify({ loaded: true, at: new Date().toISOString(), ...result }),
    ]);
    return result;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
