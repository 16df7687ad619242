// Finds the actor of a request: a Bearer access token (OAuth2 clients) or a portal session
// cookie (staff, residents). A session used for a state-changing method must carry its CSRF
// token in `x-csrf-token`. A credential that is present but bad is an error, not "anonymous".
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../store/database.ts';
import { verifyAccessToken } from './access-token.ts';
import type { Actor } from './actor.ts';
import type { AuthConfig } from './auth-config.ts';
import { AuthError } from './errors.ts';
import { residentActor } from './resident-accounts.ts';
import { readPolicy } from './access-policy.ts';
import { equalStrings, sha256 } from './secrets.ts';
import type { SessionCache, SessionGate } from './session-cache.ts';
import { CSRF_HEADER, lookupSession, sessionCookieName, type Session } from './sessions.ts';
import type { SigningKeys } from './signing-keys.ts';
import { staffActor } from './staff-users.ts';

export interface AuthenticateDeps {
  db: { pool: Queryable };
  config: AuthConfig;
  keys: SigningKeys;
  /** Sessions kept in memory for requests whose every data statement checks them (./session-cache.ts). */
  sessionCache?: SessionCache;
}

export interface AuthenticateOptions {
  /**
   * The caller runs every data statement of this request with the session's check in it
   * (FHIR reads): a session cached in memory may then stand in for the session query.
   */
  inStatementCheck?: boolean;
}

export interface Authenticated {
  actor: Actor;
  /** Present when the request came with a portal session. */
  session?: Session & { token: string };
  /** Present when the session came from memory: each data statement must check it (hssk_session_gate). */
  gate?: SessionGate;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function checkCsrf(request: Pick<FastifyRequest, 'headers' | 'method'>, csrfToken: string): void {
  if (SAFE_METHODS.has(request.method)) return;
  const header = request.headers[CSRF_HEADER];
  if (typeof header !== 'string' || !equalStrings(header, csrfToken)) throw new AuthError('csrf');
}

export async function authenticate(
  request: Pick<FastifyRequest, 'headers' | 'method'>,
  deps: AuthenticateDeps,
  options: AuthenticateOptions = {},
): Promise<Authenticated | undefined> {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(authorization);
    if (!match) throw new AuthError('invalid-token');
    return { actor: await verifyAccessToken(deps.keys, deps.config, match[1]!) };
  }
  const token = readCookie(request.headers.cookie, sessionCookieName(deps.config));
  if (token === undefined) return undefined;
  const cache = deps.sessionCache;
  if (options.inStatementCheck && cache) {
    const cached = cache.get(token);
    if (cached) {
      checkCsrf(request, cached.csrfToken);
      const { actor, gate, ...sessionOnly } = cached;
      return { actor, session: { ...sessionOnly, token }, gate };
    }
  }
  const readAt = Date.now();
  const session = await lookupSession(deps.db.pool, deps.config, token);
  if (!session) {
    cache?.forget(token);
    throw new AuthError('session-expired');
  }
  checkCsrf(request, session.csrfToken);
  let actor: Actor | undefined;
  if (session.userKind === 'staff') {
    const user = session.staffUser;
    if (user && !user.disabled) actor = { ...staffActor(user), grantedPatientIds: session.grantedPatientIds ?? [] };
  } else {
    actor = await residentActor(deps.db.pool, session.userId);
  }
  if (!actor) {
    cache?.forget(token);
    throw new AuthError('session-expired');
  }
  const { staffUser: _account, grantedPatientIds: _grants, liveForMs, ...sessionOnly } = session;
  // Only actors whose reads are limited by a condition can be cached: the check rides on it.
  if (cache && session.generation !== undefined && readPolicy(actor).kind === 'limited') {
    cache.set(token, {
      actor,
      userKind: session.userKind,
      userId: session.userId,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
      // From this process's time before the query: never later than the database's own deadlines.
      gate: { tokenHash: sha256(token), generation: session.generation, validUntil: readAt + (liveForMs ?? 0) },
    });
  }
  return { actor, session: { ...sessionOnly, token } };
}

/** The actor of the request, or undefined when it carries no credential at all. Throws AuthError on a bad one. */
export async function authenticateRequest(request: Pick<FastifyRequest, 'headers' | 'method'>, deps: AuthenticateDeps): Promise<Actor | undefined> {
  return (await authenticate(request, deps))?.actor;
}
