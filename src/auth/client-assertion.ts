// SMART Backend Services client authentication: a client_assertion JWT signed with the
// client's private key, verified against its registered JWKS. aud = the token URL; exp at most
// five minutes ahead; each jti accepted once (kept until the assertion expires).
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { Database } from '../store/database.ts';
import { tokenUrl, type AuthConfig } from './auth-config.ts';
import type { OAuthClient } from './clients.ts';
import { OAuthError } from './oauth-error.ts';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ALGORITHMS = ['ES384', 'ES256', 'RS384', 'RS256', 'PS384', 'PS256', 'EdDSA'];

/** The client id an assertion claims (iss = sub), read before the signature is checked. */
export function assertionClientId(assertion: string): string {
  try {
    const claims = decodeJwt(assertion);
    if (typeof claims.iss !== 'string' || claims.iss !== claims.sub) throw new Error();
    return claims.iss;
  } catch {
    throw new OAuthError('invalid_client', 'client_assertion không hợp lệ');
  }
}

export async function verifyClientAssertion(db: Database, config: AuthConfig, client: OAuthClient, assertion: string): Promise<void> {
  if (!client.jwks) throw new OAuthError('invalid_client', 'ứng dụng chưa đăng ký khoá công khai (JWKS)');
  let payload;
  try {
    ({ payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks), {
      algorithms: ALGORITHMS,
      issuer: client.clientId,
      subject: client.clientId,
      audience: tokenUrl(config),
      requiredClaims: ['exp', 'jti'],
      clockTolerance: 5,
    }));
  } catch {
    throw new OAuthError('invalid_client', 'client_assertion không hợp lệ (chữ ký, aud, iss hoặc thời hạn)');
  }
  const now = Math.floor(Date.now() / 1000);
  if (payload.exp! > now + config.clientAssertionMaxSeconds + 5) {
    throw new OAuthError('invalid_client', 'client_assertion có thời hạn quá 5 phút');
  }
  await db.pool.query('DELETE FROM client_assertion_jti WHERE expires_at < now()');
  const inserted = await db.pool.query(
    'INSERT INTO client_assertion_jti (client_id, jti, expires_at) VALUES ($1, $2, to_timestamp($3)) ON CONFLICT DO NOTHING',
    [client.clientId, payload.jti, payload.exp],
  );
  if (inserted.rowCount !== 1) throw new OAuthError('invalid_client', 'client_assertion đã được dùng (jti lặp lại)');
}
