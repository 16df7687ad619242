// Random values and constant-time comparisons used by every credential.
import { createHmac, hash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';

export const newId = (): string => randomUUID();

/** A URL-safe random token with `bytes` of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** `length` random decimal digits (OTPs). */
export function randomDigits(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += String(randomInt(10));
  return s;
}

// Crockford base32 without I, L, O, U: easy to read aloud and to type from a phone screen.
const READABLE = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function randomReadableCode(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += READABLE[randomInt(READABLE.length)];
  return s;
}

export function normaliseReadableCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

/** One-shot (crypto.hash): no Hash object per call — a portal session's token is hashed on every request. */
export function sha256(value: string | Buffer): Buffer {
  return hash('sha256', value, 'buffer');
}

export function hmacSha256(key: Buffer, value: string): Buffer {
  return createHmac('sha256', key).update(value).digest();
}

export function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function equalStrings(a: string, b: string): boolean {
  return equalBytes(sha256(a), sha256(b));
}
