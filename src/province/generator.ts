// The synthetic province (issue 3): households.csv in the household import format,
// facilities.csv, and identity-pairs.csv, the labelled identity test set. Deterministic for a
// seed; streams rows to disk so a million residents run in bounded memory.
// See docs/data/synthetic-province.md.
import fs from 'node:fs';
import path from 'node:path';
import { oldProvinces } from './admin-units.ts';
import { provinceContext, type CommuneInfo } from './communes-context.ts';
import { CsvWriter } from './csv-writer.ts';
import { FACILITY_COLUMNS, generateFacilities } from './facilities.ts';
import { IdAllocator } from './id-allocator.ts';
import { makePair, type PairContext } from './identity-pairs.ts';
import { buildHousehold, type BirthDate } from './population.ts';
import { Rng } from './prng.ts';
import { ethnicityTable } from './profile.ts';
import {
  HOUSEHOLD_COLUMNS,
  ageOf,
  assignIdentifiers,
  birthProvinceFor,
  dateFormatFor,
  occupationFor,
  residentFromMember,
  streetAddress,
  toRow,
  type HouseholdStatus,
  type Resident,
  type ResidentContext,
} from './resident.ts';

export interface GenerateOptions {
  residents: number;
  seed: string;
  outDir: string;
  /** 2025 province code; default 68 (Lâm Đồng). */
  province?: string;
  /** Identity pairs; default 100,000 when residents ≥ 100,000, else as many as residents. */
  pairs?: number;
  /** The day ages are counted on; fixed so output does not change with the clock. */
  asOf?: BirthDate;
  /** Share of households written with a pre-2025 commune code (default 0.25). */
  oldCodeShare?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateSummary {
  residents: number;
  households: number;
  facilities: number;
  pairs: number;
  files: { households: string; facilities: string; identityPairs: string };
}

export const DEFAULT_AS_OF: BirthDate = { year: 2026, month: 7, day: 1 };

export const PAIR_COLUMNS = [
  'pair_id', 'truth', 'variant',
  ...HOUSEHOLD_COLUMNS.map((c) => `a_${c}`),
  ...HOUSEHOLD_COLUMNS.map((c) => `b_${c}`),
];

export function defaultPairs(residents: number): number {
  return residents >= 100_000 ? 100_000 : residents;
}

export function generateProvince(options: GenerateOptions): GenerateSummary {
  const { residents: total, seed, outDir } = options;
  const provinceCode = options.province ?? '68';
  const pairsWanted = options.pairs ?? defaultPairs(total);
  const asOf = options.asOf ?? DEFAULT_AS_OF;
  const oldCodeShare = options.oldCodeShare ?? 0.25;
  if (!Number.isInteger(total) || total < 1) throw new RangeError('residents must be a positive integer');
  if (!Number.isInteger(pairsWanted) || pairsWanted < 0) throw new RangeError('pairs must be a non-negative integer');

  // Independent streams: the number of pairs never changes the households, nor the reverse.
  const rng = new Rng(seed, 'households');
  const pairRng = new Rng(seed, 'pairs');
  const province = provinceContext(provinceCode, new Rng(seed, 'communes'));
  const ids = new IdAllocator(seed);
  const allOld = oldProvinces().map((p) => p.code);
  const ctx: ResidentContext = { rng, ids, ns: 'resident', asOf, oldProvinces: province.oldProvinces, allOldProvinces: allOld };
  const pairCtx: PairContext = {
    rng: pairRng,
    ids,
    ns: 'lookalike',
    asOf,
    oldProvinces: province.oldProvinces,
    allOldProvinces: allOld,
    province,
    communeByCode: new Map(province.communes.map((c) => [c.commune.code, c])),
  };

  fs.mkdirSync(outDir, { recursive: true });
  const files = {
    households: path.join(outDir, 'households.csv'),
    facilities: path.join(outDir, 'facilities.csv'),
    identityPairs: path.join(outDir, 'identity-pairs.csv'),
  };

  const facilityOut = new CsvWriter(files.facilities, FACILITY_COLUMNS);
  const facilities = generateFacilities(new Rng(seed, 'facilities'), province);
  for (const f of facilities) facilityOut.write([f.code, f.name, f.type, f.communeCode, f.address, f.phone]);
  facilityOut.close();

  const householdOut = new CsvWriter(files.households, HOUSEHOLD_COLUMNS);
  const pairOut = new CsvWriter(files.identityPairs, PAIR_COLUMNS);
  const serials = new Map<string, number>();
  const perResident = Math.floor(pairsWanted / total);
  let extraPairs = pairsWanted - perResident * total;
  let written = 0;
  let households = 0;
  let pairs = 0;

  const emitPairs = (a: Resident) => {
    // Selection sampling (Knuth's algorithm S): exactly `extraPairs` residents get one more pair,
    // chosen uniformly while streaming.
    let count = perResident;
    if (extraPairs > 0 && pairRng.float() * (total - written) < extraPairs) {
      count++;
      extraPairs--;
    }
    for (let i = 0; i < count; i++) {
      const p = makePair(pairCtx, a);
      pairs++;
      pairOut.write([`P${String(pairs).padStart(7, '0')}`, p.truth, p.variant, ...toRow(p.a), ...toRow(p.b)]);
    }
  };

  while (written < total) {
    const info: CommuneInfo = rng.draw(province.byWeight);
    const ethnicity = rng.draw(ethnicityTable(info.oldProvince, info.urban));
    const minority = ethnicity !== 'Kinh' && ethnicity !== 'Hoa';
    const status: HouseholdStatus = rng.chance(minority ? 0.14 : 0.025) ? 'poor' : rng.chance(minority ? 0.1 : 0.035) ? 'near-poor' : 'none';
    const serial = (serials.get(info.commune.code) ?? 0) + 1;
    serials.set(info.commune.code, serial);
    const householdId = `HO${info.commune.code}${String(serial).padStart(6, '0')}`;
    // Older systems still write the pre-2025 commune and its district and province.
    const old = info.oldAddresses.length && rng.chance(oldCodeShare) ? rng.pick(info.oldAddresses) : undefined;
    const street = streetAddress(rng, info, ethnicity);
    const base = {
      householdId,
      address: `${street}, ${old ? old.label : info.label}`,
      communeCode: old ? old.code : info.commune.code,
      currentCommune: info.commune.code,
    };
    const sharedPhone = { value: '' };
    households++;
    for (const member of buildHousehold(rng, asOf, ethnicity)) {
      if (written >= total) break;
      const r = residentFromMember(member, base);
      const age = ageOf(r, asOf);
      r.occupation = occupationFor(rng, age, r.sex, info.urban);
      r.dateFormat = dateFormatFor(rng, r.birth);
      r.sexAsNumber = rng.chance(0.03);
      r.birthProvince3 = birthProvinceFor(ctx, info.oldProvince);
      assignIdentifiers(ctx, r, age, status, info.oldProvince);
      if (r.relation === 'Chủ hộ') sharedPhone.value = r.phone;
      // The elderly often give a child's number.
      else if (!r.phone && age >= 70 && rng.chance(0.4)) r.phone = sharedPhone.value;
      householdOut.write(toRow(r));
      written++;
      emitPairs(r);
      if (written % 100_000 === 0) options.onProgress?.(written, total);
    }
  }
  householdOut.close();
  pairOut.close();
  if (written % 100_000 !== 0) options.onProgress?.(written, total);
  return { residents: written, households, facilities: facilities.length, pairs, files };
}
