import { describe, expect, it } from 'vitest';
import { bornOnAnotherDay, cannotLink, type PersonFacts } from '../matcher.ts';
import { generatePairs } from '../test-pairs.ts';
import { hashKey, keysOf } from './block-keys.ts';

const anh: PersonFacts = { fullName: 'Nguyễn Văn Anh', birthDate: '1990-05-17', sex: 'male', communeCode: '24829' };
const givenYear = hashKey('given-year:anh|1990');

function found(incoming: PersonFacts, stored: PersonFacts): boolean {
  const keys = new Set(keysOf(stored).stored);
  return keysOf(incoming).lookup.some((k) => keys.has(k));
}

describe('lookup keys', () => {
  it('leave out the given-name-and-year key when the birth date is complete, keep it when partial', () => {
    expect(keysOf(anh).stored).toContain(givenYear);
    expect(keysOf(anh).lookup).not.toContain(givenYear);
    expect(keysOf({ ...anh, birthDate: '1990' }).lookup).toContain(givenYear);
    expect(keysOf({ ...anh, birthDate: '1990-05' }).lookup).toContain(givenYear);
  });

  it('still find a record whose family name or day of birth was mistyped', () => {
    expect(found({ ...anh, fullName: 'Nguyen Văn Anh' }, anh)).toBe(true);
    expect(found({ ...anh, fullName: 'Ngyễn Văn Anh' }, anh)).toBe(true);
    expect(found({ ...anh, birthDate: '1990-05-18' }, anh)).toBe(true);
    // A year-only record of someone stored with a full date, family name mistyped.
    expect(found({ ...anh, fullName: 'Ngyễn Văn Anh', birthDate: '1990' }, anh)).toBe(true);
  });

  it('do not find a namesake of the given name born another day with another family name', () => {
    expect(found({ ...anh, fullName: 'Trần Minh Anh', birthDate: '1990-11-02' }, anh)).toBe(false);
  });
});

describe('the resolver\'s skip rule', () => {
  it('skips only candidates the matcher would keep apart (born on another day, no identifier key in common)', () => {
    let skipped = 0;
    for (const { a, b } of generatePairs(20_000, 11)) {
      const stored = new Set(keysOf(a).stored);
      const sharesIdentifier = keysOf(b).identifiers.some((k) => stored.has(k));
      const skip = !sharesIdentifier && bornOnAnotherDay(b, a);
      if (!skip) continue;
      skipped++;
      expect(cannotLink(b, a)).toBe(true);
    }
    expect(skipped).toBeGreaterThan(100);
  });
});
