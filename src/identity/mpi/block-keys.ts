// Blocking keys as 64-bit hashes (the mpi_block table) and the lock stripes that keep two
// concurrent writers from creating the same new person twice.
import { hash } from 'node:crypto';
import { blockingKeys, type PersonFacts } from '../matcher.ts';

/** Signed 64-bit hash of a key, as a decimal string (pg bigint). */
export function hashKey(key: string): string {
  // One-shot hash: a Hash object per key was a tenth of the household import's CPU.
  return hash('md5', key, 'buffer').readBigInt64BE(0).toString();
}

export interface PersonKeys {
  /** Every key of the person: stored in mpi_block. */
  stored: string[];
  /** The keys to look candidates up by: the name-only key is left out when a birth date is known
   *  (the name-and-date keys find the same people without scanning every namesake), and the
   *  given-name-and-year key when the date is complete (see keysOf). */
  lookup: string[];
  /** The lookup keys of national identifiers (CCCD, CMND, BHXH): a candidate found by one shares it. */
  identifiers: string[];
}

const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function keysOf(facts: PersonFacts): PersonKeys {
  const keys = blockingKeys(facts);
  const stored = keys.map(hashKey);
  const hasDate = facts.birthDate !== undefined && facts.birthDate !== '';
  // Given name + year is the least selective key: in a province of a million, "Anh" born in
  // 1990 is hundreds of people, each of whom would be compared. With a complete date, the
  // given-name-and-date key finds a record whose family name was mistyped, and the
  // family-prefix-and-year key one whose day was; the pair that defeats both (a mistyped family
  // name and day) stays findable from the other side, whose record may be partial. Stored
  // always, so that a partial date coming later still finds this person.
  const fullDate = hasDate && FULL_DATE.test(facts.birthDate!);
  // Lookup keys are a subset of the stored ones: reuse their hashes.
  const lookup = stored.filter((_, i) => {
    const key = keys[i]!;
    if (hasDate && key.startsWith('name:') && keys.length > 1) return false;
    return !(fullDate && key.startsWith('given-year:'));
  });
  const identifiers = stored.filter((_, i) => /^(cccd|cmnd|bhxh):/.test(keys[i]!));
  return { stored, lookup, identifiers };
}

export const LOCK_CLASS = 0x4d5049; // "MPI"
export const LOCK_STRIPES = 256;

/** Lock stripes of a set of hashed keys (sorted, so that every writer locks in the same order). */
export function stripesOf(hashes: Iterable<string>): number[] {
  const stripes = new Set<number>();
  for (const h of hashes) stripes.add(Number(BigInt.asUintN(64, BigInt(h)) % BigInt(LOCK_STRIPES)));
  return [...stripes].sort((a, b) => a - b);
}
