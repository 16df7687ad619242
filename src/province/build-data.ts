// Converts the reference material (../shared/reference) into the compact data files under
// data/ that HSSK reads at run time. Run by hand when the reference changes:
//
//   node src/province/build-data.ts [REFERENCE_DIR] [OUT_DIR]
//
// (defaults: /work/shared/reference and ./data). The app itself never reads the reference
// folder; the output is committed. Sources and licences: data/SOURCES.md.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { communeTypeOf, oldCommuneTypeOf, districtTypeOf } from './unit-types.ts';

interface NewWard { Code: string; FullName: string; ProvinceCode: string }
interface NewProvince { Code: string; FullName: string; Wards: NewWard[] }
interface OldWard { Code: string; FullName: string; DistrictCode: string }
interface OldDistrict { Code: string; FullName: string; ProvinceCode: string; Ward: OldWard[] | null }
interface OldProvince { Code: string; FullName: string; District: OldDistrict[] }
type Row = Record<string, string>;

/**
 * Codes of Công văn 1027 (and of the dvhcvn mapping built on it) that the later thanglequoc
 * list — our 2025 list — renumbered. We keep the later codes and remember the 1027 ones as
 * aliases, so records written with either resolve.
 */
const NEW_CODE_CORRECTIONS: Record<string, string> = { '06970': '06978', '23737': '23938' };

/** Ages of the QĐ 4469 appendix A3 lists, transcribed from their titles (d = days, y = years). */
const AGE_RULES: Record<string, { min?: string; max?: string }> = {
  'A3.1': { min: '0d', max: '365d' },
  'A3.2': { min: '0d', max: '2y' },
  'A3.3': { min: '0d', max: '10y' },
  'A3.4': { min: '0d', max: '19y' },
  'A3.5': { min: '>27d' },
  'A3.6': { min: '1y' },
  'A3.7': { min: '8y', max: '19y' },
  'A3.8': { min: '9y', max: '60y' },
  'A3.9': { min: '>15y' },
  'A3.10': { min: '>30y' },
};

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function readCsv(file: string): Row[] {
  return parse(fs.readFileSync(file), { columns: true, bom: true, skip_empty_lines: true }) as Row[];
}

/** JSON with one tuple per line: small, and a change to one unit is a one-line diff. */
function writeCompactJson(file: string, header: Record<string, unknown>, tables: Record<string, unknown[]>): void {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(header)) parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  for (const [key, rows] of Object.entries(tables)) {
    parts.push(`${JSON.stringify(key)}:[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]`);
  }
  fs.writeFileSync(file, `{${parts.join(',\n')}}\n`);
}

/** `A090` → `A09.0`; the reference rule lists use the undotted form. */
function dotted(code: string): string {
  const c = code.trim().toUpperCase().replace(/[.†*]/g, '');
  return c.length > 3 ? `${c.slice(0, 3)}.${c.slice(3)}` : c;
}

