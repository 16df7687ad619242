// Writing facts: one statement per table and batch, arrays unnested from bind parameters.
import type pg from 'pg';
import type { EpisodeFact, PersonFact } from './extract.ts';

type Client = pg.PoolClient;

export const FACT_TABLES = ['report_episode', 'report_ncd_condition', 'report_ncd_care', 'report_measure', 'report_immunization'] as const;

export async function deleteFacts(client: Client, rids: string[]): Promise<void> {
  if (rids.length === 0) return;
  for (const table of FACT_TABLES) await client.query(`DELETE FROM ${table} WHERE rid = ANY($1::bigint[])`, [rids]);
}

export async function upsertPersons(client: Client, persons: PersonFact[]): Promise<void> {
  if (persons.length === 0) return;
  await client.query(
    `INSERT INTO report_person (patient_id, commune, old_district, sex, birth_date, groups, verified, active)
     SELECT t.id, t.commune, t.old_district, t.sex, t.birth_date, string_to_array(t.groups, ','), t.verified, t.active
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::bool[], $8::bool[])
          AS t(id, commune, old_district, sex, birth_date, groups, verified, active)
     ON CONFLICT (patient_id) DO UPDATE SET commune = EXCLUDED.commune, old_district = EXCLUDED.old_district, sex = EXCLUDED.sex,
       birth_date = EXCLUDED.birth_date, groups = EXCLUDED.groups, verified = EXCLUDED.verified, active = EXCLUDED.active`,
    [
      persons.map((p) => p.patientId),
      persons.map((p) => p.commune),
      persons.map((p) => p.oldDistrict),
      persons.map((p) => p.sex),
      persons.map((p) => p.birthDate),
      persons.map((p) => p.groups.join(',')),
      persons.map((p) => p.verified),
      persons.map((p) => p.active),
    ],
  );
}

/** Episodes take the commune of their resident as the report knows them. */
export async function upsertEpisodes(client: Client, episodes: EpisodeFact[]): Promise<void> {
  if (episodes.length === 0) return;
  await client.query(
    `INSERT INTO report_episode (rid, patient_id, commune, old_district, month, care, facility, code, chapter, icd_group, started_at, received_at)
     SELECT t.rid, t.patient_id, coalesce(p.commune, ''), coalesce(p.old_district, ''), t.month, t.care, t.facility, t.code, t.chapter, t.icd_group, t.started_at, t.received_at
     FROM unnest($1::bigint[], $2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::timestamptz[])
          AS t(rid, patient_id, month, care, facility, code, chapter, icd_group, started_at, received_at)
     LEFT JOIN report_person p ON p.patient_id = t.patient_id
     ON CONFLICT (rid) DO UPDATE SET patient_id = EXCLUDED.patient_id, commune = EXCLUDED.commune, old_district = EXCLUDED.old_district,
       month = EXCLUDED.month, care = EXCLUDED.care, facility = EXCLUDED.facility, code = EXCLUDED.code, chapter = EXCLUDED.chapter,
       icd_group = EXCLUDED.icd_group, started_at = EXCLUDED.started_at, received_at = EXCLUDED.received_at`,
    [
      episodes.map((e) => e.rid),
      episodes.map((e) => e.patientId),
      episodes.map((e) => e.month),
      episodes.map((e) => e.care),
      episodes.map((e) => e.facility),
      episodes.map((e) => e.code),
      episodes.map((e) => e.chapter),
      episodes.map((e) => e.icdGroup),
      episodes.map((e) => e.startedAt),
      episodes.map((e) => e.receivedAt),
    ],
  );
}

/** Rows of a simple fact table: rid, patient_id and the given columns (SQL types given). */
export async function upsertSimple(
  client: Client,
  table: (typeof FACT_TABLES)[number],
  columns: readonly { name: string; type: string }[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const all = [{ name: 'rid', type: 'bigint' }, { name: 'patient_id', type: 'text' }, ...columns];
  const params = all.map((_, i) => rows.map((r) => r[i]));
  const unnest = all.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const names = all.map((c) => c.name).join(', ');
  const updates = all.slice(1).map((c) => `${c.name} = EXCLUDED.${c.name}`).join(', ');
  await client.query(`INSERT INTO ${table} (${names}) SELECT * FROM unnest(${unnest}) ON CONFLICT (rid) DO UPDATE SET ${updates}`, params);
}

/** Facts of a resident that other tables decide: household, health data, activity, account. */
export async function updateDerivedPersonFacts(client: Client, patientIds: string[], groupMemberParam: number): Promise<void> {
  if (patientIds.length === 0) return;
  await client.query(
    `UPDATE report_person p SET
       in_household = EXISTS (SELECT 1 FROM search_reference r JOIN resource g ON g.rid = r.rid AND NOT g.deleted
                              WHERE r.p = $2 AND r.target_id = p.patient_id AND r.target_type = 'Patient'),
       has_data = x.last_activity IS NOT NULL,
       last_activity = x.last_activity,
       has_account = EXISTS (SELECT 1 FROM resident_account a WHERE a.patient_id = p.patient_id AND a.status = 'active')
     FROM (SELECT ids.pid, (SELECT max(r.last_updated) FROM resource r
                            WHERE r.compartment = ids.pid AND NOT r.deleted
                              AND r.resource_type NOT IN ('Patient', 'Group', 'RelatedPerson', 'Coverage', 'Consent')) AS last_activity
           FROM unnest($1::text[]) AS ids(pid)) x
     WHERE p.patient_id = x.pid`,
    [patientIds, groupMemberParam],
  );
}

/** The NCD register rows of these residents, from their conditions, care, visits and measurements. */
export async function recomputeNcdPersons(client: Client, patientIds: string[]): Promise<void> {
  if (patientIds.length === 0) return;
  await client.query('DELETE FROM report_ncd_person WHERE patient_id = ANY($1)', [patientIds]);
  await client.query(
    `INSERT INTO report_ncd_person (patient_id, programme, managed, last_visit, measured, controlled)
     SELECT k.patient_id, k.programme,
            EXISTS (SELECT 1 FROM report_ncd_care c WHERE c.patient_id = k.patient_id AND c.programme = k.programme AND c.active),
            (SELECT max(started_at) FROM report_episode e WHERE e.patient_id = k.patient_id),
            m.controlled IS NOT NULL, coalesce(m.controlled, false)
     FROM (SELECT patient_id, programme FROM report_ncd_condition WHERE patient_id = ANY($1)
           UNION SELECT patient_id, programme FROM report_ncd_care WHERE active AND patient_id = ANY($1)) k
     LEFT JOIN LATERAL (SELECT controlled FROM report_measure m WHERE m.patient_id = k.patient_id AND m.programme = k.programme
                        ORDER BY measured_at DESC LIMIT 1) m ON true`,
    [patientIds],
  );
}
