// Hands out identifiers that are unique within a generated province yet look random. Drawing
// the random digits independently would repeat CCCD numbers (≈ 800 duplicates per million
// residents), and a repeated CCCD means "same person" to every matcher; instead each cell
// (province, century/sex, year) numbers its people and scrambles the number with a bijection.
// Residents count up from 0 and the identity test set's look-alikes count down from the top,
// so changing the number of pairs never changes households.csv.
import { makeCccd } from '../identity/identifiers.ts';
import type { Sex } from './names.ts';
import type { Rng } from './prng.ts';

export type Namespace = 'resident' | 'lookalike';

/** x ↦ (a·x + b) mod m is a bijection of [0, m) when a is coprime to m (here: ends in 1, 3, 7, 9). */
function scramble(x: number, m: number, a: number, b: number): number {
  return (((x % m) * a + b) % m + m) % m;
}

function hash32(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

class Counters {
  #next = new Map<string, number>();
  take(key: string): number {
    const n = this.#next.get(key) ?? 0;
    this.#next.set(key, n + 1);
    return n;
  }
}

/** Mobile prefixes in use (Viettel 03x/086/09x, Vinaphone 08x/091/094, Mobifone 07x/089/090/093, …). */
const MOBILE_PREFIXES = [
  '032', '033', '034', '035', '036', '037', '038', '039', '086', '096', '097', '098',
  '081', '082', '083', '084', '085', '088', '091', '094',
  '070', '076', '077', '078', '079', '089', '090', '093',
  '056', '058', '059',
];

export class IdAllocator {
  readonly #seed: string;
  readonly #counters = { resident: new Counters(), lookalike: new Counters() };

  constructor(seed: string) {
    this.#seed = seed;
  }

  #serial(ns: Namespace, key: string, m: number, a: number): number {
    const n = this.#counters[ns].take(key);
    if (n >= m / 2) throw new RangeError(`identifier space ${key} exhausted`);
    return scramble(ns === 'resident' ? n : m - 1 - n, m, a, hash32(`${this.#seed}|${key}`) % m);
  }

  /** A CCCD: province of birth registration (3 digits), century/sex, year, 6 scrambled digits. */
  cccd(ns: Namespace, province3: string, sex: Sex, birthYear: number): string {
    const serial = this.#serial(ns, `cccd|${province3}|${sex}|${birthYear}`, 1_000_000, 387_403);
    return makeCccd(province3, sex, birthYear, serial);
  }

  /** A 9-digit CMND, as older records still carry. */
  cmnd(ns: Namespace): string {
    return `2${String(this.#serial(ns, 'cmnd', 100_000_000, 48_271_237)).padStart(8, '0')}`;
  }

  /** Mã số BHXH: 2-digit province of first issue + 8 scrambled digits. */
  bhxh(ns: Namespace, province2: string): string {
    return `${province2}${String(this.#serial(ns, `bhxh|${province2}`, 100_000_000, 48_271_237)).padStart(8, '0')}`;
  }

  mobile(ns: Namespace, rng: Rng): string {
    const prefix = rng.pick(MOBILE_PREFIXES);
    return `${prefix}${String(this.#serial(ns, `phone|${prefix}`, 10_000_000, 7_654_321)).padStart(7, '0')}`;
  }
}
