// OAuth2 client registry: a hospital's software (bound to its facility), the national portal
// or a reporting tool (provincial system clients, bound by scopes only).
import type { JSONWebKeySet } from 'jose';
import type { Queryable } from '../store/database.ts';
import { equalBytes, randomToken, sha256 } from './secrets.ts';
import { parseScope } from './scopes.ts';

export interface OAuthClient {
  clientId: string;
  name: string;
  facilityCode?: string;
  scopes: string[];
  secretHash?: Buffer;
  jwks?: JSONWebKeySet;
  disabled: boolean;
}

export interface NewClient {
  name: string;
  facilityCode?: string;
  scopes: string[];
  /** Public keys for private_key_jwt; without them the client gets a secret. */
  jwks?: JSONWebKeySet;
}

export class InvalidClientSpec extends Error {
  override name = 'InvalidClientSpec';
}

export async function createClient(db: Queryable, spec: NewClient): Promise<{ clientId: string; clientSecret?: string }> {
  if (spec.scopes.length === 0) throw new InvalidClientSpec('at least one scope is required');
  const bad = spec.scopes.filter((s) => parseScope(s)?.context !== 'system');
  if (bad.length > 0) throw new InvalidClientSpec(`not system scopes: ${bad.join(' ')}`);
  if (spec.jwks && (!Array.isArray(spec.jwks.keys) || spec.jwks.keys.length === 0)) throw new InvalidClientSpec('the JWKS has no keys');
  if (spec.jwks?.keys.some((k) => 'd' in k)) throw new InvalidClientSpec('the JWKS holds a private key; register public keys only');
  const clientId = `hssk-${randomToken(12)}`;
  const clientSecret = spec.jwks ? undefined : randomToken(32);
  await db.query(
    'INSERT INTO oauth_client (client_id, name, facility_code, scopes, secret_hash, jwks) VALUES ($1, $2, $3, $4, $5, $6)',
    [clientId, spec.name, spec.facilityCode ?? null, spec.scopes, clientSecret ? sha256(clientSecret) : null, spec.jwks ?? null],
  );
  return { clientId, ...(clientSecret ? { clientSecret } : {}) };
}

export async function findClient(db: Queryable, clientId: string): Promise<OAuthClient | undefined> {
  const { rows } = await db.query<{
    client_id: string;
    name: string;
    facility_code: string | null;
    scopes: string[];
    secret_hash: Buffer | null;
    jwks: JSONWebKeySet | null;
    disabled: boolean;
  }>('SELECT client_id, name, facility_code, scopes, secret_hash, jwks, disabled FROM oauth_client WHERE client_id = $1', [clientId]);
  const row = rows[0];
  if (!row) return undefined;
  return {
    clientId: row.client_id,
    name: row.name,
    scopes: row.scopes,
    disabled: row.disabled,
    ...(row.facility_code ? { facilityCode: row.facility_code } : {}),
    ...(row.secret_hash ? { secretHash: row.secret_hash } : {}),
    ...(row.jwks ? { jwks: row.jwks } : {}),
  };
}

export function clientSecretMatches(client: OAuthClient, secret: string): boolean {
  return client.secretHash !== undefined && equalBytes(client.secretHash, sha256(secret));
}

/** A client as the administration page lists it (never its secret or keys). */
export interface ClientSummary {
  clientId: string;
  name: string;
  facilityCode?: string;
  scopes: string[];
  auth: 'secret' | 'private_key_jwt';
  disabled: boolean;
  createdAt: string;
}

export async function listClients(db: Queryable): Promise<ClientSummary[]> {
  const { rows } = await db.query<{ client_id: string; name: string; facility_code: string | null; scopes: string[]; has_jwks: boolean; disabled: boolean; created_at: Date }>(
    'SELECT client_id, name, facility_code, scopes, jwks IS NOT NULL AS has_jwks, disabled, created_at FROM oauth_client ORDER BY disabled, created_at DESC',
  );
  return rows.map((r) => ({
    clientId: r.client_id,
    name: r.name,
    scopes: r.scopes,
    auth: r.has_jwks ? 'private_key_jwt' : 'secret',
    disabled: r.disabled,
    createdAt: new Date(r.created_at).toISOString(),
    ...(r.facility_code ? { facilityCode: r.facility_code } : {}),
  }));
}

/**
 * Revokes a client: the token endpoint refuses it from now on. Access tokens already issued stay
 * valid until they expire (HSSK_ACCESS_TOKEN_SECONDS, 5 minutes by default). False if unknown.
 */
export async function revokeClient(db: Queryable, clientId: string): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE oauth_client SET disabled = true WHERE client_id = $1', [clientId]);
  return (rowCount ?? 0) > 0;
}
