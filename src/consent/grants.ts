// consent_grant: the lookup behind the access filter (src/auth/access-filter-sql.ts).
// Revocation and expiry act on the next request because the filter reads this table each time.
import type { Queryable } from '../store/database.ts';

export interface Grant {
  id: string;
  patientId: string;
  granteeUserId: string;
  facilityCode?: string;
  starts: Date;
  expires: Date;
  revokedAt?: Date;
  consentId?: string;
  kind: 'consent' | 'break-glass';
  method: 'otp' | 'share-code' | 'app' | 'break-glass';
  reason?: string;
  performerPatientId?: string;
  practitionerId?: string;
  /** Computed: not revoked and now within [starts, expires). */
  active: boolean;
}

interface GrantRow {
  id: string;
  patient_id: string;
  grantee_user_id: string;
  facility_code: string | null;
  starts: Date;
  expires: Date;
  revoked_at: Date | null;
  consent_id: string | null;
  kind: Grant['kind'];
  method: Grant['method'];
  reason: string | null;
  performer_patient_id: string | null;
  practitioner_id: string | null;
  active: boolean;
}

const COLUMNS = `id, patient_id, grantee_user_id, facility_code, starts, expires, revoked_at, consent_id, kind, method, reason,
  performer_patient_id, practitioner_id, (revoked_at IS NULL AND starts <= now() AND expires > now()) AS active`;

function fromRow(r: GrantRow): Grant {
  return {
    id: r.id,
    patientId: r.patient_id,
    granteeUserId: r.grantee_user_id,
    starts: r.starts,
    expires: r.expires,
    kind: r.kind,
    method: r.method,
    active: r.active,
    ...(r.facility_code ? { facilityCode: r.facility_code } : {}),
    ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
    ...(r.consent_id ? { consentId: r.consent_id } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    ...(r.performer_patient_id ? { performerPatientId: r.performer_patient_id } : {}),
    ...(r.practitioner_id ? { practitionerId: r.practitioner_id } : {}),
  };
}

export interface NewGrant {
  id: string;
  patientId: string;
  granteeUserId: string;
  facilityCode?: string;
  starts: Date;
  expires: Date;
  consentId?: string;
  kind: Grant['kind'];
  method: Grant['method'];
  reason?: string;
  performerPatientId?: string;
  practitionerId?: string;
}

export async function insertGrant(db: Queryable, g: NewGrant): Promise<Grant> {
  const { rows } = await db.query<GrantRow>(
    `INSERT INTO consent_grant (id, patient_id, grantee_user_id, facility_code, starts, expires, consent_id, kind, method, reason,
                                performer_patient_id, practitioner_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
    [g.id, g.patientId, g.granteeUserId, g.facilityCode ?? null, g.starts, g.expires, g.consentId ?? null, g.kind, g.method, g.reason ?? null,
      g.performerPatientId ?? null, g.practitionerId ?? null],
  );
  return fromRow(rows[0]!);
}

export async function findGrant(db: Queryable, id: string): Promise<Grant | undefined> {
  const { rows } = await db.query<GrantRow>(`SELECT ${COLUMNS} FROM consent_grant WHERE id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Grants on these patients' records (active and past, newest first): what a resident sees. */
export async function grantsForPatients(db: Queryable, patientIds: string[], limit = 200): Promise<Grant[]> {
  const { rows } = await db.query<GrantRow>(`SELECT ${COLUMNS} FROM consent_grant WHERE patient_id = ANY($1::text[]) ORDER BY created_at DESC LIMIT $2`, [
    patientIds,
    limit,
  ]);
  return rows.map(fromRow);
}

/** Active grants a staff user holds. */
export async function activeGrantsOfUser(db: Queryable, userId: string): Promise<Grant[]> {
  const { rows } = await db.query<GrantRow>(
    `SELECT ${COLUMNS} FROM consent_grant WHERE grantee_user_id = $1 AND revoked_at IS NULL AND expires > now() ORDER BY expires`,
    [userId],
  );
  return rows.map(fromRow);
}

export async function breakGlassGrants(db: Queryable, since: Date, limit = 500): Promise<Grant[]> {
  const { rows } = await db.query<GrantRow>(
    `SELECT ${COLUMNS} FROM consent_grant WHERE kind = 'break-glass' AND created_at >= $1 ORDER BY created_at DESC LIMIT $2`,
    [since, limit],
  );
  return rows.map(fromRow);
}

/** Ends the grant now; false when it was already revoked. */
export async function revokeGrant(db: Queryable, id: string, revokedBy: string): Promise<boolean> {
  const result = await db.query('UPDATE consent_grant SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND revoked_at IS NULL', [id, revokedBy]);
  return result.rowCount === 1;
}
