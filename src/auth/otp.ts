// One-time passwords sent by SMS: 6 digits, single use, expire after otpSeconds (5 minutes),
// at most otpMaxAttempts guesses, sends rate-limited per phone and per IP. Only an HMAC of the
// code is stored; a new code for the same purpose and subject cancels the previous one.
import type { Queryable } from '../store/database.ts';
import type { SmsSender } from '../sms/sms-sender.ts';
import type { AuthConfig } from './auth-config.ts';
import { AuthError } from './errors.ts';
import { hitRateLimit, rateKey } from './rate-limit.ts';
import { equalBytes, hmacSha256, newId, randomDigits } from './secrets.ts';
import { serverSecret } from './server-secret.ts';

export type OtpPurpose = 'activation' | 'resident-login' | 'consent';

export interface OtpDeps {
  db: Queryable;
  config: AuthConfig;
  sms: SmsSender;
}

export interface IssueOtp {
  purpose: OtpPurpose;
  /** What the code unlocks: an account id, a phone number, "patient:grantee", … */
  subject: string;
  phone: string;
  ip: string | undefined;
  message: (code: string) => string;
  /** The caller already counted this send against the limits (before looking anything up). */
  alreadyCounted?: boolean;
}

async function codeHash(db: Queryable, challengeId: string, code: string): Promise<Buffer> {
  return hmacSha256(await serverSecret(db, 'otp'), `${challengeId}:${code}`);
}

/** Checks the per-phone and per-IP limits (counting this send), then stores and sends a new code. */
export async function issueOtp(deps: OtpDeps, request: IssueOtp): Promise<void> {
  const { db, config } = deps;
  if (!request.alreadyCounted) {
    await hitRateLimit(db, rateKey('otp-phone', request.phone), config.otpPerPhone, config.otpWindowSeconds);
    if (request.ip) await hitRateLimit(db, rateKey('otp-ip', request.ip), config.otpPerIp, config.otpWindowSeconds);
  }
  const code = randomDigits(6);
  const id = newId();
  await db.query('UPDATE otp_challenge SET consumed_at = now() WHERE purpose = $1 AND subject = $2 AND consumed_at IS NULL', [
    request.purpose,
    request.subject,
  ]);
  await db.query(
    `INSERT INTO otp_challenge (id, purpose, subject, phone, code_hash, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
    [id, request.purpose, request.subject, request.phone, await codeHash(db, id, code), config.otpSeconds],
  );
  await deps.sms.send(request.phone, request.message(code));
}

/** Consumes the code; returns the phone it was sent to. Throws invalid-otp or otp-attempts-exceeded. */
export async function verifyOtp(deps: Omit<OtpDeps, 'sms'>, purpose: OtpPurpose, subject: string, code: string): Promise<{ phone: string }> {
  const { db, config } = deps;
  const { rows } = await db.query<{ id: string; code_hash: Buffer; attempts: number; phone: string }>(
    `UPDATE otp_challenge SET attempts = attempts + 1
      WHERE id = (SELECT id FROM otp_challenge
                   WHERE purpose = $1 AND subject = $2 AND consumed_at IS NULL AND expires_at > now()
                   ORDER BY created_at DESC LIMIT 1)
      RETURNING id, code_hash, attempts, phone`,
    [purpose, subject],
  );
  const row = rows[0];
  if (!row) throw new AuthError('invalid-otp');
  if (row.attempts > config.otpMaxAttempts) {
    await db.query('UPDATE otp_challenge SET consumed_at = now() WHERE id = $1', [row.id]);
    throw new AuthError('otp-attempts-exceeded');
  }
  const matches = /^\d{6}$/.test(code) && equalBytes(row.code_hash, await codeHash(db, row.id, code));
  if (!matches) {
    if (row.attempts >= config.otpMaxAttempts) {
      await db.query('UPDATE otp_challenge SET consumed_at = now() WHERE id = $1', [row.id]);
      throw new AuthError('otp-attempts-exceeded');
    }
    throw new AuthError('invalid-otp');
  }
  const consumed = await db.query('UPDATE otp_challenge SET consumed_at = now() WHERE id = $1 AND consumed_at IS NULL', [row.id]);
  if (consumed.rowCount !== 1) throw new AuthError('invalid-otp');
  return { phone: row.phone };
}
