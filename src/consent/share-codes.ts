// Share codes: a resident generates one in their account (shown as text and QR), a clinician
// types or scans it. 8 readable characters (40 bits), single use, expire in minutes; only an
// HMAC of the code is stored.
import { AuthError } from '../auth/errors.ts';
import { hmacSha256, normaliseReadableCode, randomReadableCode } from '../auth/secrets.ts';
import { serverSecret } from '../auth/server-secret.ts';
import type { Queryable } from '../store/database.ts';

const LENGTH = 8;

async function hashCode(db: Queryable, code: string): Promise<Buffer> {
  return hmacSha256(await serverSecret(db, 'share-code'), normaliseReadableCode(code));
}

export async function storeShareCode(db: Queryable, patientId: string, createdBy: string, minutes: number, hours: number): Promise<{ code: string; expiresAt: Date }> {
  const code = randomReadableCode(LENGTH);
  const { rows } = await db.query<{ expires_at: Date }>(
    `INSERT INTO share_code (code_hash, patient_id, created_by, hours, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5)) RETURNING expires_at`,
    [await hashCode(db, code), patientId, createdBy, hours, minutes],
  );
  // Shown as XXXX-XXXX: easier to read out.
  return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt: rows[0]!.expires_at };
}

/** Consumes a code; returns whose record it opens, who made it, and for how many hours. */
export async function consumeShareCode(db: Queryable, code: string): Promise<{ patientId: string; createdBy: string; hours: number }> {
  if (normaliseReadableCode(code).length !== LENGTH) throw new AuthError('invalid-share-code');
  const { rows } = await db.query<{ patient_id: string; created_by: string; hours: number }>(
    `UPDATE share_code SET consumed_at = now() WHERE code_hash = $1 AND consumed_at IS NULL AND expires_at > now()
     RETURNING patient_id, created_by, hours`,
    [await hashCode(db, code)],
  );
  if (!rows[0]) throw new AuthError('invalid-share-code');
  return { patientId: rows[0].patient_id, createdBy: rows[0].created_by, hours: rows[0].hours };
}
