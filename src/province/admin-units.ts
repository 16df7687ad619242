// Vietnam's administrative units, current (since 1 July 2025: province → commune) and former
// (province → district → commune), and the resolution of an address code that may be either.
// See docs/data/admin-units.md.
import { lazy, readDataFile } from './data-files.ts';
import type { CommuneType, DistrictType, OldCommuneType } from './unit-types.ts';

export type { CommuneType, DistrictType, OldCommuneType } from './unit-types.ts';
export { unitTypeLabel } from './unit-types.ts';

export interface Province {
  code: string;
  name: string;
}

/** A commune-level unit (xã, phường, đặc khu) of the 2025 list. */
export interface Commune {
  code: string;
  name: string;
  type: CommuneType;
  provinceCode: string;
}

export interface OldProvince {
  code: string;
  name: string;
}

export interface District {
  code: string;
  name: string;
  type: DistrictType;
  provinceCode: string;
}

/** A commune-level unit (xã, phường, thị trấn) of the pre-2025 list. */
export interface OldCommune {
  code: string;
  name: string;
  type: OldCommuneType;
  districtCode: string;
  provinceCode: string;
}

/** One new commune an old commune went to, wholly (`full`) or in part. */
export interface CommuneTarget {
  commune: Commune;
  full: boolean;
}

export interface CommuneResolution {
  /** Today's commune. */
  commune: Commune;
  /** Which list the code was read in. */
  scheme: '2025' | 'pre2025';
  /** The code as read (digits, zero-padded to 5): kept so the source record stays traceable. */
  code: string;
  /** For a pre-2025 code: the old commune it named (absent for the few units missing from the old list). */
  oldCommune?: OldCommune;
  /** False when only part of the old commune went to `commune`: the street address decides. */
  full: boolean;
  /** Every new commune the old code went to (one, unless the old commune was split). */
  candidates: CommuneTarget[];
  /** Whether `commune` lies in the province given in the options. */
  inProvince: boolean;
}

export interface ResolveOptions {
  /** The deployment's province (2025 code): a code's meaning inside it is preferred. */
  province?: string;
  /** Read the code only as a 2025 code or only as a pre-2025 one; default: decide (see the docs). */
  scheme?: 'auto' | '2025' | 'pre2025';
}

interface CurrentFile {
  provinces: [string, string][];
  communes: [string, string, string, CommuneType][];
  aliases: [string, string][];
}
interface OldFile {
  provinces: [string, string][];
  districts: [string, string, string, DistrictType][];
  communes: [string, string, string, OldCommuneType][];
}
interface MappingFile {
  provinces: [string, string][];
  communes: [string, string, number][];
  districts: [string, string, number][];
}

const current = lazy(() => {
  const file = readDataFile<CurrentFile>('admin-units-2025.json');
  const provinces = new Map<string, Province>(file.provinces.map(([code, name]) => [code, { code, name }]));
  const communes = new Map<string, Commune>();
  const byProvince = new Map<string, Commune[]>();
  for (const [code, name, provinceCode, type] of file.communes) {
    const commune: Commune = { code, name, type, provinceCode };
    communes.set(code, commune);
    const list = byProvince.get(provinceCode) ?? [];
    list.push(commune);
    byProvince.set(provinceCode, list);
  }
  return { provinces, communes, byProvince, aliases: new Map(file.aliases) };
});

const former = lazy(() => {
  const file = readDataFile<OldFile>('admin-units-pre2025.json');
  const provinces = new Map<string, OldProvince>(file.provinces.map(([code, name]) => [code, { code, name }]));
  const districts = new Map<string, District>(
    file.districts.map(([code, name, provinceCode, type]) => [code, { code, name, type, provinceCode }]),
  );
  const communes = new Map<string, OldCommune>();
  for (const [code, name, districtCode, type] of file.communes) {
    const provinceCode = districts.get(districtCode)?.provinceCode ?? '';
    communes.set(code, { code, name, type, districtCode, provinceCode });
  }
  return { provinces, districts, communes };
});

const mapping = lazy(() => {
  const file = readDataFile<MappingFile>('admin-units-mapping.json');
  const units = current();
  const toNew = new Map<string, CommuneTarget[]>();
  const toOld = new Map<string, { code: string; full: boolean }[]>();
  for (const [oldCode, newCode, full] of [...file.communes, ...file.districts]) {
    const commune = units.communes.get(newCode);
    if (!commune) continue;
    toNew.set(oldCode, [...(toNew.get(oldCode) ?? []), { commune, full: full === 1 }]);
    toOld.set(newCode, [...(toOld.get(newCode) ?? []), { code: oldCode, full: full === 1 }]);
  }
  return { provinces: new Map(file.provinces), toNew, toOld };
});

/** A province of the 2025 list. */
export function province(code: string): Province | undefined {
  return current().provinces.get(code);
}

export function provinces(): Province[] {
  return [...current().provinces.values()];
}

