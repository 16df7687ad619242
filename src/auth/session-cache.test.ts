import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Actor } from './actor.ts';
import { sha256 } from './secrets.ts';
import { SessionCache, isSessionChanged, type CachedSession } from './session-cache.ts';

function session(token: string, userId = 'u1', validUntil = Infinity): CachedSession {
  const actor: Actor = { kind: 'staff', userId, username: userId, role: 'commune-worker', communeCode: '22924' };
  return {
    actor,
    userKind: 'staff',
    userId,
    csrfToken: 'c',
    expiresAt: new Date(Date.now() + 3_600_000),
    gate: { tokenHash: sha256(token), generation: '0', validUntil },
  };
}

afterEach(() => vi.useRealTimers());

describe('the in-memory session cache', () => {
  it('serves a session for a short while only, so that its idle clock is still moved by a full read', () => {
    vi.useFakeTimers();
    const cache = new SessionCache({ ttlMs: 30_000 });
    cache.set('a', session('a'));
    vi.advanceTimersByTime(29_000);
    expect(cache.get('a')?.userId).toBe('u1');
    vi.advanceTimersByTime(2_000);
    expect(cache.get('a')).toBeUndefined();
  });

  it('stops serving a session at its own deadline (expiry, idle time, a grant changing), however fresh the copy', () => {
    vi.useFakeTimers();
    const cache = new SessionCache({ ttlMs: 30_000 });
    cache.set('a', session('a', 'u1', Date.now() + 5_000));
    vi.advanceTimersByTime(4_999);
    expect(cache.get('a')?.userId).toBe('u1');
    vi.advanceTimersByTime(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('holds a bounded number of sessions, dropping the oldest first', () => {
    const cache = new SessionCache({ maxEntries: 2 });
    cache.set('a', session('a'));
    cache.set('b', session('b'));
    cache.set('c', session('c'));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('forgets one session at logout, and every session of a user at "logout everywhere"', () => {
    const cache = new SessionCache();
    cache.set('a', session('a', 'u1'));
    cache.set('b', session('b', 'u1'));
    cache.set('c', session('c', 'u2'));
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
    cache.forgetUser('staff', 'u1');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')?.userId).toBe('u2');
  });

  it('tells the check’s refusal (SQLSTATE HS401) from any other database error', () => {
    expect(isSessionChanged(Object.assign(new Error('portal session changed'), { code: 'HS401' }))).toBe(true);
    expect(isSessionChanged(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(false);
    expect(isSessionChanged(undefined)).toBe(false);
  });
});
