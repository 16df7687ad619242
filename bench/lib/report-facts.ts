// Synthetic report facts for the reports benchmark (bigint arithmetic: 1,000,000 residents
// overflow int4 products): residents, episodes, NCD register rows and
// immunizations generated in SQL (generate_series), at any size. Loading 10 M episodes through
// the pipeline would take hours; these rows have the shape the extractor writes.
// Speed: episodes carry their resident's commune computed from the resident number (no join
// on a text key), and the secondary indexes of the episode table are dropped during the load
// and created again from their own definitions (pg_indexes) afterwards: one sorted build per
// index instead of 10 M random B-tree inserts.
import type { Database } from '../../src/store/database.ts';

export interface SyntheticSize {
  residents: number;
  episodes: number;
  communes: readonly string[];
  /** The old district of each commune (same order). */
  districts: readonly string[];
  icd: readonly { code: string; chapter: string; group: string }[];
}

/** Episodes per INSERT: bounded statements, so a long load reports progress. */
const EPISODE_CHUNK = 2_000_000;

export async function synthesiseReportFacts(db: Database, size: SyntheticSize, log: (line: string) => void): Promise<void> {
  const { residents, episodes, communes, districts, icd } = size;
  // Resident n lives in commune 1 + n % communes (the same rule below for their episodes).
  await db.pool.query(
    `INSERT INTO report_person (patient_id, commune, old_district, sex, birth_date, groups, verified, active, in_household, has_data, has_account, last_activity)
     SELECT 'p' || n, ($2::text[])[1 + n % $4], ($3::text[])[1 + n % $4], CASE WHEN n % 2 = 0 THEN 'male' ELSE 'female' END,
            date '1930-01-01' + (n * 7919 % 34000)::int, CASE n % 5 WHEN 0 THEN '{under-6}'::text[] WHEN 1 THEN '{employee}' WHEN 2 THEN '{elderly,retiree}' ELSE '{other}' END,
            n % 3 = 0, true, n % 50 <> 0, n % 10 < 8, n % 7 = 0, now() - (n % 700) * interval '1 day'
     FROM generate_series(1, $1::bigint) AS n`,
    [residents, communes, districts, communes.length],
  );
  const { rows: indexes } = await db.pool.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'report_episode'
       AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'report_episode'::regclass)`,
  );
  for (const i of indexes) await db.pool.query(`DROP INDEX ${i.name}`);
  // Diagnoses skewed towards the first codes (as in real morbidity), over 2025–2026.
  for (let from = 1; from <= episodes; from += EPISODE_CHUNK) {
    const to = Math.min(episodes, from + EPISODE_CHUNK - 1);
    await db.pool.query(
      `INSERT INTO report_episode (rid, patient_id, commune, old_district, month, care, facility, code, chapter, icd_group, started_at, received_at)
       SELECT -n, 'p' || pid, ($7::text[])[1 + pid % $9], ($8::text[])[1 + pid % $9], date_trunc('month', t AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
              CASE WHEN n % 9 = 0 THEN 'inpatient' ELSE 'outpatient' END,
              '680' || lpad((n % 40)::text, 2, '0'), ($4::text[])[k], ($5::text[])[k], ($6::text[])[k], t, t
       FROM (SELECT n, 1 + (n * 2654435761 % $3) AS pid, 1 + floor(power(random(), 3) * $10)::int AS k,
                    timestamptz '2025-01-01 00:00+07' + (n % 600) * interval '1 day' + (n % 10) * interval '1 hour' AS t
             FROM generate_series($1::bigint, $2::bigint) AS n) x`,
      [from, to, residents, icd.map((c) => c.code), icd.map((c) => c.chapter), icd.map((c) => c.group), communes, districts, communes.length, icd.length],
    );
    log(`reports: ${to} episodes`);
  }
  for (const i of indexes) await db.pool.query(i.def);
  await db.pool.query(
    `INSERT INTO report_ncd_person (patient_id, programme, managed, last_visit, measured, controlled)
     SELECT patient_id, CASE WHEN n % 2 = 0 THEN 'hypertension' ELSE 'diabetes' END, n % 3 > 0, now() - (n % 200) * interval '1 day', n % 4 > 0, n % 5 > 1
     FROM (SELECT patient_id, row_number() OVER () AS n FROM report_person TABLESAMPLE SYSTEM (15)) s`,
  );
  await db.pool.query(
    `INSERT INTO report_immunization (rid, patient_id, vaccine, given_on)
     SELECT -(row_number() OVER ()), patient_id, v, birth_date + d * 30
     FROM report_person, unnest('{BCG,VGB,DPT-VGB-Hib,OPV,SOI}'::text[]) AS v, generate_series(1, 3) AS d
     WHERE birth_date >= date '2020-01-01' AND (hashtext(patient_id)::bigint + d) % 10 < 8`,
  );
  await db.pool.query('ANALYZE');
}
