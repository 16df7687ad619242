import { describe, expect, it } from 'vitest';
import {
  commune,
  communesOf,
  district,
  districtOf,
  newCommunesOf,
  newProvinceOf,
  oldCommune,
  oldCommunesOf,
  oldCommunesOfDistrict,
  oldProvinces,
  oldProvincesOf,
  province,
  provinces,
  resolveCommune,
  resolveProvince,
  unitTypeLabel,
} from './admin-units.ts';
import { readDataFile } from './data-files.ts';

describe('the 2025 list', () => {
  it('has 34 provinces and 3,321 communes', () => {
    expect(provinces()).toHaveLength(34);
    const total = provinces().reduce((n, p) => n + communesOf(p.code).length, 0);
    expect(total).toBe(3321);
  });

  it('finds Lâm Đồng and its 124 communes, each of a known kind', () => {
    expect(province('68')?.name).toBe('Tỉnh Lâm Đồng');
    const communes = communesOf('68');
    expect(communes).toHaveLength(124);
    expect(communes.every((c) => c.provinceCode === '68')).toBe(true);
    expect(commune('22918')).toEqual({ code: '22918', name: 'Phường Mũi Né', type: 'phuong', provinceCode: '68' });
  });

  it('counts xã, phường and đặc khu as the official list does', () => {
    const kinds = new Map<string, number>();
    for (const p of provinces()) for (const c of communesOf(p.code)) kinds.set(c.type, (kinds.get(c.type) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({ phuong: 697, xa: 2611, 'dac-khu': 13 });
    expect(unitTypeLabel('dac-khu')).toBe('Đặc khu');
  });

  it('answers nothing for a code that is not a province or commune', () => {
    expect(province('60')).toBeUndefined();
    expect(commune('99999')).toBeUndefined();
    expect(communesOf('60')).toEqual([]);
  });
});

describe('the pre-2025 list', () => {
  it('has 63 provinces, 696 districts and 10,035 communes', () => {
    const file = readDataFile<{ provinces: unknown[]; districts: unknown[]; communes: unknown[] }>('admin-units-pre2025.json');
    expect(oldProvinces()).toHaveLength(63);
    expect(file.districts).toHaveLength(696);
    expect(file.communes).toHaveLength(10035);
  });

  it('gives the district of an old commune', () => {
    expect(oldCommune('24772')).toMatchObject({ name: 'Phường 8', districtCode: '672', provinceCode: '68' });
    expect(districtOf('24772')).toEqual({ code: '672', name: 'Thành phố Đà Lạt', type: 'thanh-pho', provinceCode: '68' });
    expect(district('595')?.name).toBe('Huyện Tuy Phong');
    expect(oldCommunesOfDistrict('672').map((c) => c.code)).toContain('24772');
    expect(districtOf('99999')).toBeUndefined();
  });
});

describe('old → new mapping', () => {
  it('maps the three old provinces of Lâm Đồng to 68', () => {
    expect(oldProvincesOf('68').map((p) => p.code).sort()).toEqual(['60', '67', '68']);
    expect(newProvinceOf('60')?.name).toBe('Tỉnh Lâm Đồng');
    expect(resolveProvince('67')?.code).toBe('68');
    expect(resolveProvince('68')?.code).toBe('68');
    expect(resolveProvince('74')?.code).toBe('79');
  });

  it('every old commune maps to at least one 2025 commune', () => {
    const file = readDataFile<{ communes: [string][] }>('admin-units-pre2025.json');
    const unmapped = file.communes.filter(([code]) => newCommunesOf(code).length === 0);
    expect(unmapped).toEqual([]);
  });

  it('lists the old communes merged into a new one', () => {
    // From the mapping: Phường Lâm Viên - Đà Lạt (24778) ← Phường 8, 12, 9 (all full) …
    const olds = oldCommunesOf('24778');
    expect(olds).toEqual(expect.arrayContaining([
      { code: '24772', full: true },
      { code: '24775', full: true },
      { code: '24778', full: true },
    ]));
  });
});

describe('resolving an address code', () => {
  it('reads a 2025 code of the province as today’s commune', () => {
    const r = resolveCommune('22918', { province: '68' });
    expect(r).toMatchObject({ scheme: '2025', code: '22918', full: true, inProvince: true });
    expect(r?.commune.name).toBe('Phường Mũi Né');
  });

  it('maps an old Đà Lạt ward to today’s ward and keeps the old code', () => {
    const r = resolveCommune('24772', { province: '68' });
    expect(r).toMatchObject({ scheme: 'pre2025', code: '24772', full: true, inProvince: true });
    expect(r?.commune).toMatchObject({ code: '24778', name: 'Phường Lâm Viên - Đà Lạt' });
    expect(r?.oldCommune?.name).toBe('Phường 8');
  });

  it('prefers the 2025 meaning of a reused code, and can be told to read it as old', () => {
    // 22978 is today Xã Tuy Phong; before 2025 it was Xã Phong Phú, split between
    // Xã Phan Rí Cửa (22972) and Xã Tuy Phong (22978).
    const auto = resolveCommune('22978', { province: '68' });
    expect(auto).toMatchObject({ scheme: '2025', full: true });
    expect(auto?.commune.name).toBe('Xã Tuy Phong');

    const old = resolveCommune('22978', { province: '68', scheme: 'pre2025' });
    expect(old).toMatchObject({ scheme: 'pre2025', full: false });
    expect(old?.commune.code).toBe('22978');
    expect(old?.candidates.map((c) => c.commune.code).sort()).toEqual(['22972', '22978']);
    expect(old?.oldCommune?.name).toBe('Xã Phong Phú');
  });

  it('flags a partial mapping of an old commune split between new ones', () => {
    // Old Phường Cống Vị (00007, not a 2025 code) was split between Phường Ngọc Hà (00008)
    // and Phường Giảng Võ (00025).
    const r = resolveCommune('00007', { province: '01' });
    expect(r).toMatchObject({ scheme: 'pre2025', code: '00007', full: false, inProvince: true });
    expect(r?.oldCommune?.name).toBe('Phường Cống Vị');
    expect(r?.candidates.map((c) => [c.commune.code, c.full])).toEqual([['00008', false], ['00025', false]]);
  });

  it('reads a code of another province outside the configured one', () => {
    const r = resolveCommune('00004', { province: '68' });
    expect(r).toMatchObject({ scheme: '2025', inProvince: false });
    expect(r?.commune.name).toBe('Phường Ba Đình');
  });

  it('restores the zeros a spreadsheet dropped and rejects what is not a code', () => {
    expect(resolveCommune('4')?.commune.code).toBe('00004');
    expect(resolveCommune('')).toBeUndefined();
    expect(resolveCommune('12a45')).toBeUndefined();
    expect(resolveCommune('99999')).toBeUndefined();
    expect(resolveCommune('24772', { scheme: '2025' })).toBeUndefined();
  });

  it('accepts the Công văn 1027 code of a commune the later list renumbered', () => {
    expect(resolveCommune('23737', { province: '52' })?.commune).toMatchObject({ code: '23938', name: 'Xã Ia Mơ' });
  });

  it('maps an island district without communes to its special zone', () => {
    expect(newCommunesOf('536')[0]?.commune.name).toMatch(/Lý Sơn/);
  });
});
