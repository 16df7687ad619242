// POST /oauth2/token, grant_type=client_credentials: authenticates the client
// (client_secret_basic, client_secret_post or private_key_jwt) and issues an access token
// with the requested scopes it is registered for.
import type { Database } from '../store/database.ts';
import { issueAccessToken, type IssuedToken } from './access-token.ts';
import type { AuthConfig } from './auth-config.ts';
import { CLIENT_ASSERTION_TYPE, assertionClientId, verifyClientAssertion } from './client-assertion.ts';
import { clientSecretMatches, findClient, type OAuthClient } from './clients.ts';
import { OAuthError } from './oauth-error.ts';
import { grantScopes, splitScopeString } from './scopes.ts';
import type { SigningKeys } from './signing-keys.ts';

export interface TokenRequest {
  grant_type?: string;
  scope?: string;
  client_id?: string;
  client_secret?: string;
  client_assertion_type?: string;
  client_assertion?: string;
}

export interface TokenEndpointDeps {
  db: Database;
  config: AuthConfig;
  keys: SigningKeys;
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'Authorization Basic không hợp lệ');
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** Authenticates the client by one method (more than one in a request is refused). */
export async function authenticateClient(deps: TokenEndpointDeps, body: TokenRequest, authorization: string | undefined): Promise<OAuthClient> {
  const basic = basicCredentials(authorization);
  const methods = [basic !== undefined, body.client_secret !== undefined, body.client_assertion !== undefined].filter(Boolean).length;
  if (methods !== 1) throw new OAuthError('invalid_client', 'cần đúng một phương thức xác thực ứng dụng');
  let clientId: string;
  if (body.client_assertion !== undefined) {
    if (body.client_assertion_type !== CLIENT_ASSERTION_TYPE) throw new OAuthError('invalid_client', 'client_assertion_type không được hỗ trợ');
    clientId = assertionClientId(body.client_assertion);
    if (body.client_id !== undefined && body.client_id !== clientId) throw new OAuthError('invalid_client', 'client_id không khớp');
  } else {
    clientId = basic?.id ?? body.client_id ?? '';
  }
  const client = await findClient(deps.db.pool, clientId);
  if (!client || client.disabled) throw new OAuthError('invalid_client', 'xác thực ứng dụng thất bại');
  if (body.client_assertion !== undefined) {
    await verifyClientAssertion(deps.db, deps.config, client, body.client_assertion);
  } else if (!clientSecretMatches(client, basic?.secret ?? body.client_secret ?? '')) {
    throw new OAuthError('invalid_client', 'xác thực ứng dụng thất bại');
  }
  return client;
}

export async function handleTokenRequest(deps: TokenEndpointDeps, body: TokenRequest, authorization: string | undefined): Promise<{ token: IssuedToken; client: OAuthClient }> {
  if (body.grant_type !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'chỉ hỗ trợ grant_type=client_credentials');
  const client = await authenticateClient(deps, body, authorization);
  const requested = splitScopeString(body.scope);
  const scopes = grantScopes(requested, client.scopes);
  if (scopes.length === 0) throw new OAuthError('invalid_scope', 'không có phạm vi (scope) nào được cấp');
  const token = await issueAccessToken(deps.keys, deps.config, {
    clientId: client.clientId,
    scopes,
    ...(client.facilityCode ? { facilityCode: client.facilityCode } : {}),
  });
  return { token, client };
}
