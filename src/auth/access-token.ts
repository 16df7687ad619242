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

/** Verifies signature (by kid), issuer, audience, expiry and type; any failure is `invalid-token`. */
export async function verifyAccessToken(keys: SigningKeys, config: AuthConfig, token: string): Promise<ClientActor> {
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
    return { kind: 'client', clientId: payload.sub!, scopes, ...(facility ? { facilityCode: facility } : {}) };
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof joseErrors.JOSEError || err instanceof TypeError || err instanceof SyntaxError) throw new AuthError('invalid-token');
    throw err;
  }
}
