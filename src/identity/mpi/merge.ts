// Merging two records of one resident (a review decided "same person") and undoing it. A merge
// keeps both records: the source becomes inactive with Patient.link replaced-by, the survivor
// gets every identifier of the source and Patient.link replaces, and every resource pointing at
// the source is rewritten to the survivor. The versions before and after are recorded, so an
// unmerge restores every resource exactly (as a new version; history keeps everything).
import type { Patient } from '@medplum/fhirtypes';
import type pg from 'pg';
import { agentOf } from '../../audit/audit-entry.ts';
import { insertAuditEntries } from '../../audit/audit-log.ts';
import type { Actor } from '../../auth/actor.ts';
import { actorId } from '../../auth/actor.ts';
import { IdentifierSystem } from '../../fhir/systems.ts';
import { ConcurrentWrite } from '../../pipeline/types.ts';
import { loadCurrent, type CurrentRow } from '../../pipeline/stored.ts';
import { VersionPlan } from '../../pipeline/versions.ts';
import { mergePatientData } from '../../pipeline/patient-data.ts';
import type { Database } from '../../store/database.ts';
import { insertNewResources, updateExistingResources } from '../../store/resource-writer.ts';
import { personRow } from './person-row.ts';
import { pairKey, setPersonActive, upsertPersons } from './mpi-store.ts';

export type MergeErrorCode = 'not-found' | 'same-record' | 'already-merged' | 'not-merged';

export class MergeError extends Error {
  readonly code: MergeErrorCode;
  constructor(code: MergeErrorCode, message: string) {
    super(message);
    this.name = 'MergeError';
    this.code = code;
  }
}

interface VersionRecord {
  type: string;
  id: string;
  before: number;
  after: number;
}

async function affectedBy(client: pg.PoolClient, patientId: string): Promise<CurrentRow[]> {
  const { rows } = await client.query(
    `SELECT rid, resource_type, id, version_id, last_updated, content FROM resource r
      WHERE NOT r.deleted AND r.resource_type <> 'Patient'
        AND (r.compartment = $1 OR r.rid IN (SELECT rid FROM search_reference WHERE target_type = 'Patient' AND target_id = $1))`,
    [patientId],
  );
  return rows.map((r) => ({ rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, content: r.content }));
}

function withoutMeta<T extends { meta?: unknown }>(r: T): T {
  const { meta: _m, ...rest } = r;
  return rest as T;
}

async function writePlan(client: pg.PoolClient, plan: VersionPlan): Promise<void> {
  await insertNewResources(client, plan.inserts);
  const done = await updateExistingResources(client, plan.updates);
  if (done.length !== plan.updates.length) throw new ConcurrentWrite();
}

async function syncPerson(client: pg.PoolClient, patient: Patient & { id: string }): Promise<void> {
  await upsertPersons(client, [personRow(patient.id, patient)]);
}

export async function mergePatients(db: Database, sourceId: string, survivorId: string, actor: Actor, reviewId?: number): Promise<{ linkId: number; rewritten: number }> {
  if (sourceId === survivorId) throw new MergeError('same-record', 'Không thể gộp một hồ sơ với chính nó.');
  return db.transaction(async (client) => {
    const patients = await loadCurrent(client, 'Patient', [sourceId, survivorId]);
    const sourceRow = patients.get(sourceId);
    const survivorRow = patients.get(survivorId);
    if (!sourceRow || !survivorRow) throw new MergeError('not-found', 'Không tìm thấy một trong hai hồ sơ.');
    const active = await client.query('SELECT 1 FROM identity_link WHERE source_id = ANY($1::text[]) AND undone_at IS NULL', [[sourceId, survivorId]]);
    if (active.rowCount) throw new MergeError('already-merged', 'Một trong hai hồ sơ đã được gộp vào hồ sơ khác.');
    const source = JSON.parse(sourceRow.content) as Patient & { id: string };
    const survivor = JSON.parse(survivorRow.content) as Patient & { id: string };

    const plan = new VersionPlan(null);
    const versions: VersionRecord[] = [];
    const record = (row: CurrentRow) => versions.push({ type: row.resourceType, id: row.id, before: row.versionId, after: row.versionId + 1 });

    // The survivor takes the source's contacts and addresses it lacks, and every identifier.
    const filled = mergePatientData(survivor, { ...source, link: undefined, active: undefined }, 'fill') as Patient & { id: string };
    const identifiers = [...(survivor.identifier ?? [])];
    for (const i of source.identifier ?? []) {
      if (identifiers.some((x) => x.system === i.system && x.value === i.value)) continue;
      identifiers.push(i.system === IdentifierSystem.residentId ? { ...i, use: 'old' } : i);
    }
    const newSurvivor = { ...filled, id: survivorId, identifier: identifiers, link: [...(survivor.link ?? []), { other: { reference: `Patient/${sourceId}` }, type: 'replaces' as const }] };
    const newSource = { ...source, active: false, link: [...(source.link ?? []), { other: { reference: `Patient/${survivorId}` }, type: 'replaced-by' as const }] };
    plan.write(newSurvivor, survivorRow);
    record(survivorRow);
    plan.write(newSource, sourceRow);
    record(sourceRow);

    const from = `"Patient/${sourceId}"`;
    const to = `"Patient/${survivorId}"`;
    let rewritten = 0;
    for (const row of await affectedBy(client, sourceId)) {
      const content = row.content.split(from).join(to);
      if (content === row.content) continue;
      plan.write(JSON.parse(content), row);
      record(row);
      rewritten++;
    }
    await writePlan(client, plan);

    await setPersonActive(client, sourceId, false);
    await syncPerson(client, newSurvivor);
    // The source's keys lead to the survivor too, so a later record of the source finds it.
    await client.query(
      `WITH s AS (SELECT block_keys FROM mpi_person WHERE patient_id = $1),
            i AS (INSERT INTO mpi_block (key, patient_id) SELECT unnest(s.block_keys), $2 FROM s ON CONFLICT DO NOTHING)
       UPDATE mpi_person p SET block_keys = ARRAY(SELECT DISTINCT k FROM unnest(p.block_keys || s.block_keys) AS k ORDER BY k)
         FROM s WHERE p.patient_id = $2`,
      [sourceId, survivorId],
    );
    const who = actorId(actor);
    const { rows } = await client.query<{ id: number }>(
      'INSERT INTO identity_link (source_id, survivor_id, review_id, versions, merged_by) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [sourceId, survivorId, reviewId ?? null, JSON.stringify(versions), who],
    );
    await client.query(
      `UPDATE identity_review SET status = CASE WHEN id = $2 THEN 'linked' ELSE 'obsolete' END, decided_by = $3, decided_at = now()
        WHERE status = 'pending' AND (id = $2 OR patient_id = $1 OR candidate_id = $1)`,
      [sourceId, reviewId ?? null, who],
    );
    const agent = agentOf(actor);
    await insertAuditEntries(client, [
      { action: 'update', outcome: '0', ...agent, patientId: survivorId, entityType: 'Patient', entityId: survivorId, reason: 'merge', detail: { mergedFrom: sourceId, link: rows[0]!.id, rewritten } },
      { action: 'update', outcome: '0', ...agent, patientId: sourceId, entityType: 'Patient', entityId: sourceId, reason: 'merge', detail: { mergedInto: survivorId, link: rows[0]!.id } },
    ]);
    return { linkId: rows[0]!.id, rewritten };
  });
}

