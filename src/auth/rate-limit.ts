// Fixed-window counters in PostgreSQL, shared by every server process: OTP sends per phone and
// per IP, share-code guesses per user. Keys hold hashes, never a phone number or an address.
import type { Queryable } from '../store/database.ts';
import { AuthError } from './errors.ts';
import { sha256 } from './secrets.ts';

export function rateKey(kind: string, value: string): string {
  return `${kind}:${sha256(value).toString('hex').slice(0, 32)}`;
}

/** Counts one hit; throws rate-limited when the window already holds `limit` hits. */
export async function hitRateLimit(db: Queryable, key: string, limit: number, windowSeconds: number): Promise<void> {
  const { rows } = await db.query<{ count: number }>(
    `INSERT INTO rate_counter (key, window_start, count)
     VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) / $2) * $2), 1)
     ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counter.count + 1
     RETURNING count`,
    [key, windowSeconds],
  );
  if (Math.random() < 0.01) await db.query("DELETE FROM rate_counter WHERE window_start < now() - interval '1 day'");
  if (rows[0]!.count > limit) throw new AuthError('rate-limited');
}
