// Storing a batch's programme state in one transaction: the FHIR resources as new versions only
// when their content changed (the pipeline's VersionPlan), and the residents' worklist rows
// replaced.
import type { PoolClient } from 'pg';
import { loadCurrent, type CurrentRow } from '../../pipeline/stored.ts';
import { VersionPlan } from '../../pipeline/versions.ts';
import { insertNewResources, updateExistingResources } from '../../store/resource-writer.ts';
import type { Database } from '../../store/database.ts';
import type { ProgramState, WorklistItem } from './types.ts';

export interface WriteStats {
  versionsWritten: number;
  worklistRows: number;
}

export async function replaceWorklist(client: PoolClient, patientIds: readonly string[], items: readonly WorklistItem[]): Promise<void> {
  await client.query('DELETE FROM program_worklist WHERE patient_id = ANY($1::text[])', [patientIds]);
  if (items.length === 0) return;
  await client.query(
    `INSERT INTO program_worklist (patient_id, commune_code, kind, item_key, due_date, status, title, detail, resource_ref)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], $8::jsonb[], $9::text[])
     ON CONFLICT (patient_id, kind, item_key) DO NOTHING`,
    [
      items.map((i) => i.patientId),
      items.map((i) => i.communeCode),
      items.map((i) => i.kind),
      items.map((i) => i.itemKey),
      items.map((i) => i.dueDate),
      items.map((i) => i.status),
      items.map((i) => i.title),
      items.map((i) => JSON.stringify(i.detail)),
      items.map((i) => i.resourceRef),
    ],
  );
}

export async function writeProgramStates(db: Database, patientIds: readonly string[], states: readonly ProgramState[], sourceFacility: string | null = null): Promise<WriteStats> {
  const resources = states.flatMap((s) => s.resources);
  const items = states.flatMap((s) => s.worklist);
  return db.transaction(async (client) => {
    const plan = new VersionPlan(sourceFacility);
    const byType = new Map<string, string[]>();
    for (const r of resources) byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r.id]);
    const current = new Map<string, CurrentRow>();
    for (const [type, ids] of byType) for (const [id, row] of await loadCurrent(client, type, ids)) current.set(`${type}/${id}`, row);
    for (const r of resources) plan.write(r, current.get(`${r.resourceType}/${r.id}`));
    await insertNewResources(client, plan.inserts);
    const updated = await updateExistingResources(client, plan.updates);
    if (updated.length !== plan.updates.length) {
      // Someone else wrote one of these resources meanwhile: the whole batch is retried.
      throw Object.assign(new Error('concurrent write of programme state'), { code: '40001' });
    }
    await replaceWorklist(client, patientIds, items);
    return { versionsWritten: plan.written, worklistRows: items.length };
  });
}
