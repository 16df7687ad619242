import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCccdConsistency, normalisePhone, parseBhytCard, validateBhxh } from '../identity/identifiers.ts';
import { communesOf, resolveCommune } from './admin-units.ts';
import { FACILITY_COLUMNS } from './facilities.ts';
import { PAIR_COLUMNS, defaultPairs, generateProvince, type GenerateSummary } from './generator.ts';
import { HOUSEHOLD_COLUMNS } from './resident.ts';

type Row = Record<string, string>;

const RESIDENTS = 40_000;
let dir: string;
let summary: GenerateSummary;
let people: Row[];
let facilities: Row[];
let pairs: Row[];

function readCsv(file: string): { header: string[]; rows: Row[] } {
  const text = fs.readFileSync(file, 'utf8');
  const header = (text.slice(0, text.indexOf('\n'))).split(',');
  // Strict parsing: every row has exactly the header's columns, quotes are balanced.
  const rows = parse(text, { columns: true, relax_column_count: false, relax_quotes: false }) as Row[];
  return { header, rows };
}

/** [year, month, day] from any of the three accepted forms. */
function birth(value: string): [number, number, number] {
  if (/^\d{4}$/.test(value)) return [Number(value), 0, 0];
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    return [y ?? 0, m ?? 0, d ?? 0];
  }
  const [d, m, y] = value.split('/').map(Number);
  return [y ?? 0, m ?? 0, d ?? 0];
}

/** Age on 1 July 2026, the generator's reference day; for a year alone, the larger possible age. */
function ageOf(value: string): number {
  const [y, m, d] = birth(value);
  return 2026 - y - (m > 7 || (m === 7 && d > 1) ? 1 : 0);
}

/** Rows whose full birth date is known (a year alone leaves the age uncertain by one). */
const dated = (rows: Row[]) => rows.filter((r) => !/^\d{4}$/.test(r.ngay_sinh ?? ''));

