// Installation-wide secret keys (the HMAC key of OTP and share-code hashes), generated on
// first use and kept in system_setting so every server process shares them.
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../store/database.ts';

const cache = new Map<string, Promise<Buffer>>();

export function serverSecret(db: Queryable, name: string): Promise<Buffer> {
  const cacheKey = name;
  let secret = cache.get(cacheKey);
  if (!secret) {
    secret = (async () => {
      const key = `secret:${name}`;
      await db.query('INSERT INTO system_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
        key,
        JSON.stringify(randomBytes(32).toString('base64')),
      ]);
      const { rows } = await db.query<{ value: string }>('SELECT value FROM system_setting WHERE key = $1', [key]);
      return Buffer.from(rows[0]!.value, 'base64');
    })();
    secret.catch(() => cache.delete(cacheKey));
    cache.set(cacheKey, secret);
  }
  return secret;
}

/** Forgets cached secrets (tests open a fresh database per file). */
export function clearServerSecrets(): void {
  cache.clear();
}