function requireCount(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: expected ${expected}, found ${actual}`);
}

export function buildAdminUnits(refDir: string, outDir: string): void {
  const dir = path.join(refDir, 'admin-units');
  const current = readJson<NewProvince[]>(path.join(dir, 'new-34-provinces-2-levels.thanglequoc-20260725.json'));
  const old = readJson<OldProvince[]>(path.join(dir, 'old-63-provinces-3-levels.thanglequoc-20250712.json'));
  const communeRows = readCsv(path.join(dir, 'mapping-old-new-communes.csv'));
  const provinceRows = readCsv(path.join(dir, 'mapping-old-new-provinces.csv'));

  const provinces = current.map((p) => [p.Code, p.FullName]);
  const communes = current.flatMap((p) => p.Wards.map((w) => [w.Code, w.FullName, p.Code, communeTypeOf(w.FullName)]));
  requireCount('2025 provinces', provinces.length, 34);
  requireCount('2025 communes', communes.length, 3321);
  const currentCodes = new Set(communes.map((c) => c[0]));
  writeCompactJson(
    path.join(outDir, 'admin-units-2025.json'),
    {
      about: 'Administrative units since 1 July 2025. provinces: [code, name]; communes: [code, name, provinceCode, type] (type: xa | phuong | dac-khu). aliases: [code of Công văn 1027, code in this list]. Source: data/SOURCES.md',
    },
    { provinces, communes, aliases: Object.entries(NEW_CODE_CORRECTIONS) },
  );

  const oldProvinces = old.map((p) => [p.Code, p.FullName]);
  const districts = old.flatMap((p) => p.District.map((d) => [d.Code, d.FullName, p.Code, districtTypeOf(d.FullName)]));
  const oldCommunes = old.flatMap((p) =>
    p.District.flatMap((d) => (d.Ward ?? []).map((w) => [w.Code, w.FullName, d.Code, oldCommuneTypeOf(w.FullName)])),
  );
  requireCount('old provinces', oldProvinces.length, 63);
  requireCount('old districts', districts.length, 696);
  requireCount('old communes', oldCommunes.length, 10035);
  writeCompactJson(
    path.join(outDir, 'admin-units-pre2025.json'),
    {
      about: 'Administrative units before 1 July 2025 (cut-off 2025-07-12). provinces: [code, name]; districts: [code, name, provinceCode, type] (quan | huyen | thi-xa | thanh-pho); communes: [code, name, districtCode, type] (xa | phuong | thi-tran). Source: data/SOURCES.md',
    },
    { provinces: oldProvinces, districts, communes: oldCommunes },
  );

  // Old commune → new commune(s). Rows whose old code is a 3-digit island district (a district
  // without communes, merged whole into one new unit) go to their own table.
  const communeMap: [string, string, number][] = [];
  const districtMap: [string, string, number][] = [];
  for (const r of communeRows) {
    const oldCode = r['old_commune_code'] ?? '';
    const rawNew = r['new_commune_code'] ?? '';
    const newCode = NEW_CODE_CORRECTIONS[rawNew] ?? rawNew;
    if (!currentCodes.has(newCode)) throw new Error(`mapping targets unknown 2025 commune ${rawNew}`);
    const row: [string, string, number] = [oldCode, newCode, r['merge_type'] === 'full' ? 1 : 0];
    (oldCode.length === 3 ? districtMap : communeMap).push(row);
  }
  communeMap.sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]));
  requireCount('mapping rows', communeMap.length + districtMap.length, 10604);
  const provinceMap = provinceRows.map((r) => [r['old_province_code'], r['new_province_code']]);
  requireCount('province mapping rows', provinceMap.length, 63);
  writeCompactJson(
    path.join(outDir, 'admin-units-mapping.json'),
    {
      about: 'Old (pre-2025) → new (2025) units. provinces: [old, new]; communes: [oldCommune, newCommune, full] (full 1: the whole old commune went there; 0: only part of it); districts: island districts without communes, [oldDistrict, newCommune, full]. Source: data/SOURCES.md',
    },
    { provinces: provinceMap, communes: communeMap, districts: districtMap },
  );
}

export function buildIcd10(refDir: string, outDir: string): void {
  const dir = path.join(refDir, 'icd10');
  const rows = readCsv(path.join(dir, 'icd10-qd4469-compact.csv'));
  requireCount('ICD-10 rows', rows.length, 12219);

  // 82 category codes are listed twice, plain and with their †/* mark: keep one entry, the
  // plain name (the marked one sometimes appends "(J17.3*)") and the mark.
  const byCode = new Map<string, [string, string, string, string]>();
  for (const r of rows) {
    const code = dotted(r['code'] ?? '');
    const mark = (r['code'] ?? '').replace(/[^†*]/g, '');
    const prev = byCode.get(code);
    if (prev) {
      if (mark) prev[3] = mark;
      else { prev[1] = r['name_vi'] ?? ''; prev[2] = r['name_en'] ?? ''; }
    } else {
      byCode.set(code, [code, r['name_vi'] ?? '', r['name_en'] ?? '', mark]);
    }
  }
  const codes = [...byCode.values()].map((c) => (c[3] ? c : c.slice(0, 3)));

  const chapters: string[][] = [];
  const groups: string[][] = [];
  for (const r of readCsv(path.join(dir, 'icd10-qd4469-chapters-groups.csv'))) {
    const level = r['level'] ?? '';
    if (level === 'chapter') chapters.push([r['chapter_no'] ?? '', r['code_range'] ?? '', r['name_vi'] ?? '', r['name_en'] ?? '']);
    else groups.push([level, r['code_range'] ?? '', r['name_vi'] ?? '', r['name_en'] ?? '']);
  }

  const codeList = (file: string) => [...new Set(readCsv(path.join(dir, file)).map((r) => dotted(r['Mã'] ?? '')))];
  const ageRules = new Map<string, { id: string; label: string; min?: string; max?: string; codes: string[] }>();
  for (const r of readCsv(path.join(dir, 'icd10-qd4469-A3-age-rules.csv'))) {
    const label = (r['rule'] ?? '').trim();
    const id = /A3\.\d+/.exec(label)?.[0];
    const ages = id ? AGE_RULES[id] : undefined;
    if (!id || !ages) throw new Error(`unknown age rule: ${label}`);
    const rule = ageRules.get(id) ?? { id, label: label.replace(/^Phụ lục A3\.\d+\s*/, ''), ...ages, codes: [] };
    rule.codes.push(dotted(r['code'] ?? ''));
    ageRules.set(id, rule);
  }
  const daggerAsterisk = readCsv(path.join(dir, 'icd10-qd4469-A1-dagger-asterisk.csv')).map((r) => [
    dotted(r['Dagger (†)'] ?? ''),
    dotted(r['Asterix (*)'] ?? ''),
  ]);

  writeCompactJson(
    path.join(outDir, 'icd10.json'),
    {
      about: 'ICD-10 of QĐ 4469/QĐ-BYT. codes: [code (dotted), name_vi, name_en, mark? († or *)]; chapters: [number, range, name_vi, name_en]; groups: [level (group | subgroup1 | subgroup2), range, name_vi, name_en]; rule lists from appendices A1 (daggerAsterisk: [dagger, asterisk]), A2 (notMain), A3 (ageRules; ages: Nd days, Ny years, > exclusive), A4.1 (femaleOnly), A4.2 (maleOnly). Source: data/SOURCES.md',
      ageRules: [...ageRules.values()],
      notMain: codeList('icd10-qd4469-A2-not-primary.csv'),
      femaleOnly: codeList('icd10-qd4469-A4.1-female-only.csv'),
      maleOnly: codeList('icd10-qd4469-A4.2-male-only.csv'),
    },
    { chapters, groups, daggerAsterisk, codes },
  );
}

if (import.meta.main) {
  const refDir = process.argv[2] ?? path.join(import.meta.dirname, '../../../shared/reference');
  const outDir = process.argv[3] ?? path.join(import.meta.dirname, '../../data');
  fs.mkdirSync(outDir, { recursive: true });
  buildAdminUnits(refDir, outDir);
  buildIcd10(refDir, outDir);
  for (const f of fs.readdirSync(outDir).filter((f) => f.endsWith('.json')).sort()) {
    console.error(`${f}: ${fs.statSync(path.join(outDir, f)).size} bytes`);
  }
}
