// Short-lived JWT access tokens of OAuth2 clients (ES256, kid from the managed keys).
import { SignJWT, decodeProtectedHeader, jwtVerify, errors as joseErrors } from 'jose';
import type { ClientActor } from './actor.ts';
import { fhirAudience, type AuthConfig } from './auth-config.ts';
import { AuthError } from './errors.ts';
import { newId } from './secrets.ts';
import type { SigningKeys } from './signing-keys.ts';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export async function issueAccessToken(
  keys: SigningKeys,
  config: AuthConfig,
  client: { clientId: string; facilityCode?: string; scopes: string[] },
): Promise<IssuedToken> {
  const { kid, privateKey } = await keys.current();
  const scope = client.scopes.join(' ');
  const token = await new SignJWT({
    scope,
    client_id: client.clientId,
    ...(client.facilityCode ? { hssk_facility: client.facilityCode } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setIssuer(config.baseUrl)
    .setAudience(fhirAudience(config))
    .setSubject(client.clientId)
    .setJti(newId())
    .setIssuedAt()
    .setExpirationTime(`${config.accessTokenSeconds}s`)
    .sign(privateKey);
  return { access_token: token, token_type: 'Bearer', expires_in: config.accessTokenSeconds, scope };
}

/**
 * Verified tokens, kept until they expire: a client sends the same token on every request for
 * its whole lifetime, and an ECDSA verification costs more CPU than serving a read. Keyed by the
 * whole token, so a cached entry can only answer for exactly the bytes that were verified.
 */
const verified = new Map<string, { actor: ClientActor; expiresAt: number; config: AuthConfig; keys: SigningKeys }>();
const MAX_CACHED = 10_000;

export async function verifyAccessToken(keys: SigningKeys, config: AuthConfig, token: string): Promise<ClientActor> {
  const hit = verified.get(token);
  if (hit && hit.keys === keys && hit.config === config) {
    if (Date.now() < hit.expiresAt) return hit.actor;
    verified.delete(token);
  }
  const { actor, expiresAt } = await verifyAccessTokenUncached(keys, config, token);
  if (verified.size >= MAX_CACHED) {
    // Drop the oldest insertions (Map iterates in insertion order).
    for (const key of verified.keys()) {
      verified.delete(key);
      if (verified.size < MAX_CACHED * 0.9) break;
    }
  }
  verified.set(token, { actor, expiresAt, keys, config });
  return actor;
}

/** Verifies signature (by kid), issuer, audience, expiry and type; any failure is `invalid-token`. */
async function verifyAccessTokenUncached(keys: SigningKeys, config: AuthConfig, token: string): Promise<{ actor: ClientActor; expiresAt: number }> {
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== 'ES256' || typeof header.kid !== 'string') throw new AuthError('invalid-token');
    const key = await keys.verificationKey(header.kid);
    if (!key) throw new AuthError('invalid-token');
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['ES256'],
      issuer: config.baseUrl,
      audience: fhirAudience(config),
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
      clockTolerance: 5,
    });
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    const facility = typeof payload.hssk_facility === 'string' ? payload.hssk_facility : undefined;
    return {
      actor: { kind: 'client', clientId: payload.sub!, scopes, ...(facility ? { facilityCode: facility } : {}) },
      expiresAt: payload.exp! * 1000,
    };
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof joseErrors.JOSEError || err instanceof TypeError || err instanceof SyntaxError) throw new AuthError('invalid-token');
    throw err;
  }
}
