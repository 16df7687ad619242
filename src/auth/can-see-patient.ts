// Whether an actor may read a Patient's record: the same filter the FHIR layer applies.
import type { Queryable } from '../store/database.ts';
import { accessFilterSql, readPolicy } from './access-policy.ts';
import type { Actor } from './actor.ts';

export async function canSeePatient(db: Queryable, actor: Actor, patientId: string): Promise<boolean> {
  const filter = accessFilterSql(readPolicy(actor), 'r', 2);
  const { rowCount } = await db.query(
    `SELECT 1 FROM resource r WHERE r.resource_type = 'Patient' AND r.id = $1 AND NOT r.deleted AND ${filter.sql}`,
    [patientId, ...filter.params],
  );
  return rowCount === 1;
}
