// Staff sign-in: password (Argon2id), lockout, and TOTP when enabled (always for administrators).
import type { Queryable } from '../store/database.ts';
import type { AuthConfig } from './auth-config.ts';
import { AuthError } from './errors.ts';
import { isLocked, recordFailure, recordSuccess } from './lockout.ts';
import { verifyAgainstDummy, verifyPassword } from './password.ts';
import { findStaffUserById, type StaffUser } from './staff-users.ts';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp.ts';

export interface StaffCredentials {
  username: string;
  password: string;
  totp?: string;
}

interface LoginRow {
  id: string;
  role: string;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled: boolean;
  totp_last_step: string | null;
  locked_until: Date | null;
  disabled: boolean;
}

/** Returns the user, or throws invalid-credentials / account-locked / totp-required / invalid-totp / account-disabled. */
export async function loginStaff(db: Queryable, config: AuthConfig, credentials: StaffCredentials): Promise<StaffUser> {
  const { rows } = await db.query<LoginRow>(
    `SELECT id, role, password_hash, totp_secret, totp_enabled, totp_last_step::text, locked_until, disabled
       FROM staff_user WHERE lower(username) = lower($1)`,
    [credentials.username],
  );
  const row = rows[0];
  if (!row) {
    await verifyAgainstDummy(credentials.password);
    throw new AuthError('invalid-credentials');
  }
  if (isLocked(row.locked_until)) throw new AuthError('account-locked');
  if (!(await verifyPassword(row.password_hash, credentials.password))) {
    const locked = await recordFailure(db, config, 'staff_user', row.id);
    throw new AuthError(locked ? 'account-locked' : 'invalid-credentials');
  }
  if (row.disabled) throw new AuthError('account-disabled');
  const totpRequired = row.totp_enabled || row.role === 'admin';
  if (totpRequired) {
    if (!row.totp_secret) throw new AuthError('account-disabled', 'Tài khoản quản trị chưa cài đặt xác thực hai lớp; liên hệ quản trị hệ thống.');
    if (!credentials.totp) throw new AuthError('totp-required');
    const step = verifyTotp(row.totp_secret, credentials.totp, row.totp_last_step === null ? undefined : BigInt(row.totp_last_step));
    if (step === undefined) {
      const locked = await recordFailure(db, config, 'staff_user', row.id);
      throw new AuthError(locked ? 'account-locked' : 'invalid-totp');
    }
    // Compare-and-set: two requests racing with the same code cannot both pass.
    const claimed = await db.query(
      'UPDATE staff_user SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)',
      [row.id, step.toString()],
    );
    if (claimed.rowCount !== 1) throw new AuthError('invalid-totp');
  }
  await recordSuccess(db, 'staff_user', row.id);
  return (await findStaffUserById(db, row.id))!;
}

/** Starts TOTP enrolment for a staff user (not yet required until confirmed). */
export async function startTotpEnrolment(db: Queryable, userId: string): Promise<string> {
  const secret = generateTotpSecret();
  const { rows } = await db.query<{ username: string }>(
    'UPDATE staff_user SET totp_secret = $2, totp_last_step = NULL WHERE id = $1 AND NOT totp_enabled RETURNING username',
    [userId, secret],
  );
  if (!rows[0]) throw new AuthError('invalid-request', 'Xác thực hai lớp đã được bật cho tài khoản này.');
  return otpauthUri(secret, rows[0].username);
}

export async function confirmTotpEnrolment(db: Queryable, userId: string, code: string): Promise<void> {
  const { rows } = await db.query<{ totp_secret: string | null }>('SELECT totp_secret FROM staff_user WHERE id = $1 AND NOT totp_enabled', [userId]);
  const secret = rows[0]?.totp_secret;
  const step = secret ? verifyTotp(secret, code, undefined) : undefined;
  if (step === undefined) throw new AuthError('invalid-totp');
  await db.query('UPDATE staff_user SET totp_enabled = true, totp_last_step = $2 WHERE id = $1', [userId, step.toString()]);
}
