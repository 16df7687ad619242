// Failed sign-in counting shared by staff and resident accounts: after `lockoutThreshold`
// failures in a row the account is locked for `lockoutSeconds`; a success resets the count.
import type { Queryable } from '../store/database.ts';
import type { AuthConfig } from './auth-config.ts';

export type AccountTable = 'staff_user' | 'resident_account';

export function isLocked(lockedUntil: Date | null | undefined): boolean {
  return lockedUntil != null && lockedUntil.getTime() > Date.now();
}

/** Counts one failure (atomically); returns true when this failure locked the account. */
export async function recordFailure(db: Queryable, config: AuthConfig, table: AccountTable, id: string): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(
    `UPDATE ${table} SET
        failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END,
        locked_until  = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE locked_until END
      WHERE id = $1
      RETURNING locked_until IS NOT NULL AND locked_until > now() AS locked`,
    [id, config.lockoutThreshold, config.lockoutSeconds],
  );
  return rows[0]?.locked ?? false;
}

export async function recordSuccess(db: Queryable, table: AccountTable, id: string): Promise<void> {
  await db.query(`UPDATE ${table} SET failed_logins = 0, locked_until = NULL WHERE id = $1 AND (failed_logins <> 0 OR locked_until IS NOT NULL)`, [id]);
}