/** Undoes a merge: every resource it rewrote gets its content from before the merge back. */
export async function unmergePatients(db: Database, linkId: number, actor: Actor): Promise<{ restored: number }> {
  return db.transaction(async (client) => {
    const { rows } = await client.query<{ source_id: string; survivor_id: string; review_id: number | null; versions: VersionRecord[] }>(
      'SELECT source_id, survivor_id, review_id, versions FROM identity_link WHERE id = $1 AND undone_at IS NULL FOR UPDATE',
      [linkId],
    );
    const link = rows[0];
    if (!link) throw new MergeError('not-merged', `Không có lần gộp hồ sơ số ${linkId} đang hiệu lực.`);
    const plan = new VersionPlan(null);
    const restoredPatients: (Patient & { id: string })[] = [];
    for (const v of link.versions) {
      const current = (await loadCurrent(client, v.type, [v.id])).get(v.id);
      if (!current) continue;
      // A replaced version is in resource_history (the current one, in resource, is never `before`).
      const before = await client.query<{ content: string }>(
        'SELECT content FROM resource_history WHERE rid = $1 AND version_id = $2',
        [current.rid, v.before],
      );
      const content = before.rows[0]?.content;
      if (!content) continue;
      const restored = withoutMeta(JSON.parse(content)) as Patient & { id: string };
      plan.write({ ...restored, meta: (JSON.parse(current.content) as Patient).meta } as Patient & { id: string }, current);
      if (v.type === 'Patient') restoredPatients.push(restored);
    }
    await writePlan(client, plan);
    await setPersonActive(client, link.source_id, true);
    await client.query(
      `WITH d AS (DELETE FROM mpi_block b USING mpi_person p WHERE p.patient_id = $1 AND b.patient_id = $1 AND b.key = ANY(p.block_keys))
       UPDATE mpi_person SET block_keys = '{}' WHERE patient_id = $1`,
      [link.survivor_id],
    );
    for (const p of restoredPatients) await syncPerson(client, p);
    const who = actorId(actor);
    await client.query('UPDATE identity_link SET undone_at = now(), undone_by = $2 WHERE id = $1', [linkId, who]);
    const [a, b] = pairKey(link.source_id, link.survivor_id).split('|');
    await client.query('INSERT INTO identity_distinct (patient_a, patient_b, decided_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [a, b, who]);
    if (link.review_id !== null) await client.query(`UPDATE identity_review SET status = 'separate', decided_by = $2, decided_at = now() WHERE id = $1`, [link.review_id, who]);
    const agent = agentOf(actor);
    await insertAuditEntries(client, [
      { action: 'update', outcome: '0', ...agent, patientId: link.survivor_id, entityType: 'Patient', entityId: link.survivor_id, reason: 'unmerge', detail: { link: linkId } },
      { action: 'update', outcome: '0', ...agent, patientId: link.source_id, entityType: 'Patient', entityId: link.source_id, reason: 'unmerge', detail: { link: linkId } },
    ]);
    return { restored: plan.written };
  });
}
