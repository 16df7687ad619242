// Administrative units of the reports: a resident counts in the 2025 commune of their current
// address, and in the pre-2025 district (old structure) that commune — or the old commune code
// their address still carries — belonged to.
import { commune, communesOf, district, districtOf, oldCommunesOf, province } from '../province/admin-units.ts';

/** The old district of a commune, or '' when its old communes lay in several districts. */
export function oldDistrictOf(newCommune: string, oldCommune?: string): string {
  if (oldCommune) {
    const d = districtOf(oldCommune);
    if (d) return d.code;
  }
  if (!newCommune) return '';
  const districts = new Set(oldCommunesOf(newCommune).map((o) => districtOf(o.code)?.code ?? ''));
  return districts.size === 1 ? [...districts][0]! : '';
}

export type UnitLevel = 'province' | 'district' | 'commune';

export interface UnitFilter {
  level: UnitLevel;
  code: string;
}

/** A unit code as given: 2 digits a province, 3 an old district, 5 a commune. */
export function parseUnit(code: string): UnitFilter | undefined {
  if (/^\d{2}$/.test(code) && province(code)) return { level: 'province', code };
  if (/^\d{3}$/.test(code) && district(code)) return { level: 'district', code };
  if (/^\d{5}$/.test(code) && commune(code)) return { level: 'commune', code };
  return undefined;
}

export function unitName(level: UnitLevel, code: string): string {
  if (code === '') return level === 'district' ? 'Không xác định huyện (cũ)' : 'Chưa xác định xã';
  if (level === 'province') return province(code)?.name ?? code;
  if (level === 'district') return district(code)?.name ?? code;
  return commune(code)?.name ?? code;
}

export function provinceCommunes(provinceCode: string): string[] {
  return communesOf(provinceCode).map((c) => c.code);
}

/** The communes a province report counts: the province's own, and '' (residents whose commune is unknown). */
export function provinceReportCommunes(provinceCode: string): string[] {
  return ['', ...provinceCommunes(provinceCode)];
}
