// Argon2id password hashing (OWASP parameters: 19 MiB, 2 iterations, 1 lane).
import { hash, verify } from '@node-rs/argon2';
import { AuthError } from './errors.ts';
import { randomToken } from './secrets.ts';

const ARGON2ID = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, not importable under type stripping)
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 10;

export function checkPasswordStrength(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new AuthError('weak-password');
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spends the time of a verification when there is no account, so timing does not reveal usernames. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummy ??= hashPassword(randomToken(16));
  await verifyPassword(await dummy, password);
  return false;
}

/** A generated password for bootstrapped accounts: 20 URL-safe characters (120 bits). */
export function generatePassword(): string {
  return randomToken(15);
}
