// Server-side portal sessions. The cookie holds a random token; the table holds its SHA-256.
// Each session has its own CSRF token, required in `x-csrf-token` on state-changing requests.
// Sessions end on logout, on "logout everywhere", after an idle period, or at an absolute limit.
import { preparedQuery, type Queryable } from '../store/database.ts';
import type { AuthConfig } from './auth-config.ts';
import { randomToken, sha256 } from './secrets.ts';
import { STAFF_USER_COLUMNS, staffUserFromRow, type StaffRow, type StaffUser } from './staff-users.ts';

export type UserKind = 'staff' | 'resident';

export interface Session {
  userKind: UserKind;
  userId: string;
  csrfToken: string;
  expiresAt: Date;
  /** The staff account of a staff session, read with it (undefined for residents, or if the account is gone). */
  staffUser?: StaffUser;
  /** A staff session's active consent and break-glass grants (their compartments), read with it. */
  grantedPatientIds?: string[];
  /** Bumped whenever what the session may see changes (migration 421): the in-statement check compares it. */
  generation?: string;
  /**
   * How much longer (ms from the database's now at the read) the session may serve as read: until
   * it expires, falls idle, or one of a staff session's grants ends or starts, whichever is first.
   */
  liveForMs?: number;
}

export const CSRF_HEADER = 'x-csrf-token';

export function sessionCookieName(config: AuthConfig): string {
  // __Host-: the browser refuses it unless Secure, Path=/ and no Domain (no subdomain can set it).
  return config.secureCookies ? '__Host-hssk_session' : 'hssk_session';
}

export async function createSession(db: Queryable, config: AuthConfig, userKind: UserKind, userId: string): Promise<{ token: string; session: Session }> {
  const token = randomToken(32);
  const csrfToken = randomToken(24);
  const expiresAt = new Date(Date.now() + config.sessionAbsoluteSeconds * 1000);
  await db.query('INSERT INTO user_session (token_hash, user_kind, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    sha256(token),
    userKind,
    userId,
    csrfToken,
    expiresAt,
  ]);
  return { token, session: { userKind, userId, csrfToken, expiresAt } };
}

/** The live session of a cookie value; refreshes its idle clock at most once a minute. */
export async function lookupSession(db: Queryable, config: AuthConfig, token: string): Promise<Session | undefined> {
  if (token.length < 20 || token.length > 100) return undefined;
  const tokenHash = sha256(token);
  // Prepared once per connection, and the staff account and its active grants come with it: one
  // round trip for what every request of a portal session needs, and the access rule then holds
  // the granted compartments as values instead of a sub-query planned with every search.
  const { rows } = await db.query<
    {
      user_kind: UserKind;
      user_id: string;
      csrf_token: string;
      expires_at: Date;
      idle_ms: number;
      expires_in_ms: number;
      generation: string;
      granted_patient_ids: string[] | null;
      grants_change_in_ms: number | null;
    } & Partial<StaffRow>
  >(
    preparedQuery(
      `SELECT s.user_kind, s.user_id, s.csrf_token, s.expires_at, (extract(epoch FROM now() - s.last_seen_at) * 1000)::float8 AS idle_ms, s.generation,
              (extract(epoch FROM s.expires_at - now()) * 1000)::float8 AS expires_in_ms,
              ${STAFF_USER_COLUMNS.split(', ').map((c) => `u.${c}`).join(', ')},
              CASE WHEN s.user_kind = 'staff' THEN ARRAY(
                SELECT DISTINCT cg.patient_id FROM consent_grant cg
                 WHERE cg.grantee_user_id = s.user_id AND cg.revoked_at IS NULL AND cg.starts <= now() AND cg.expires > now()) END AS granted_patient_ids,
              CASE WHEN s.user_kind = 'staff' THEN (
                SELECT (extract(epoch FROM min(CASE WHEN cg.starts > now() THEN cg.starts ELSE cg.expires END) - now()) * 1000)::float8 FROM consent_grant cg
                 WHERE cg.grantee_user_id = s.user_id AND cg.revoked_at IS NULL AND cg.expires > now()) END AS grants_change_in_ms
         FROM user_session s LEFT JOIN staff_user u ON s.user_kind = 'staff' AND u.id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [tokenHash],
    ),
  );
  const row = rows[0];
  if (!row || row.idle_ms > config.sessionIdleSeconds * 1000) return undefined;
  const touched = row.idle_ms > 60_000;
  if (touched) await db.query('UPDATE user_session SET last_seen_at = now() WHERE token_hash = $1', [tokenHash]);
  const idleLeftMs = config.sessionIdleSeconds * 1000 - (touched ? 0 : row.idle_ms);
  const session: Session = {
    userKind: row.user_kind,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    expiresAt: row.expires_at,
    generation: row.generation,
    liveForMs: Math.min(row.expires_in_ms, idleLeftMs, row.grants_change_in_ms ?? Infinity),
  };
  if (row.user_kind === 'staff' && row.id) session.staffUser = staffUserFromRow(row as StaffRow);
  if (row.granted_patient_ids) session.grantedPatientIds = row.granted_patient_ids;
  return session;
}

export async function revokeSession(db: Queryable, token: string): Promise<void> {
  await db.query('UPDATE user_session SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL', [sha256(token)]);
}

/** Logout everywhere: every session of the user ends now. Returns how many ended. */
export async function revokeAllSessions(db: Queryable, userKind: UserKind, userId: string): Promise<number> {
  const result = await db.query('UPDATE user_session SET revoked_at = now() WHERE user_kind = $1 AND user_id = $2 AND revoked_at IS NULL', [userKind, userId]);
  return result.rowCount ?? 0;
}
