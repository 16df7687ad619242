import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, generateTotpSecret, hotp, otpauthUri, totpCode, totpStep, verifyTotp } from './totp.ts';

// RFC 6238 appendix B: the SHA-1 secret is the ASCII string "12345678901234567890".
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));

describe('TOTP (RFC 6238)', () => {
  it('produces the reference values of RFC 6238 appendix B (8 digits truncated to the last 6)', () => {
    const cases: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ];
    for (const [seconds, expected] of cases) {
      expect(hotp(Buffer.from('12345678901234567890'), totpStep(seconds * 1000), 8)).toBe(expected);
      expect(totpCode(RFC_SECRET, seconds * 1000)).toBe(expected.slice(2));
    }
  });

  it('round-trips base32', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 17, 99]);
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
  });

  it('accepts the current code once, and a neighbouring step for clock drift', () => {
    const secret = generateTotpSecret();
    const now = 1_700_000_000_000;
    const step = verifyTotp(secret, totpCode(secret, now), undefined, now);
    expect(step).toBe(totpStep(now));
    expect(verifyTotp(secret, totpCode(secret, now), step, now)).toBeUndefined();
    expect(verifyTotp(secret, totpCode(secret, now - 30_000), undefined, now)).toBe(totpStep(now) - 1n);
    expect(verifyTotp(secret, totpCode(secret, now - 90_000), undefined, now)).toBeUndefined();
    expect(verifyTotp(secret, 'abcdef', undefined, now)).toBeUndefined();
  });

  it('builds an otpauth URI that authenticator apps read', () => {
    const uri = otpauthUri('JBSWY3DPEHPK3PXP', 'admin@soyte');
    expect(uri).toMatch(/^otpauth:\/\/totp\/HSSK:admin%40soyte\?secret=JBSWY3DPEHPK3PXP&issuer=HSSK/);
  });
});
