// The managed ES256 keys that sign access tokens. Generated on first use and stored in the
// database (shared by every server process); rotated by age or on demand. A retired key keeps
// verifying until every token it signed has expired, and stays in the published JWKS till then.
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Database } from '../store/database.ts';
import type { AuthConfig } from './auth-config.ts';
import { newId } from './secrets.ts';

const ALG = 'ES256';
const LOCK = 'hssk:signing-key';
const CACHE_MS = 60_000;
/** Tolerance for clocks of other processes, added to the token lifetime before a retired key is dropped. */
const GRACE_SECONDS = 60;

interface KeyRow {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface SigningKeys {
  /** The key that signs new tokens (created, or rotated by age, when needed). */
  current(): Promise<SigningKey>;
  /** A key that may still verify tokens, by kid. */
  verificationKey(kid: string): Promise<CryptoKey | undefined>;
  jwks(): Promise<{ keys: JWK[] }>;
  /** Retires the signing key and makes a new one; returns the new kid. */
  rotate(): Promise<string>;
}

export function createSigningKeys(db: Database, config: AuthConfig): SigningKeys {
  let cache: { at: number; rows: KeyRow[] } | undefined;
  const imported = new Map<string, Promise<CryptoKey>>();

  async function load(force = false): Promise<KeyRow[]> {
    if (!force && cache && Date.now() - cache.at < CACHE_MS) return cache.rows;
    const { rows } = await db.pool.query<KeyRow>(
      `SELECT kid, private_jwk, public_jwk, created_at, retired_at FROM signing_key
        WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
        ORDER BY created_at DESC`,
      [config.accessTokenSeconds + GRACE_SECONDS],
    );
    cache = { at: Date.now(), rows };
    return rows;
  }

  function importKey(kid: string, jwk: JWK, kind: 'private' | 'public'): Promise<CryptoKey> {
    const cacheKey = `${kind}:${kid}`;
    let key = imported.get(cacheKey);
    if (!key) {
      key = importJWK(jwk, ALG) as Promise<CryptoKey>;
      imported.set(cacheKey, key);
    }
    return key;
  }

  async function create(retireOthers: boolean): Promise<string> {
    return db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK]);
      if (!retireOthers) {
        // Another process may have created one while this one waited for the lock.
        const existing = await client.query<{ kid: string }>('SELECT kid FROM signing_key WHERE retired_at IS NULL LIMIT 1');
        if (existing.rows[0]) return existing.rows[0].kid;
      }
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
      const kid = newId();
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
      const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALG };
      await client.query('UPDATE signing_key SET retired_at = now() WHERE retired_at IS NULL');
      await client.query('INSERT INTO signing_key (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3, $4)', [kid, ALG, privateJwk, publicJwk]);
      return kid;
    });
  }

  function active(rows: KeyRow[]): KeyRow | undefined {
    return rows.find((r) => r.retired_at === null);
  }

  function tooOld(row: KeyRow): boolean {
    return config.signingKeyRotationDays > 0 && Date.now() - row.created_at.getTime() > config.signingKeyRotationDays * 86_400_000;
  }

  return {
    async current() {
      let row = active(await load());
      if (!row || tooOld(row)) {
        row = active(await load(true));
        if (!row || tooOld(row)) {
          await create(row !== undefined);
          row = active(await load(true));
        }
      }
      if (!row) throw new Error('no signing key');
      return { kid: row.kid, privateKey: await importKey(row.kid, row.private_jwk, 'private') };
    },
    async verificationKey(kid) {
      let row = (await load()).find((r) => r.kid === kid);
      // A key made by another process since the cache was filled.
      if (!row) row = (await load(true)).find((r) => r.kid === kid);
      return row ? importKey(row.kid, row.public_jwk, 'public') : undefined;
    },
    async jwks() {
      if (!active(await load())) await this.current();
      return { keys: (await load()).map((r) => r.public_jwk) };
    },
    async rotate() {
      const kid = await create(true);
      await load(true);
      return kid;
    },
  };
}
