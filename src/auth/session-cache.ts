// Portal sessions kept in process memory for the FHIR API's reads, so that a commune health
// worker's request costs no session query of its own. Never trusted alone: a request served
// from here carries a SessionGate, and every statement that reads data for it checks, in the
// same statement, that the session row is still live and at the generation cached here
// (migrations 421 and 440). Whatever changes what the session may see bumps that generation in
// the database (triggers), so it holds across processes; on a mismatch the request fails with
// HS401 and is run again with the session read afresh. What changes by time alone (expiry, idle
// time, a grant's start or end) is this cache's to check: SessionGate.validUntil.
// Entries are found by the cookie's value itself, which the process holds anyway while it serves
// the request: hashing it first cost ~3 µs of a read by id (the hash is for the database, where
// a copy of the table must not let anyone sign in).
import type { Actor } from './actor.ts';

/** What a statement needs to check a cached session (bound parameters of hssk_session_gate, migration 440). */
export interface SessionGate {
  tokenHash: Buffer;
  generation: string;
  /**
   * When this copy stops serving (ms since the epoch, this process's clock): the earliest of the
   * session's expiry, its idle deadline and the moment a cached grant starts or ends, each read
   * as a duration from the database's now (so no clock skew between the two enters). These move
   * by time alone, and no process can bring them closer (last_seen_at only moves forward,
   * expires_at never changes), so the process checks them itself; the statements check what
   * another process can change — the revocation and the generation.
   */
  validUntil: number;
}

export interface CachedSession {
  actor: Actor;
  userKind: 'staff' | 'resident';
  userId: string;
  csrfToken: string;
  expiresAt: Date;
  gate: SessionGate;
}

/** SQLSTATE raised by hssk_session_gate when the session changed (or ended) since it was cached. */
export const SESSION_CHANGED = 'HS401';

export function isSessionChanged(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === SESSION_CHANGED;
}

export class SessionCache {
  readonly #entries = new Map<string, { session: CachedSession; loadedAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  /**
   * `ttlMs` bounds how long an entry serves without a full read of the session: that read also
   * moves the session's idle clock (at most once a minute), which cached requests do not.
   */
  constructor(options: { ttlMs?: number; maxEntries?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  get(token: string): CachedSession | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    const now = Date.now();
    if (now - entry.loadedAt > this.#ttlMs || now >= entry.session.gate.validUntil) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.session;
  }

  set(token: string, session: CachedSession): void {
    this.#entries.delete(token);
    // The oldest entry goes first (a Map iterates in insertion order).
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(token, { session, loadedAt: Date.now() });
  }

  forget(token: string): void {
    this.#entries.delete(token);
  }

  /** Every session of a user, after "logout everywhere" in this process (other processes: the check). */
  forgetUser(userKind: 'staff' | 'resident', userId: string): void {
    for (const [key, { session }] of this.#entries) if (session.userKind === userKind && session.userId === userId) this.#entries.delete(key);
  }
}
