// Proxies: a parent (or guardian) acts for a child. Links are made by staff or from household
// data; the resident's actor carries the list, and the portal shows it ("you act for …").
import type { Queryable } from '../store/database.ts';

export interface ProxyLink {
  parentPatientId: string;
  childPatientId: string;
  source: 'staff' | 'household';
  createdBy?: string;
}

export async function addProxy(db: Queryable, link: ProxyLink): Promise<void> {
  await db.query(
    `INSERT INTO patient_proxy (parent_patient_id, child_patient_id, source, created_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (parent_patient_id, child_patient_id) DO UPDATE SET revoked_at = NULL, source = EXCLUDED.source, created_by = EXCLUDED.created_by`,
    [link.parentPatientId, link.childPatientId, link.source, link.createdBy ?? null],
  );
}

export async function removeProxy(db: Queryable, parentPatientId: string, childPatientId: string): Promise<boolean> {
  const result = await db.query(
    'UPDATE patient_proxy SET revoked_at = now() WHERE parent_patient_id = $1 AND child_patient_id = $2 AND revoked_at IS NULL',
    [parentPatientId, childPatientId],
  );
  return result.rowCount === 1;
}

export async function proxyPatientIds(db: Queryable, parentPatientId: string): Promise<string[]> {
  const { rows } = await db.query<{ child_patient_id: string }>(
    'SELECT child_patient_id FROM patient_proxy WHERE parent_patient_id = $1 AND revoked_at IS NULL ORDER BY created_at',
    [parentPatientId],
  );
  return rows.map((r) => r.child_patient_id);
}
