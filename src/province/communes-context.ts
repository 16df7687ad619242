// The communes of the generated province, with what the generator needs about each: its weight
// (how many residents it gets), the former province it mostly came from (CCCD and BHYT prefixes,
// ethnic mix) and the old codes that an older system would still write for it.
import {
  communesOf,
  district,
  oldCommune,
  oldCommunesOf,
  oldProvince,
  province as provinceByCode,
  resolveCommune,
  type Commune,
  type Province,
} from './admin-units.ts';
import { weighted, type Rng, type Weighted } from './prng.ts';

export interface OldAddress {
  code: string;
  /** "Xã Phong Phú, Huyện Tuy Phong, Tỉnh Bình Thuận". */
  label: string;
}

export interface CommuneInfo {
  commune: Commune;
  urban: boolean;
  /** Two-digit code of the former province most of the commune came from. */
  oldProvince: string;
  /** Old codes that resolve back to this commune in this province (see admin-units.ts). */
  oldAddresses: OldAddress[];
  /** "Xã Tuy Phong, Tỉnh Lâm Đồng". */
  label: string;
}

export interface ProvinceContext {
  province: Province;
  communes: CommuneInfo[];
  byWeight: Weighted<CommuneInfo>;
  /** Old province codes of this province (60, 67, 68 for Lâm Đồng). */
  oldProvinces: string[];
}

export function provinceContext(provinceCode: string, rng: Rng): ProvinceContext {
  const province = provinceByCode(provinceCode);
  if (!province) throw new RangeError(`không có tỉnh mã ${provinceCode} trong danh mục 2025`);
  const communes: CommuneInfo[] = communesOf(provinceCode).map((commune) => {
    const olds = oldCommunesOf(commune.code)
      .map((o) => oldCommune(o.code))
      .filter((o) => o !== undefined);
    const counts = new Map<string, number>();
    for (const o of olds) counts.set(o.provinceCode, (counts.get(o.provinceCode) ?? 0) + 1);
    const oldProv = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? provinceCode;
    const oldAddresses = olds
      .filter((o) => {
        const r = resolveCommune(o.code, { province: provinceCode });
        return r?.scheme === 'pre2025' && r.commune.code === commune.code;
      })
      .map((o) => ({
        code: o.code,
        label: [o.name, district(o.districtCode)?.name, oldProvince(o.provinceCode)?.name].filter(Boolean).join(', '),
      }));
    return {
      commune,
      urban: commune.type === 'phuong',
      oldProvince: oldProv,
      oldAddresses,
      label: `${commune.name}, ${province.name}`,
    };
  });
  // Towns are denser; island special zones are small; the rest varies around the mean.
  const byWeight = weighted(
    communes.map((c) => [c, (c.urban ? 1.6 : c.commune.type === 'dac-khu' ? 0.3 : 1) * (0.5 + rng.float() * 1.5)] as const),
  );
  const oldProvinces = [...new Set(communes.map((c) => c.oldProvince))].sort();
  return { province, communes, byWeight, oldProvinces };
}
