// consent_request: a clinician's pending request to see a record, which the resident (or the
// parent of a child) approves or declines in the app. Kept beside the OTP it accompanies.
import type { StaffActor } from '../auth/actor.ts';
import { newId } from '../auth/secrets.ts';
import { findStaffUserById } from '../auth/staff-users.ts';
import type { Queryable } from '../store/database.ts';
import { facilityNames } from '../store/facility-names.ts';

/**
 * How long a request waits for the resident. Longer than the SMS code's 5 minutes: the resident
 * may first have to open and sign in to the app, but short enough that a stale request from an
 * earlier visit is not approved by mistake.
 */
export const ACCESS_REQUEST_MINUTES = 30;

export interface AccessRequest {
  id: string;
  patientId: string;
  requesterUserId: string;
  requesterName: string;
  requesterRole: string;
  facilityCode?: string;
  facilityName?: string;
  createdAt: Date;
  expiresAt: Date;
  status: 'pending' | 'approved' | 'declined';
  decidedAt?: Date;
  grantId?: string;
}

interface Row {
  id: string;
  patient_id: string;
  requester_user_id: string;
  requester_name: string;
  requester_role: string;
  facility_code: string | null;
  facility_name: string | null;
  created_at: Date;
  expires_at: Date;
  status: AccessRequest['status'];
  decided_at: Date | null;
  grant_id: string | null;
}

const COLUMNS = 'id, patient_id, requester_user_id, requester_name, requester_role, facility_code, facility_name, created_at, expires_at, status, decided_at, grant_id';

function fromRow(r: Row): AccessRequest {
  return {
    id: r.id,
    patientId: r.patient_id,
    requesterUserId: r.requester_user_id,
    requesterName: r.requester_name,
    requesterRole: r.requester_role,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    status: r.status,
    ...(r.facility_code ? { facilityCode: r.facility_code } : {}),
    ...(r.facility_name ? { facilityName: r.facility_name } : {}),
    ...(r.decided_at ? { decidedAt: r.decided_at } : {}),
    ...(r.grant_id ? { grantId: r.grant_id } : {}),
  };
}

/** Records (or refreshes: one pending request per record and clinician) the clinician's request. */
export async function recordAccessRequest(db: Queryable, staff: StaffActor, patientId: string): Promise<AccessRequest> {
  const user = await findStaffUserById(db, staff.userId);
  const name = staff.facilityCode ? (await facilityNames(db, [staff.facilityCode])).get(staff.facilityCode) : undefined;
  const { rows } = await db.query<Row>(
    `INSERT INTO consent_request (id, patient_id, requester_user_id, requester_name, requester_role, facility_code, facility_name, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(mins => $8))
     ON CONFLICT (patient_id, requester_user_id) WHERE status = 'pending'
     DO UPDATE SET created_at = now(), expires_at = EXCLUDED.expires_at, requester_name = EXCLUDED.requester_name,
                   requester_role = EXCLUDED.requester_role, facility_code = EXCLUDED.facility_code, facility_name = EXCLUDED.facility_name
     RETURNING ${COLUMNS}`,
    [newId(), patientId, staff.userId, user?.displayName ?? staff.username, staff.role, staff.facilityCode ?? null, name ?? null, ACCESS_REQUEST_MINUTES],
  );
  return fromRow(rows[0]!);
}

/** Pending, unexpired requests on these records, newest first. */
export async function pendingRequestsFor(db: Queryable, patientIds: string[]): Promise<AccessRequest[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM consent_request WHERE patient_id = ANY($1::text[]) AND status = 'pending' AND expires_at > now() ORDER BY created_at DESC LIMIT 50`,
    [patientIds],
  );
  return rows.map(fromRow);
}

export async function findAccessRequest(db: Queryable, id: string): Promise<AccessRequest | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM consent_request WHERE id = $1`, [id]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/**
 * Decides a pending, unexpired request; undefined when it was already decided or has expired.
 * The single conditional UPDATE is what makes "one decision per request" hold under races.
 */
export async function decideAccessRequest(db: Queryable, id: string, status: 'approved' | 'declined', decidedBy: string): Promise<AccessRequest | undefined> {
  const { rows } = await db.query<Row>(
    `UPDATE consent_request SET status = $2, decided_at = now(), decided_by = $3
      WHERE id = $1 AND status = 'pending' AND expires_at > now() RETURNING ${COLUMNS}`,
    [id, status, decidedBy],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Puts an approval back to pending when the grant could not be made (so the resident may retry). */
export async function undoApproval(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE consent_request SET status = 'pending', decided_at = NULL, decided_by = NULL WHERE id = $1 AND status = 'approved' AND grant_id IS NULL`, [id]);
}

export async function linkGrant(db: Queryable, id: string, grantId: string): Promise<void> {
  await db.query('UPDATE consent_request SET grant_id = $2 WHERE id = $1', [id, grantId]);
}
