// Shared pieces of the auth, consent, resident and admin routes: the error mapping (Vietnamese
// messages, no internals), the actor of a request, the session cookie.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, StaffRole } from '../../auth/actor.ts';
import { authenticate, type Authenticated } from '../../auth/authenticate.ts';
import { AuthError } from '../../auth/errors.ts';
import { OAuthError } from '../../auth/oauth-error.ts';
import type { AuthServices } from '../../auth/services.ts';
import { sessionCookieName } from '../../auth/sessions.ts';

export interface AuthPluginOptions {
  services: AuthServices;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AuthError | OAuthError, request, reply) => {
    if (err instanceof OAuthError) {
      if (err.error === 'invalid_client') reply.header('www-authenticate', 'Basic realm="hssk"');
      return reply.code(err.statusCode).header('cache-control', 'no-store').send({ error: err.error, error_description: err.message });
    }
    if (err instanceof AuthError) {
      if (err.statusCode === 401) reply.header('www-authenticate', 'Bearer realm="hssk"');
      return reply.code(err.statusCode).send({ error: err.code, message: err.message });
    }
    const fastifyError = err as FastifyError;
    if (fastifyError.validation) {
      return reply.code(400).send({ error: 'invalid-request', message: 'Yêu cầu không hợp lệ: thiếu hoặc sai trường dữ liệu.' });
    }
    if (fastifyError.statusCode === 429) {
      return reply.code(429).send({ error: 'rate-limited', message: 'Bạn đã yêu cầu quá nhiều lần. Vui lòng thử lại sau.' });
    }
    if (fastifyError.statusCode && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
      return reply.code(fastifyError.statusCode).send({ error: 'invalid-request', message: 'Yêu cầu không hợp lệ.' });
    }
    request.log.error({ err: { name: err.name, message: err.message, stack: err.stack } }, 'auth route failed');
    return reply.code(500).send({ error: 'internal', message: 'Lỗi hệ thống. Vui lòng thử lại sau.' });
  });
}

const cache = new WeakMap<FastifyRequest, Promise<Authenticated | undefined>>();

export function authenticated(request: FastifyRequest, services: AuthServices): Promise<Authenticated | undefined> {
  let result = cache.get(request);
  if (!result) {
    result = authenticate(request, services);
    cache.set(request, result);
  }
  return result;
}

export async function requireActor(request: FastifyRequest, services: AuthServices): Promise<Actor> {
  const auth = await authenticated(request, services);
  if (!auth) throw new AuthError('unauthenticated');
  return auth.actor;
}

export async function requireStaff(request: FastifyRequest, services: AuthServices, roles: readonly StaffRole[]): Promise<Extract<Actor, { kind: 'staff' }>> {
  const actor = await requireActor(request, services);
  if (actor.kind !== 'staff' || !roles.includes(actor.role)) throw new AuthError('forbidden');
  return actor;
}

export function setSessionCookie(reply: FastifyReply, services: AuthServices, token: string, expiresAt: Date): void {
  const parts = [
    `${sessionCookieName(services.config)}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (services.config.secureCookies) parts.push('Secure');
  reply.header('set-cookie', parts.join('; '));
}

export function clearSessionCookie(reply: FastifyReply, services: AuthServices): void {
  const parts = [`${sessionCookieName(services.config)}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Max-Age=0'];
  if (services.config.secureCookies) parts.push('Secure');
  reply.header('set-cookie', parts.join('; '));
}

/** JSON schema helpers. */
export const str = (maxLength = 200, minLength = 1) => ({ type: 'string', minLength, maxLength }) as const;
export const obj = (properties: Record<string, unknown>, required: string[]) => ({ type: 'object', additionalProperties: false, properties, required }) as const;