/** A commune of the 2025 list, by its 5-digit code. */
export function commune(code: string): Commune | undefined {
  return current().communes.get(code);
}

/** The communes of a 2025 province, in the official order. */
export function communesOf(provinceCode: string): readonly Commune[] {
  return current().byProvince.get(provinceCode) ?? [];
}

export function oldProvince(code: string): OldProvince | undefined {
  return former().provinces.get(code);
}

export function oldProvinces(): OldProvince[] {
  return [...former().provinces.values()];
}

/** A commune of the pre-2025 list. */
export function oldCommune(code: string): OldCommune | undefined {
  return former().communes.get(code);
}

export function district(code: string): District | undefined {
  return former().districts.get(code);
}

/** The district (pre-2025 structure) an old commune belonged to. */
export function districtOf(oldCommuneCode: string): District | undefined {
  const c = former().communes.get(oldCommuneCode);
  return c ? former().districts.get(c.districtCode) : undefined;
}

export function oldCommunesOfDistrict(districtCode: string): OldCommune[] {
  return [...former().communes.values()].filter((c) => c.districtCode === districtCode);
}

/** The 2025 province an old province became part of. */
export function newProvinceOf(oldProvinceCode: string): Province | undefined {
  const code = mapping().provinces.get(oldProvinceCode);
  return code ? province(code) : undefined;
}

/** The old provinces merged into a 2025 province (Lâm Đồng 68 ← 60, 67, 68). */
export function oldProvincesOf(provinceCode: string): OldProvince[] {
  return [...mapping().provinces]
    .filter(([, to]) => to === provinceCode)
    .map(([from]) => oldProvince(from))
    .filter((p): p is OldProvince => p !== undefined);
}

/** The new communes an old commune code went to (empty when the code is not an old commune). */
export function newCommunesOf(oldCode: string): CommuneTarget[] {
  return mapping().toNew.get(oldCode) ?? [];
}

/** The old communes merged (wholly or in part) into a 2025 commune. */
export function oldCommunesOf(newCode: string): { code: string; full: boolean }[] {
  return mapping().toOld.get(newCode) ?? [];
}

/** A province code that may be old or new → the 2025 province. */
export function resolveProvince(code: string): Province | undefined {
  const c = code.trim().padStart(2, '0');
  return province(c) ?? newProvinceOf(c);
}

/** Digits only, zero-padded: spreadsheets drop the leading zeros of "00004". */
function normaliseCode(raw: string): string | undefined {
  const digits = raw.trim();
  if (!/^\d{1,5}$/.test(digits)) return undefined;
  return digits.padStart(5, '0');
}

function fromCurrent(code: string, found: Commune, province: string | undefined): CommuneResolution {
  return {
    commune: found,
    scheme: '2025',
    code,
    full: true,
    candidates: [{ commune: found, full: true }],
    inProvince: province === undefined || found.provinceCode === province,
  };
}

function fromOld(code: string, targets: CommuneTarget[], province: string | undefined): CommuneResolution {
  // The successor that took the whole commune, else the one that kept its code (the main
  // part, by the reform's convention), else one inside the deployment's province.
  const inProv = (t: CommuneTarget) => province === undefined || t.commune.provinceCode === province;
  const chosen =
    targets.find((t) => t.full) ??
    targets.find((t) => t.commune.code === code && inProv(t)) ??
    targets.find(inProv) ??
    targets[0];
  if (!chosen) throw new Error('fromOld needs at least one target');
  const old = oldCommune(code);
  return {
    commune: chosen.commune,
    scheme: 'pre2025',
    code,
    ...(old ? { oldCommune: old } : {}),
    full: chosen.full,
    candidates: targets,
    inProvince: inProv(chosen),
  };
}

/**
 * Resolves a commune code written in either list to today's commune.
 *
 * A bare 5-digit code is ambiguous: new communes reuse an old code. Without a `scheme`: the 2025
 * meaning when it lies in `province`; else the old meaning when it leads into `province`; else,
 * for an address outside the province, the 2025 meaning, then the old one. Returns undefined
 * for unknown codes.
 */
export function resolveCommune(raw: string, options: ResolveOptions = {}): CommuneResolution | undefined {
  const code = normaliseCode(raw);
  if (code === undefined) return undefined;
  const { province: prov, scheme = 'auto' } = options;
  const units = current();
  const aliased = units.aliases.get(code);
  const now = units.communes.get(code) ?? (aliased ? units.communes.get(aliased) : undefined);
  const targets = newCommunesOf(code);

  if (scheme === '2025') return now ? fromCurrent(code, now, prov) : undefined;
  if (scheme === 'pre2025') return targets.length ? fromOld(code, targets, prov) : undefined;

  if (now && (prov === undefined || now.provinceCode === prov)) return fromCurrent(code, now, prov);
  const inProvince = prov !== undefined && targets.some((t) => t.commune.provinceCode === prov);
  if (targets.length && (inProvince || !now)) return fromOld(code, targets, prov);
  return now ? fromCurrent(code, now, prov) : undefined;
}
