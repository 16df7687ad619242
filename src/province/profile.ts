// What differs between provinces in the synthetic population: which ethnic groups live where
// and the landline area codes. Tuned for Lâm Đồng (68 = former Lâm Đồng 68, Đắk Nông 67 and
// Bình Thuận 60); any other province gets a generic profile.
import { weighted, type Weighted } from './prng.ts';

/** Ethnic composition of a former province, in percent (approximate, 2019 census order of size). */
const ETHNICITY_BY_OLD_PROVINCE: Record<string, [string, number][]> = {
  // Lâm Đồng: K'Ho the largest minority, then Mạ and Chu Ru; northern migrants (Tày, Nùng …).
  '68': [['Kinh', 76], ["K'Ho", 12], ['Mạ', 2.5], ['Chu Ru', 1.6], ['Tày', 2], ['Nùng', 2], ['Hoa', 1], ['Dao', 0.8], ["H'Mông", 0.6], ['Thái', 0.5], ['Mường', 0.5]],
  // Đắk Nông: M'Nông, and many Nùng, Tày, H'Mông and Dao who came from the north.
  '67': [['Kinh', 68], ["M'Nông", 10], ['Nùng', 6], ['Tày', 5], ["H'Mông", 4], ['Dao', 3], ['Mạ', 1.5], ['Thái', 1], ['Mường', 0.5]],
  // Bình Thuận: Chăm and Raglai, some K'Ho and Hoa.
  '60': [['Kinh', 92], ['Chăm', 3], ['Raglai', 2.5], ["K'Ho", 1], ['Hoa', 1], ['Chu Ru', 0.3], ['Tày', 0.2]],
};

const GENERIC_ETHNICITY: [string, number][] = [['Kinh', 90], ['Tày', 2], ['Thái', 2], ['Mường', 1.5], ['Khmer', 1.5], ['Hoa', 1], ['Nùng', 1], ["H'Mông", 1]];

const AREA_CODES: Record<string, string> = { '68': '0263', '67': '0261', '60': '0252' };

const cache = new Map<string, Weighted<string>>();

/** The ethnic mix of a commune, by its former province; towns (phường) are more Kinh. */
export function ethnicityTable(oldProvince: string, urban: boolean): Weighted<string> {
  const key = `${oldProvince}|${urban}`;
  let table = cache.get(key);
  if (!table) {
    const base = ETHNICITY_BY_OLD_PROVINCE[oldProvince] ?? GENERIC_ETHNICITY;
    table = weighted(base.map(([name, w]) => [name, name === 'Kinh' || !urban ? w : w * 0.3]));
    cache.set(key, table);
  }
  return table;
}

/** Landline area code of a former province, when known. */
export function areaCode(oldProvince: string): string | undefined {
  return AREA_CODES[oldProvince];
}

/** Short name of a province for facility names: "Tỉnh Lâm Đồng" → "Lâm Đồng". */
export function shortProvinceName(name: string): string {
  return name.replace(/^(Tỉnh|Thành phố)\s+/, '');
}
