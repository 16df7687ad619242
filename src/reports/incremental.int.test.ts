// The incremental refresh (cells updated by difference) must give exactly the cells a rebuild
// from scratch gives, after every kind of change a province sees: new episodes, an episode
// re-sent with other diagnoses, a deletion, a resident moving commune, and a merge of records.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Condition, Encounter, Immunization, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { CodeSystem, Extension } from '../fhir/systems.ts';
import { mergePatients } from '../identity/mpi/merge.ts';
import { ingestXmlFile } from '../ingest/channel/xml-channel.ts';
import { importHouseholds } from '../ingest/household/import-households.ts';
import { openHouseholdSource } from '../ingest/household/read-rows.ts';
import { generateEpisodes } from '../ingest/xml/generator.ts';
import type { PipelineContext } from '../pipeline/types.ts';
import { ProgramSystem } from '../programs/codes.ts';
import { generateProvince } from '../province/generator.ts';
import { bulkLoad } from '../store/bulk-load.ts';
import type { Database } from '../store/database.ts';
import { Repository } from '../store/repository.ts';
import { DISEASE, DISEASE_PROVINCE, COVERAGE, NCD, VACCINATION } from './cell-queries.ts';
import { rebuildDiseaseCells } from './cells.ts';
import { diagnosisIds } from './extract.ts';
import { refreshReports, reportFreshness } from './refresh.ts';

let db: Database;
let repo: Repository;
let dir: string;
// One clock for every refresh, so the daily rebuild does not take over half-way.
const NOW = new Date('2026-07-01T03:00:00Z');
const system = { kind: 'system', name: 'test:incremental' } as const;

async function current<T extends Resource>(type: string): Promise<(T & { id: string })[]> {
  const { rows } = await db.pool.query<{ content: string }>(`SELECT content FROM resource WHERE resource_type = $1 AND NOT deleted ORDER BY rid`, [type]);
  return rows.map((r) => JSON.parse(r.content) as T & { id: string });
}

const communeOf = (p: Patient) => p.address?.[0]?.extension?.find((e) => e.url === Extension.addressCommune)?.valueCode ?? '';

/** Every cell of every table, in a stable order. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const cell of [COVERAGE, NCD, VACCINATION, DISEASE, DISEASE_PROVINCE]) {
    const keys = cell.keys.join(', ');
    out[cell.table] = (await db.pool.query(`SELECT ${keys}, ${cell.measures.join(', ')} FROM ${cell.table} ORDER BY ${keys}`)).rows;
  }
  out.report_arrival_cell = (await db.pool.query('SELECT facility, day::text, episodes, last_arrival FROM report_arrival_cell ORDER BY 1, 2')).rows;
  return out;
}

/** Forgets every fact and cell and builds them again from the stored resources. */
async function rebuildFromScratch(now: Date): Promise<void> {
  await db.pool.query(
    `TRUNCATE report_person, report_episode, report_ncd_condition, report_ncd_care, report_measure, report_immunization, report_ncd_person,
              report_coverage_cell, report_disease_cell, report_disease_province_cell, report_ncd_cell, report_vaccination_cell, report_arrival_cell, report_dirty_resource, report_dirty_patient`,
  );
  await db.pool.query(
    `INSERT INTO report_dirty_resource (rid, resource_type) SELECT rid, resource_type FROM resource
     WHERE resource_type IN ('Patient', 'Encounter', 'Condition', 'Immunization', 'Observation', 'EpisodeOfCare', 'Group')`,
  );
  await db.pool.query('INSERT INTO report_dirty_patient (patient_id) SELECT patient_id FROM resident_account ON CONFLICT DO NOTHING');
  await refreshReports(db, { province: '68', now, full: true });
}

// The disease cells written the obvious way (16 rows per episode, distinct patients by
// count(DISTINCT)): the reference the one-pass query of cell-queries.ts must match.
const PER_EPISODE_DISEASE_CELLS = `
  SELECT g.grain, l.level, CASE g.grain WHEN 'M' THEN e.month ELSE date_trunc('year', e.month)::date END,
         e.commune, e.old_district, c.care, l.key, count(*), count(DISTINCT e.patient_id)
  FROM report_episode e
  CROSS JOIN (VALUES ('M'), ('Y')) AS g(grain)
  CROSS JOIN LATERAL (VALUES (e.care), ('all')) AS c(care)
  CROSS JOIN LATERAL (VALUES ('all', '*'), ('chapter', e.chapter), ('group', e.icd_group), ('code', e.code)) AS l(level, key)
  WHERE $1::text IS NULL
  GROUP BY 1, 2, 3, 4, 5, 6, 7`;