const share = (rows: Row[], test: (r: Row) => boolean) => rows.filter(test).length / rows.length;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-province-'));
  summary = generateProvince({ residents: RESIDENTS, seed: 'test', outDir: dir });
  const h = readCsv(summary.files.households);
  expect(h.header).toEqual([...HOUSEHOLD_COLUMNS]);
  people = h.rows;
  const f = readCsv(summary.files.facilities);
  expect(f.header).toEqual([...FACILITY_COLUMNS]);
  facilities = f.rows;
  const p = readCsv(summary.files.identityPairs);
  expect(p.header).toEqual(PAIR_COLUMNS);
  pairs = p.rows;
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('determinism', () => {
  it('writes the same bytes for the same seed, and other bytes for another seed', () => {
    const again = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-province-'));
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-province-'));
    try {
      generateProvince({ residents: 3000, seed: 's1', outDir: again });
      const first = ['households.csv', 'facilities.csv', 'identity-pairs.csv'].map((f) => fs.readFileSync(path.join(again, f)));
      generateProvince({ residents: 3000, seed: 's1', outDir: again });
      ['households.csv', 'facilities.csv', 'identity-pairs.csv'].forEach((f, i) => {
        expect(fs.readFileSync(path.join(again, f)).equals(first[i] as Buffer), f).toBe(true);
      });
      generateProvince({ residents: 3000, seed: 's2', outDir: other });
      expect(fs.readFileSync(path.join(other, 'households.csv')).equals(first[0] as Buffer)).toBe(false);
    } finally {
      fs.rmSync(again, { recursive: true, force: true });
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('keeps households.csv unchanged when only the number of pairs changes', () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-province-'));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-province-'));
    try {
      generateProvince({ residents: 2000, seed: 'p', outDir: a, pairs: 10 });
      generateProvince({ residents: 2000, seed: 'p', outDir: b, pairs: 5000 });
      expect(fs.readFileSync(path.join(a, 'households.csv')).equals(fs.readFileSync(path.join(b, 'households.csv')))).toBe(true);
      expect(fs.readFileSync(path.join(b, 'identity-pairs.csv'), 'utf8').trim().split('\n')).toHaveLength(5001);
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });
});

describe('households.csv', () => {
  it('has exactly the requested residents, in households of about 3.5 people', () => {
    expect(people).toHaveLength(RESIDENTS);
    expect(summary.residents).toBe(RESIDENTS);
    const size = RESIDENTS / new Set(people.map((r) => r.ma_ho)).size;
    expect(size).toBeGreaterThan(3.1);
    expect(size).toBeLessThan(3.9);
  });

  it('gives every household exactly one head, listed first', () => {
    const heads = new Map<string, number>();
    let previous = '';
    for (const r of people) {
      if (r.ma_ho !== previous) expect(r.quan_he_chu_ho).toBe('Chủ hộ');
      previous = r.ma_ho ?? '';
      if (r.quan_he_chu_ho === 'Chủ hộ') heads.set(previous, (heads.get(previous) ?? 0) + 1);
    }
    expect([...heads.values()].every((n) => n === 1)).toBe(true);
  });

  it('uses only the relationships, sexes and date forms of the import format', () => {
    const relations = new Set(['Chủ hộ', 'Vợ', 'Chồng', 'Con', 'Bố', 'Mẹ', 'Ông', 'Bà', 'Cháu', 'Anh', 'Chị', 'Em', 'Khác']);
    expect(people.every((r) => relations.has(r.quan_he_chu_ho ?? ''))).toBe(true);
    expect(people.every((r) => ['Nam', 'Nữ', '1', '2'].includes(r.gioi_tinh ?? ''))).toBe(true);
    const dmy = share(people, (r) => /^\d{2}\/\d{2}\/\d{4}$/.test(r.ngay_sinh ?? ''));
    const iso = share(people, (r) => /^\d{4}-\d{2}-\d{2}$/.test(r.ngay_sinh ?? ''));
    const year = share(people, (r) => /^\d{4}$/.test(r.ngay_sinh ?? ''));
    expect(dmy + iso + year).toBeCloseTo(1, 9);
    expect(dmy).toBeGreaterThan(0.8);
    expect(iso).toBeGreaterThan(0.05);
    expect(year).toBeGreaterThan(0.005);
    expect(year).toBeLessThan(0.06);
  });

  it('gives Nguyễn to about a third of people, and nearly four in ten Kinh', () => {
    expect(share(people, (r) => r.ho_ten?.startsWith('Nguyễn ') ?? false)).toBeGreaterThan(0.3);
    const kinh = people.filter((r) => r.dan_toc === 'Kinh');
    expect(share(kinh, (r) => r.ho_ten?.startsWith('Nguyễn ') ?? false)).toBeGreaterThan(0.36);
    expect(share(kinh, (r) => r.ho_ten?.startsWith('Nguyễn ') ?? false)).toBeLessThan(0.44);
  });

  it('writes names in Unicode NFC with Vietnamese letters', () => {
    expect(people.every((r) => r.ho_ten === r.ho_ten?.normalize('NFC'))).toBe(true);
    expect(people.some((r) => r.ho_ten?.includes('Thị'))).toBe(true);
    expect(people.every((r) => /^[\p{L}' ]+$/u.test(r.ho_ten ?? ''))).toBe(true);
  });

  it('has Vietnam’s sex ratio and population pyramid', () => {
    const male = share(people, (r) => r.gioi_tinh === 'Nam' || r.gioi_tinh === '1');
    expect(male).toBeGreaterThan(0.48);
    expect(male).toBeLessThan(0.515);
    const ages = people.map((r) => ageOf(r.ngay_sinh ?? ''));
    const part = (min: number, max: number) => ages.filter((a) => a >= min && a <= max).length / ages.length;
    expect(part(0, 14)).toBeGreaterThan(0.21);
    expect(part(0, 14)).toBeLessThan(0.29);
    expect(part(15, 64)).toBeGreaterThan(0.62);
    expect(part(15, 64)).toBeLessThan(0.72);
    expect(part(65, 120)).toBeGreaterThan(0.065);
    expect(part(65, 120)).toBeLessThan(0.115);
    expect(part(80, 120)).toBeGreaterThan(0.01);
  });

  it('lets Kinh children carry their father’s family name', () => {
    const byHousehold = new Map<string, Row[]>();
    for (const r of people) byHousehold.set(r.ma_ho ?? '', [...(byHousehold.get(r.ma_ho ?? '') ?? []), r]);
    let children = 0;
    let same = 0;
    for (const rows of byHousehold.values()) {
      const head = rows[0];
      if (!head || head.gioi_tinh === 'Nữ' || head.gioi_tinh === '2' || head.dan_toc !== 'Kinh') continue;
      if (!rows.some((r) => r.quan_he_chu_ho === 'Vợ')) continue;
      for (const c of rows.filter((r) => r.quan_he_chu_ho === 'Con' && r.dan_toc === 'Kinh')) {
        children++;
        if (c.ho_ten?.split(' ')[0] === head.ho_ten?.split(' ')[0]) same++;
      }
    }
    expect(children).toBeGreaterThan(1000);
    expect(same / children).toBeGreaterThan(0.99);
  });

  it('makes relationships fit ages: children younger than their parents, parents older than the head', () => {
    const byHousehold = new Map<string, Row[]>();
    for (const r of people) byHousehold.set(r.ma_ho ?? '', [...(byHousehold.get(r.ma_ho ?? '') ?? []), r]);
    for (const rows of byHousehold.values()) {
      const head = rows[0];
      if (!head) continue;
      const headAge = ageOf(head.ngay_sinh ?? '');
      for (const r of rows) {
        const age = ageOf(r.ngay_sinh ?? '');
        if (r.quan_he_chu_ho === 'Con') expect(headAge - age).toBeGreaterThanOrEqual(14);
        if (r.quan_he_chu_ho === 'Cháu') expect(headAge - age).toBeGreaterThanOrEqual(30);
        if (r.quan_he_chu_ho === 'Bố' || r.quan_he_chu_ho === 'Mẹ') expect(age - headAge).toBeGreaterThanOrEqual(14);
      }
      expect(headAge).toBeGreaterThanOrEqual(18);
    }
  });

  it('gives CCCD numbers that agree with sex and birth year, to most people from 14 and few children', () => {
    const adults = people.filter((r) => ageOf(r.ngay_sinh ?? '') >= 15);
    expect(share(adults, (r) => r.so_cccd?.length === 12)).toBeGreaterThan(0.94);
    const young = people.filter((r) => ageOf(r.ngay_sinh ?? '') < 13);
    expect(share(young, (r) => r.so_cccd !== '')).toBeLessThan(0.15);
    const prefixes = new Map<string, number>();
    for (const r of people.filter((p) => p.so_cccd?.length === 12)) {
      const sex = r.gioi_tinh === 'Nam' || r.gioi_tinh === '1' ? 'male' : 'female';
      const result = checkCccdConsistency(r.so_cccd ?? '', { sex, birthYear: birth(r.ngay_sinh ?? '')[0] }, 2026);
      expect(result.ok, `${r.so_cccd} ${r.ngay_sinh} ${r.gioi_tinh}`).toBe(true);
      const p = r.so_cccd?.slice(0, 3) ?? '';
      prefixes.set(p, (prefixes.get(p) ?? 0) + 1);
    }
    const withCccd = people.filter((p) => p.so_cccd?.length === 12).length;
    const local = ['060', '067', '068'].reduce((n, p) => n + (prefixes.get(p) ?? 0), 0);
    expect(local / withCccd).toBeGreaterThan(0.85);
  });

  it('never gives two people the same CCCD, BHXH number or phone', () => {
    for (const column of ['so_cccd', 'ma_bhxh'] as const) {
      const values = people.map((r) => r[column] ?? '').filter((v) => v !== '');
      expect(new Set(values).size, column).toBe(values.length);
    }
    const heads = people.filter((r) => r.quan_he_chu_ho === 'Chủ hộ' && r.dien_thoai).map((r) => r.dien_thoai);
    expect(new Set(heads).size).toBe(heads.length);
  });

  it('gives a BHYT card to about nine in ten, with groups that fit age', () => {
    const insured = share(people, (r) => r.so_the_bhyt !== '' || r.ma_bhxh !== '');
    expect(share(people, (r) => r.so_the_bhyt !== '')).toBeGreaterThan(0.85);
    expect(insured).toBeGreaterThan(0.87);
    expect(insured).toBeLessThan(0.95);
    for (const r of dated(people).filter((p) => p.so_the_bhyt)) {
      const card = parseBhytCard(r.so_the_bhyt ?? '');
      expect(card.ok, r.so_the_bhyt).toBe(true);
      if (r.ma_bhxh) expect(r.so_the_bhyt?.slice(5)).toBe(r.ma_bhxh);
      const age = ageOf(r.ngay_sinh ?? '');
      const group = r.so_the_bhyt?.slice(0, 2);
      if (group === 'TE') expect(age).toBeLessThan(6);
      if (group === 'HS') expect(age).toBeLessThan(18);
      if (group === 'HT') expect(r.nghe_nghiep).toBe('Hưu trí');
    }
    expect(people.filter((r) => r.ma_bhxh).every((r) => validateBhxh(r.ma_bhxh ?? '').ok)).toBe(true);
    const under6 = people.filter((r) => ageOf(r.ngay_sinh ?? '') < 6 && r.so_the_bhyt);
    expect(share(under6, (r) => r.so_the_bhyt?.startsWith('TE1') ?? false)).toBeGreaterThan(0.9);
  });

  it('gives most adults a valid mobile number', () => {
    const adults = people.filter((r) => ageOf(r.ngay_sinh ?? '') >= 18);
    expect(share(adults, (r) => r.dien_thoai !== '')).toBeGreaterThan(0.75);
    expect(people.filter((r) => r.dien_thoai).every((r) => normalisePhone(r.dien_thoai ?? '').ok)).toBe(true);
  });

  it('places everyone in a commune of Lâm Đồng, a quarter of rows still with the old code', () => {
    const current = new Set(communesOf('68').map((c) => c.code));
    let old = 0;
    for (const r of people) {
      const resolved = resolveCommune(r.ma_xa ?? '', { province: '68' });
      expect(resolved?.commune.provinceCode, r.ma_xa).toBe('68');
      if (!current.has(r.ma_xa ?? '')) old++;
    }
    expect(old / people.length).toBeGreaterThan(0.12);
    expect(old / people.length).toBeLessThan(0.35);
    expect(new Set(people.map((r) => r.ma_xa)).size).toBeGreaterThan(120);
  });

  it('is mostly Kinh with Lâm Đồng’s minorities', () => {
    const kinh = share(people, (r) => r.dan_toc === 'Kinh');
    expect(kinh).toBeGreaterThan(0.75);
    expect(kinh).toBeLessThan(0.92);
    for (const group of ["K'Ho", 'Mạ', 'Chu Ru', 'Chăm', 'Raglai', "M'Nông"]) {
      expect(people.some((r) => r.dan_toc === group), group).toBe(true);
    }
  });

  it('gives occupations that fit age', () => {
    for (const r of dated(people)) {
      const age = ageOf(r.ngay_sinh ?? '');
      if (r.nghe_nghiep === 'Học sinh') expect(age).toBeLessThan(18);
      if (r.nghe_nghiep === 'Hưu trí') expect(age).toBeGreaterThanOrEqual(55);
      if (age < 6) expect(r.nghe_nghiep).toBe('');
    }
    for (const job of ['Nông dân', 'Công nhân', 'Giáo viên', 'Học sinh', 'Sinh viên', 'Hưu trí', 'Buôn bán', 'Công chức']) {
      expect(people.some((r) => r.nghe_nghiep === job), job).toBe(true);
    }
  });
});

describe('facilities.csv', () => {
  it('has one health station per commune and the provincial facilities', () => {
    const stations = facilities.filter((f) => f.loai === 'tram-y-te');
    expect(new Set(stations.map((f) => f.ma_xa)).size).toBe(communesOf('68').length);
    expect(stations).toHaveLength(communesOf('68').length);
    expect(facilities.some((f) => f.ten === 'Bệnh viện Đa khoa tỉnh Lâm Đồng')).toBe(true);
    expect(facilities.filter((f) => f.loai === 'benh-vien').length).toBeGreaterThanOrEqual(5);
    expect(facilities.filter((f) => f.loai === 'trung-tam-ytdp').length).toBeGreaterThanOrEqual(1);
    expect(facilities.filter((f) => f.loai === 'phong-kham-tu-nhan').length).toBeGreaterThanOrEqual(5);
    expect(new Set(facilities.map((f) => f.ten)).size).toBe(facilities.length);
  });

  it('gives unique 5-digit codes starting with an old province code of Lâm Đồng', () => {
    expect(new Set(facilities.map((f) => f.ma_cskcb)).size).toBe(facilities.length);
    expect(facilities.every((f) => /^(60|67|68)\d{3}$/.test(f.ma_cskcb ?? ''))).toBe(true);
    expect(facilities.every((f) => communesOf('68').some((c) => c.code === f.ma_xa))).toBe(true);
  });
});

describe('identity-pairs.csv', () => {
  it('has one pair per resident below 100,000 residents, labelled same or different', () => {
    expect(defaultPairs(RESIDENTS)).toBe(RESIDENTS);
    expect(defaultPairs(1_000_000)).toBe(100_000);
    expect(pairs).toHaveLength(RESIDENTS);
    expect(pairs.every((p) => p.truth === 'same' || p.truth === 'different')).toBe(true);
    const same = share(pairs, (p) => p.truth === 'same');
    expect(same).toBeGreaterThan(0.55);
    expect(same).toBeLessThan(0.7);
  });

  it('covers every kind of error and look-alike', () => {
    const kinds = new Set(pairs.flatMap((p) => (p.variant ?? '').split('+')));
    for (const k of ['exact', 'typo-given-name', 'no-diacritics', 'swapped-day-month', 'missing-cccd', 'mistyped-cccd', 'year-only',
      'moved-commune', 'new-phone', 'old-commune-code', 'no-ids', 'twins', 'same-name-same-year', 'parent-child-same-name',
      'namesake-same-birth-date', 'sibling', 'neighbour']) {
      expect(kinds.has(k), k).toBe(true);
    }
  });

  it('takes record a verbatim from households.csv', () => {
    const lines = new Set(people.slice(0, 5000).map((r) => HOUSEHOLD_COLUMNS.map((c) => r[c]).join('|')));
    const firstPairs = pairs.filter((p) => lines.has(HOUSEHOLD_COLUMNS.map((c) => p[`a_${c}`]).join('|')));
    expect(firstPairs.length).toBeGreaterThan(4000);
  });

  it('makes the errors it names', () => {
    for (const p of pairs) {
      const v = p.variant ?? '';
      if (v === 'swapped-day-month') {
        const [ya, ma, da] = birth(p.a_ngay_sinh ?? '');
        expect(birth(p.b_ngay_sinh ?? '')).toEqual([ya, da, ma]);
      }
      if (v === 'mistyped-cccd') {
        const a = p.a_so_cccd ?? '';
        const b = p.b_so_cccd ?? '';
        expect([...a].filter((ch, i) => ch !== b[i])).toHaveLength(1);
      }
      if (v.startsWith('missing-cccd')) expect(p.b_so_cccd).toBe('');
      if (v === 'year-only') expect(p.b_ngay_sinh).toMatch(/^\d{4}$/);
      if (v === 'no-diacritics' || v === 'no-diacritics+no-ids') expect(p.b_ho_ten).toMatch(/^[A-Za-z' ]+$/);
      if (v.startsWith('typo-given-name')) expect(p.b_ho_ten).not.toBe(p.a_ho_ten);
      if (v.startsWith('moved-commune')) expect(p.b_ma_xa).not.toBe(p.a_ma_xa);
      if (v.endsWith('+no-ids')) expect([p.b_so_cccd, p.b_ma_bhxh, p.b_so_the_bhyt]).toEqual(['', '', '']);
    }
  });

  it('makes look-alikes genuinely different people', () => {
    for (const p of pairs.filter((x) => x.truth === 'different')) {
      const v = (p.variant ?? '').split('+')[0];
      if (p.a_so_cccd && p.b_so_cccd) expect(p.b_so_cccd).not.toBe(p.a_so_cccd);
      if (p.a_ma_bhxh && p.b_ma_bhxh) expect(p.b_ma_bhxh).not.toBe(p.a_ma_bhxh);
      if (v === 'twins') {
        expect(birth(p.b_ngay_sinh ?? '')[0]).toBe(birth(p.a_ngay_sinh ?? '')[0]);
        expect(p.b_ma_ho).toBe(p.a_ma_ho);
        expect(p.b_ho_ten?.split(' ').at(-1)).not.toBe(p.a_ho_ten?.split(' ').at(-1));
      }
      if (v === 'same-name-same-year' || v === 'namesake-same-birth-date' || v === 'parent-child-same-name') {
        expect(p.b_ho_ten).toBe(p.a_ho_ten);
      }
      if (v === 'namesake-same-birth-date') expect(p.b_ma_xa).not.toBe(p.a_ma_xa);
    }
  });
});