async function refreshIncrementally(): Promise<void> {
  const r = await refreshReports(db, { province: '68', now: NOW });
  expect(r.full).toBe(false);
  expect(r.resources).toBeGreaterThan(0);
}

function episode(id: string, patient: string, code: string, start: string, klass = 'AMB'): Resource[] {
  return [
    { resourceType: 'Condition', id: `${id}-c`, subject: { reference: `Patient/${patient}` }, code: { coding: [{ system: CodeSystem.icd10, code }] } } as Condition,
    {
      resourceType: 'Encounter', id, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: klass },
      subject: { reference: `Patient/${patient}` }, period: { start }, diagnosis: [{ condition: { reference: `Condition/${id}-c` }, rank: 1 }],
    } as Encounter,
  ];
}

beforeAll(async () => {
  db = await createTestDatabase();
  repo = new Repository(db);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-reports-inc-'));
  const ctx: PipelineContext = { db, actor: system, province: '68', asOf: '2026-07-01' };
  generateProvince({ residents: 300, seed: 'incremental', outDir: dir, pairs: 0 });
  await importHouseholds(ctx, openHouseholdSource(path.join(dir, 'households.csv')), { batchSize: 300, today: '2026-07-01' });
  const episodes = await generateEpisodes({ provinceDir: dir, count: 400, format: '130', outDir: path.join(dir, 'xml'), seed: 5, perFile: 200 });
  for (const file of episodes.files) await ingestXmlFile(ctx, file);
  await refreshReports(db, { province: '68', now: NOW });
}, 240_000);

afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('incremental refresh equals a rebuild from scratch', () => {
  it('after new episodes, a re-sent episode, a deletion, a move and a merge', async () => {
    const patients = await current<Patient>('Patient');
    const encounters = await current<Encounter>('Encounter');
    const byCommune = new Map<string, (Patient & { id: string })[]>();
    for (const p of patients) byCommune.set(communeOf(p), [...(byCommune.get(communeOf(p)) ?? []), p]);
    const [communeA, communeB] = [...byCommune.keys()].filter((c) => c !== '');
    const a = byCommune.get(communeA!)!;
    const b = byCommune.get(communeB!)!;
    const child = patients.find((p) => (p.birthDate ?? '0000') >= '2021')!;

    // 1. New episodes: two of one resident in the same cell (one distinct patient), an admission,
    //    a child's vaccinations and a diabetes diagnosis.
    await bulkLoad(db, [
      ...episode('inc-1', a[0]!.id, 'J06.9', '2026-03-02T08:00:00+07:00'),
      ...episode('inc-2', a[0]!.id, 'J06.9', '2026-03-20T08:00:00+07:00'),
      ...episode('inc-3', a[1]!.id, 'I21.0', '2026-04-02T08:00:00+07:00', 'IMP'),
      ...episode('inc-4', b[0]!.id, 'E11.9', '2026-05-02T08:00:00+07:00'),
      ...['BCG', 'VGB'].map((v, i) => ({
        resourceType: 'Immunization', id: `inc-imm-${i}`, status: 'completed', patient: { reference: `Patient/${child.id}` },
        occurrenceDateTime: '2026-01-10', vaccineCode: { coding: [{ system: ProgramSystem.vaccine, code: v }] },
      }) as Immunization),
    ], { validate: false, sourceFacility: '68001' });
    await refreshIncrementally();

    // 2. An episode re-sent with another main diagnosis (the old Condition removed).
    const resent = encounters.find((e) => diagnosisIds(e).length > 0)!;
    const oldMain = diagnosisIds(resent)[0]!;
    await repo.create({ resourceType: 'Condition', id: 'inc-resent-c', subject: resent.subject, code: { coding: [{ system: CodeSystem.icd10, code: 'K29.7' }] } } as Condition, {}, 'inc-resent-c');
    await repo.update({ ...resent, diagnosis: [{ condition: { reference: 'Condition/inc-resent-c' }, rank: 1 }] });
    await repo.delete('Condition', oldMain);
    await refreshIncrementally();

    // 3. A deleted episode.
    const gone = encounters.find((e) => e.id !== resent.id)!;
    await repo.delete('Encounter', gone.id);
    await refreshIncrementally();

    // 4. A resident (with episodes) moves to another commune.
    const mover = (await current<Patient>('Patient')).find((p) => p.id === a[0]!.id)!;
    await repo.update({ ...mover, address: [{ ...mover.address![0]!, extension: [{ url: Extension.addressCommune, valueCode: communeB! }] }] });
    await refreshIncrementally();

    // 5. Two records of one person merged: the source's episodes go to the survivor.
    await mergePatients(db, a[1]!.id, b[0]!.id, system);
    await refreshIncrementally();

    // 6. The next day: the date-dependent cells are rebuilt, disease cells still follow by difference.
    const nextDay = new Date(NOW.getTime() + 24 * 3600_000);
    await bulkLoad(db, episode('inc-5', b[2]!.id, 'J06.9', '2026-07-01T09:00:00+07:00'), { validate: false, sourceFacility: '68002' });
    const daily = await refreshReports(db, { province: '68', now: nextDay });
    expect(daily.full).toBe(true);
    expect(Object.keys(daily.cells.changed)).toEqual(['report_disease_cell', 'report_disease_province_cell']);

    const incremental = await snapshot();
    expect(incremental.report_disease_cell!.length).toBeGreaterThan(0);
    expect(incremental.report_disease_province_cell!.length).toBeGreaterThan(0);
    await rebuildFromScratch(nextDay);
    const rebuilt = await snapshot();
    for (const table of Object.keys(rebuilt)) expect({ table, rows: incremental[table] }).toEqual({ table, rows: rebuilt[table] });
  });

  it('the as-of time is when the queue was last found empty, and pending changes are counted', async () => {
    const before = await reportFreshness(db.pool);
    expect(before.pending).toBe(0);
    const p = (await current<Patient>('Patient'))[5]!;
    await bulkLoad(db, episode('inc-asof', p.id, 'A09', '2026-06-01T08:00:00+07:00'), { validate: false, sourceFacility: '68001' });
    expect((await reportFreshness(db.pool)).pending).toBe(2);
    const started = new Date();
    await refreshReports(db, { province: '68' });
    const after = await reportFreshness(db.pool);
    expect(after.pending).toBe(0);
    expect(new Date(after.asOf!).getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
    expect(new Date(after.asOf!).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('the one-pass disease cells equal a plain per-episode count with count(DISTINCT)', async () => {
    const p = (await current<Patient>('Patient'))[7]!;
    // One resident, two kinds of care and two codes of one chapter in one month: distinct
    // patients must not add up across care, codes or months.
    await bulkLoad(db, [
      ...episode('inc-build-1', p.id, 'J06.9', '2026-02-03T08:00:00+07:00'),
      ...episode('inc-build-2', p.id, 'J02.9', '2026-02-04T08:00:00+07:00', 'IMP'),
      ...episode('inc-build-3', p.id, 'J06.9', '2026-05-04T08:00:00+07:00'),
    ], { validate: false, sourceFacility: '68001' });
    await refreshReports(db, { province: '68', now: NOW });
    const keys = DISEASE.keys.join(', ');
    const rows = (sql: string) => db.transaction(async (c) => {
      await c.query(`CREATE TEMP TABLE expected (LIKE report_disease_cell) ON COMMIT DROP`);
      await c.query(`INSERT INTO expected ${sql}`, [null]);
      return (await c.query(`SELECT ${keys}, episodes, patients FROM expected ORDER BY ${keys}`)).rows;
    });
    const perEpisode = await rows(PER_EPISODE_DISEASE_CELLS);
    await db.transaction((c) => rebuildDiseaseCells(c, '68'));
    const built = (await db.pool.query(`SELECT ${keys}, episodes, patients FROM report_disease_cell ORDER BY ${keys}`)).rows;
    expect(built.length).toBeGreaterThan(100);
    expect(built).toEqual(perEpisode);
  });

  it('commune cells built before the province-wide cells existed get their sums before the next difference', async () => {
    // An installation upgraded to migration 390 with its cells kept: a difference added to the
    // empty province table would leave it holding only the difference.
    const p = (await current<Patient>('Patient'))[9]!;
    await db.pool.query('TRUNCATE report_disease_province_cell');
    await bulkLoad(db, episode('inc-upgrade-1', p.id, 'J06.9', '2026-06-10T08:00:00+07:00'), { validate: false, sourceFacility: '68001' });
    await refreshReports(db, { province: '68', now: NOW });
    const upgraded = (await snapshot()).report_disease_province_cell!;
    expect(upgraded.length).toBeGreaterThan(100);
    await rebuildFromScratch(NOW);
    expect(upgraded).toEqual((await snapshot()).report_disease_province_cell);
  });
});
