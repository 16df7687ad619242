// Synthetic treatment episodes for the synthetic province (issue 3 files households.csv and
// facilities.csv): valid GIAMDINHHS envelope files in the QĐ 130 or QĐ 4210 layout, used by tests,
// the demo and benchmarks. Deterministic for a seed. Residents are drawn by reservoir sampling
// while households.csv streams by, so memory grows with --count, not with the province.
// Includes, on purpose, excluded-category content (XML6, B20/F11 codes, antiretrovirals,
// methadone) and broken episodes (missing MA_LK, bad base64, impossible date), each counted.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { Rng, weighted, type Weighted } from '../../province/prng.ts';
import { foldVietnamese } from '../../fhir/fold.ts';

export type EpisodeFormat = '130' | '4210';

export interface GenerateEpisodesOptions {
  provinceDir: string;
  count: number;
  format: EpisodeFormat;
  outDir: string;
  seed?: string | number;
  /** Episodes per envelope file (default 1000). */
  perFile?: number;
  /** Share of broken episodes (default 0.01) and of excluded-category ones (default 0.02). */
  brokenRate?: number;
  sensitiveRate?: number;
  /** First day (yyyy-mm-dd) of the 300 days the episodes start in (default 2025-01-01: January–October 2025). */
  from?: string;
}

/** The days episodes start in, and the years their insurance cards are valid for. */
export interface EpisodeWindow {
  /** Midnight UTC of the first day. */
  start: number;
  firstYear: number;
  lastYear: number;
}

const WINDOW_DAYS = 300;
const DAY_MS = 86_400_000;

export function episodeWindow(from = '2025-01-01'): EpisodeWindow {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(Date.parse(`${from}T00:00:00Z`))) throw new Error(`Ngày bắt đầu không hợp lệ: ${from} (yyyy-mm-dd).`);
  const start = Date.parse(`${from}T00:00:00Z`);
  return { start, firstYear: new Date(start).getUTCFullYear(), lastYear: new Date(start + (WINDOW_DAYS - 1) * DAY_MS).getUTCFullYear() };
}

export interface GenerateEpisodesSummary {
  files: string[];
  episodes: number;
  broken: number;
  sensitive: number;
  inpatient: number;
  births: number;
}

export interface Person {
  ho_ten: string;
  ngay_sinh: string;
  gioi_tinh: string;
  so_cccd: string;
  ma_bhxh: string;
  so_the_bhyt: string;
  dan_toc: string;
  nghe_nghiep: string;
  dia_chi: string;
  ma_xa: string;
  dien_thoai: string;
}

export interface Facility {
  ma_cskcb: string;
  ten: string;
  loai: string;
}

/** QĐ 121-TCTK/PPCĐ codes of the commonest ethnic groups, by folded name. */
const ETHNICITY: Record<string, string> = {
  kinh: '01', tay: '02', thai: '03', hoa: '04', khome: '05', khmer: '05', muong: '06', nung: '07', hmong: '08', mong: '08', dao: '09',
  giarai: '10', ede: '12', bana: '13', xodang: '14', sanchay: '15', coho: '16', cham: '17', sandiu: '18', hre: '19', mnong: '20', raglai: '21',
  xtieng: '22', bruvankieu: '23', tho: '24', giay: '25', cotu: '26', ma: '28', khomu: '29', chu: '36', churu: '36',
};

interface Drug { code: string; name: string; strength: string; unit: string; route: string; dose: string; price: number }
interface Lab { service: string; serviceName: string; code: string; name: string; unit: string; low: number; high: number; decimals: number }
interface Scenario {
  name: string;
  icd: string;
  text: string;
  secondary?: readonly (readonly [string, string])[];
  careType: '01' | '02' | '03';
  department: string;
  drugs: readonly Drug[];
  labs: readonly Lab[];
  reason: string;
  followUp: boolean;
  birth?: boolean;
  sensitive?: 'hiv' | 'drug-use';
}

const D = {
  amlodipin: { code: '40.335', name: 'Amlodipin', strength: '5mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 1 lần/ngày', price: 500 },
  losartan: { code: '40.389', name: 'Losartan', strength: '50mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 1 lần/ngày', price: 1200 },
  metformin: { code: '40.679', name: 'Metformin', strength: '500mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 2 lần/ngày', price: 450 },
  gliclazid: { code: '40.675', name: 'Gliclazid', strength: '30mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 1 lần/ngày', price: 900 },
  paracetamol: { code: '40.48', name: 'Paracetamol', strength: '500mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 3 lần/ngày', price: 250 },
  amoxicillin: { code: '40.155', name: 'Amoxicilin', strength: '500mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 3 lần/ngày', price: 800 },
  ceftriaxon: { code: '40.218', name: 'Ceftriaxon', strength: '1g', unit: 'Lọ', route: '2.15', dose: '1 lọ/lần * 2 lần/ngày', price: 18000 },
  omeprazol: { code: '40.677', name: 'Omeprazol', strength: '20mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 2 lần/ngày', price: 600 },
  oxytocin: { code: '40.866', name: 'Oxytocin', strength: '5UI/1ml', unit: 'Ống', route: '2.15', dose: '1 ống tiêm bắp', price: 6000 },
  ibuprofen: { code: '40.44', name: 'Ibuprofen', strength: '400mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 2 lần/ngày', price: 700 },
  tld: { code: '40.1105', name: 'Tenofovir + Lamivudin + Dolutegravir', strength: '300mg + 300mg + 50mg', unit: 'Viên', route: '1.01', dose: '1 viên/lần * 1 lần/ngày', price: 9000 },
  methadon: { code: '40.1010', name: 'Methadon', strength: '10mg/ml', unit: 'ml', route: '1.01', dose: '60 mg/ngày', price: 300 },
} as const satisfies Record<string, Drug>;

const L = {
  glucose: { service: '23.0075.1494', serviceName: 'Định lượng Glucose [Máu]', code: '23.0075', name: 'Glucose', unit: 'mmol/L', low: 4.2, high: 11, decimals: 1 },
  hba1c: { service: '23.0083.1523', serviceName: 'Định lượng HbA1c [Máu]', code: '23.0083', name: 'HbA1c', unit: '%', low: 5.2, high: 9.5, decimals: 1 },
  creatinin: { service: '23.0051.1494', serviceName: 'Định lượng Creatinin (máu)', code: '23.0051', name: 'Creatinin', unit: 'µmol/L', low: 55, high: 130, decimals: 0 },
  hb: { service: '22.0121.1370', serviceName: 'Tổng phân tích tế bào máu ngoại vi', code: '22.0121.HGB', name: 'Huyết sắc tố (HGB)', unit: 'g/L', low: 105, high: 160, decimals: 0 },
  wbc: { service: '22.0121.1370', serviceName: 'Tổng phân tích tế bào máu ngoại vi', code: '22.0121.WBC', name: 'Số lượng bạch cầu (WBC)', unit: 'G/L', low: 4, high: 15, decimals: 1 },
  plt: { service: '22.0121.1370', serviceName: 'Tổng phân tích tế bào máu ngoại vi', code: '22.0121.PLT', name: 'Số lượng tiểu cầu (PLT)', unit: 'G/L', low: 150, high: 400, decimals: 0 },
  cholesterol: { service: '23.0041.1506', serviceName: 'Định lượng Cholesterol toàn phần (máu)', code: '23.0041', name: 'Cholesterol toàn phần', unit: 'mmol/L', low: 3.5, high: 7, decimals: 1 },
} as const satisfies Record<string, Lab>;

const SCENARIOS: Weighted<Scenario> = weighted<Scenario>([
  [{ name: 'htn', icd: 'I10', text: 'Tăng huyết áp vô căn', careType: '01', department: 'K03', drugs: [D.amlodipin, D.losartan], labs: [L.creatinin, L.cholesterol], reason: 'Đau đầu, khám định kỳ tăng huyết áp', followUp: true }, 20],
  [{ name: 'dm', icd: 'E11.9', text: 'Đái tháo đường type 2 không biến chứng', secondary: [['I10', 'Tăng huyết áp vô căn']], careType: '01', department: 'K03', drugs: [D.metformin, D.gliclazid, D.amlodipin], labs: [L.glucose, L.hba1c, L.creatinin], reason: 'Khám định kỳ đái tháo đường', followUp: true }, 15],
  [{ name: 'uri', icd: 'J06.9', text: 'Nhiễm trùng đường hô hấp trên cấp', careType: '01', department: 'K01', drugs: [D.paracetamol, D.amoxicillin], labs: [], reason: 'Sốt, ho, đau họng 2 ngày', followUp: false }, 15],
  [{ name: 'bronchitis', icd: 'J20.9', text: 'Viêm phế quản cấp', careType: '01', department: 'K01', drugs: [D.paracetamol, D.amoxicillin], labs: [L.wbc], reason: 'Ho có đờm, sốt nhẹ', followUp: false }, 8],
  [{ name: 'gastritis', icd: 'K29.7', text: 'Viêm dạ dày', careType: '01', department: 'K01', drugs: [D.omeprazol], labs: [], reason: 'Đau thượng vị', followUp: true }, 8],
  [{ name: 'injury', icd: 'S93.4', text: 'Bong gân cổ chân', careType: '01', department: 'K24', drugs: [D.ibuprofen], labs: [], reason: 'Ngã xe, đau cổ chân', followUp: false }, 5],
  [{ name: 'pneumonia', icd: 'J18.9', text: 'Viêm phổi', secondary: [['I10', 'Tăng huyết áp vô căn']], careType: '03', department: 'K03', drugs: [D.ceftriaxon, D.paracetamol], labs: [L.wbc, L.hb, L.plt, L.glucose], reason: 'Sốt cao, khó thở', followUp: true }, 8],
  [{ name: 'birth', icd: 'O80', text: 'Đẻ thường một thai', careType: '03', department: 'K26', drugs: [D.oxytocin, D.amoxicillin], labs: [L.hb, L.plt], reason: 'Chuyển dạ', followUp: true, birth: true }, 4],
  [{ name: 'dm-inpatient', icd: 'E11.6', text: 'Đái tháo đường type 2 có biến chứng', careType: '03', department: 'K03', drugs: [D.metformin, D.gliclazid], labs: [L.glucose, L.hba1c, L.creatinin], reason: 'Đường huyết cao, mệt mỏi', followUp: true }, 4],
  [{ name: 'chronic-outpatient', icd: 'I10', text: 'Tăng huyết áp vô căn', careType: '02', department: 'K03', drugs: [D.amlodipin], labs: [], reason: 'Điều trị ngoại trú tăng huyết áp', followUp: true }, 6],
]);

const SENSITIVE: readonly Scenario[] = [
  { name: 'hiv', icd: 'B20.7', text: 'Bệnh do HIV gây nhiều bệnh nhiễm trùng', careType: '01', department: 'K03', drugs: [D.tld], labs: [L.wbc], reason: 'Khám định kỳ', followUp: true, sensitive: 'hiv' },
  { name: 'opioid', icd: 'F11.2', text: 'Hội chứng nghiện do dùng các chất dạng thuốc phiện', careType: '01', department: 'K20', drugs: [D.methadon], labs: [], reason: 'Điều trị thay thế', followUp: true, sensitive: 'drug-use' },
];

/** Reads facilities.csv whole (a few hundred rows). */
export function readFacilities(file: string): Facility[] {
  return parseSync(fs.readFileSync(file), { columns: true, skip_empty_lines: true, bom: true }) as Facility[];
}

/** Draws `count` residents uniformly from households.csv while it streams (reservoir sampling). */
export async function sampleResidents(file: string, count: number, rng: Rng): Promise<Person[]> {
  const chosen: Person[] = [];
  let seen = 0;
  const parser = fs.createReadStream(file).pipe(parse({ columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }));
  for await (const row of parser as AsyncIterable<Person>) {
    seen++;
    if (chosen.length < count) chosen.push(row);
    else {
      const j = rng.int(seen);
      if (j < count) chosen[j] = row;
    }
  }
  return chosen;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const stamp = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
const day = (d: Date) => stamp(d).slice(0, 8);

/** Household birth dates (dd/mm/yyyy, yyyy-mm-dd or yyyy) → NGAY_SINH of the generation. */
export function birthField(raw: string, format: EpisodeFormat): string {
  const dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(raw);
  const [y, m, d] = dmy
    ? [dmy[3]!, pad(+dmy[2]!), pad(+dmy[1]!)]
    : iso
      ? [iso[1]!, iso[2]!, iso[3]!]
      : [/^\d{4}$/.test(raw) ? raw : '1980', '', ''];
  if (format === '4210') return m ? `${y}${m}${d}` : `${y}0101`;
  return m ? `${y}${m}${d}0000` : `${y}00000000`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function element(name: string, fields: readonly (readonly [string, string | number | undefined])[], indent = ''): string {
  const lines = fields.map(([k, v]) => `${indent}  <${k}>${v === undefined ? '' : esc(String(v))}</${k}>`);
  return `${indent}<${name}>\n${lines.join('\n')}\n${indent}</${name}>`;
}

function table(format: EpisodeFormat, wrapper130: string, list: string, record: string, rows: readonly (readonly (readonly [string, string | number | undefined])[])[]): string {
  const body = rows.map((r) => element(record, r, '    ')).join('\n');
  const inner = `  <${list}>\n${body}\n  </${list}>`;
  return format === '130' ? `<${wrapper130}>\n${inner}\n</${wrapper130}>` : inner.replace(/^ {2}/gm, '');
}

type Fields = (readonly [string, string | number | undefined])[];

interface BuiltEpisode {
  files: [type: string, xml: string][];
  broken?: 'missing-ma-lk' | 'bad-base64' | 'impossible-date';
  sensitive: boolean;
  inpatient: boolean;
  birth: boolean;
}

/** One episode's inner tables (XML text, before base64). */
export function buildEpisode(rng: Rng, person: Person, facility: Facility, format: EpisodeFormat, serial: number, broken: boolean, sensitive: boolean, window = episodeWindow()): BuiltEpisode {
  let scenario = sensitive ? rng.pick(SENSITIVE) : rng.draw(SCENARIOS);
  // Only women give birth: a man drawn for a delivery gets the commonest visit instead.
  if (scenario.birth && person.gioi_tinh === 'Nam') scenario = SCENARIOS.items[0]!;
  const is130 = format === '130';
  const maLk = `${facility.ma_cskcb}-${format}-${pad(serial, 8)}`;
  const base = window.start + rng.int(WINDOW_DAYS) * DAY_MS + (7 + rng.int(9)) * 3_600_000 + rng.int(60) * 60_000;
  const start = new Date(base);
  const inpatient = scenario.careType === '03';
  const stay = inpatient ? 2 + rng.int(6) : scenario.careType === '02' ? 30 : 0;
  const end = new Date(base + (inpatient ? stay * 86_400_000 + rng.int(8) * 3_600_000 : (1 + rng.int(3)) * 3_600_000));
  const careType = is130 ? scenario.careType : String(+scenario.careType);
  const card = person.so_the_bhyt;
  const secondary = scenario.secondary ?? [];
  const diagnosisText = [scenario.text, ...secondary.map(([, t]) => t)].join('; ');
  const followUp = scenario.followUp ? new Date(end.getTime() + (7 + rng.int(24)) * 86_400_000) : undefined;
  const brokenKind = broken ? rng.pick(['missing-ma-lk', 'bad-base64', 'impossible-date'] as const) : undefined;
  const weight = (45 + rng.int(35) + rng.int(100) / 100).toFixed(2);
  const doctor = `${pad(rng.int(999999), 6)}/${facility.ma_cskcb.slice(0, 2)}-CCHN`;
  const ethnicity = ETHNICITY[foldVietnamese(person.dan_toc).replace(/[^a-z]/g, '')];
  const icd = (code: string) => (rng.chance(0.3) ? code.replace('.', '') : code); // both forms occur

  const files: [string, string][] = [];
  const xml1: Fields = [
    ['MA_LK', brokenKind === 'missing-ma-lk' ? '' : maLk],
    ['STT', 1],
    ['MA_BN', `BN${pad(serial, 9)}`],
    ['HO_TEN', person.ho_ten],
  ];
  if (is130) xml1.push(['SO_CCCD', person.so_cccd]);
  xml1.push(['NGAY_SINH', brokenKind === 'impossible-date' ? (is130 ? '199002300000' : '19900230') : birthField(person.ngay_sinh, format)]);
  xml1.push(['GIOI_TINH', person.gioi_tinh === 'Nam' ? 1 : 2]);
  if (is130) {
    xml1.push(['NHOM_MAU', ''], ['MA_QUOCTICH', '000'], ['MA_DANTOC', ethnicity], ['MA_NGHE_NGHIEP', ''], ['DIA_CHI', person.dia_chi]);
    xml1.push(['MATINH_CU_TRU', facility.ma_cskcb.slice(0, 2)], ['MAHUYEN_CU_TRU', ''], ['MAXA_CU_TRU', person.ma_xa], ['DIEN_THOAI', person.dien_thoai]);
    xml1.push(['MA_THE_BHYT', card], ['MA_DKBD', card ? facility.ma_cskcb : ''], ['GT_THE_TU', card ? `${window.firstYear}0101` : ''], ['GT_THE_DEN', card ? `${window.lastYear}1231` : '']);
    xml1.push(['NGAY_MIEN_CCT', ''], ['LY_DO_VV', scenario.reason], ['LY_DO_VNT', inpatient ? scenario.reason : ''], ['MA_LY_DO_VNT', '']);
    xml1.push(['CHAN_DOAN_VAO', scenario.text], ['CHAN_DOAN_RV', diagnosisText], ['MA_BENH_CHINH', icd(scenario.icd)], ['MA_BENH_KT', secondary.map(([c]) => icd(c)).join(';')]);
    xml1.push(['MA_BENH_YHCT', ''], ['MA_PTTT_QT', ''], ['MA_DOITUONG_KCB', '1.1'], ['MA_NOI_DI', ''], ['MA_NOI_DEN', ''], ['MA_TAI_NAN', scenario.name === 'injury' ? 1 : '']);
    xml1.push(['NGAY_VAO', stamp(start)], ['NGAY_VAO_NOI_TRU', inpatient ? stamp(start) : ''], ['NGAY_RA', stamp(end)], ['GIAY_CHUYEN_TUYEN', '']);
    xml1.push(['SO_NGAY_DTRI', inpatient ? stay + 1 : 0], ['PP_DIEU_TRI', 'Điều trị nội khoa'], ['KET_QUA_DTRI', inpatient ? 1 : 2], ['MA_LOAI_RV', 1]);
    xml1.push(['GHI_CHU', 'Uống thuốc đúng giờ, tái khám theo hẹn'], ['NGAY_TTOAN', stamp(end)]);
  } else {
    xml1.push(['DIA_CHI', person.dia_chi], ['MA_THE', card], ['MA_DKBD', card ? facility.ma_cskcb : ''], ['GT_THE_TU', card ? `${window.firstYear}0101` : ''], ['GT_THE_DEN', card ? `${window.lastYear}1231` : '']);
    xml1.push(['MIEN_CUNG_CT', ''], ['TEN_BENH', diagnosisText], ['MA_BENH', icd(scenario.icd)], ['MA_BENHKHAC', secondary.map(([c]) => icd(c)).join(';')]);
    xml1.push(['MA_LYDO_VVIEN', 1], ['MA_NOI_CHUYEN', ''], ['MA_TAI_NAN', ''], ['NGAY_VAO', stamp(start)], ['NGAY_RA', stamp(end)]);
    xml1.push(['SO_NGAY_DTRI', inpatient ? stay + 1 : 0], ['KET_QUA_DTRI', inpatient ? 1 : 2], ['TINH_TRANG_RV', 1], ['NGAY_TTOAN', stamp(end)]);
  }
  const drugRows: Fields[] = scenario.drugs.map((d, i) => {
    const qty = inpatient ? stay * 2 : 7 + rng.int(24);
    const r: Fields = [['MA_LK', maLk], ['STT', i + 1], ['MA_THUOC', d.code], ['MA_NHOM', 4], ['TEN_THUOC', d.name], ['DON_VI_TINH', d.unit], ['HAM_LUONG', d.strength], ['DUONG_DUNG', d.route]];
    if (is130) r.push(['DANG_BAO_CHE', d.unit === 'Viên' ? 'Viên nén' : 'Dung dịch']);
    r.push(['LIEU_DUNG', d.dose]);
    if (is130) r.push(['CACH_DUNG', 'Uống sau ăn']);
    r.push(['SO_DANG_KY', `VD-${pad(rng.int(99999), 5)}-${pad(rng.int(99), 2)}`], ['PHAM_VI', 1], [is130 ? 'TYLE_TT_BH' : 'TYLE_TT', 100], ['SO_LUONG', qty], ['DON_GIA', d.price]);
    r.push([is130 ? 'THANH_TIEN_BV' : 'THANH_TIEN', (qty * d.price).toFixed(2)], ['MUC_HUONG', 80], ['MA_KHOA', scenario.department], ['MA_BAC_SI', doctor], ['NGAY_YL', stamp(start)]);
    if (is130) r.push(['NGAY_TH_YL', stamp(start)], ['NGUON_CTRA', d === D.tld ? 2 : 1]);
    return r;
  });
  const services = new Map<string, Lab>();
  for (const l of scenario.labs) if (!services.has(l.service)) services.set(l.service, l);
  const serviceRows: Fields[] = [
    [['MA_DICH_VU', '02.1896'], ['TEN_DICH_VU', 'Khám Nội'], ['MA_NHOM', 13], ['SO_LUONG', 1], [is130 ? 'DON_GIA_BV' : 'DON_GIA', 34500]],
    ...[...services.values()].map((l): Fields => [['MA_DICH_VU', l.service], ['TEN_DICH_VU', l.serviceName], ['MA_NHOM', 1], ['SO_LUONG', 1], [is130 ? 'DON_GIA_BV' : 'DON_GIA', 27000]]),
  ];
  if (inpatient) serviceRows.push([['MA_DICH_VU', 'K03.1910'], ['TEN_DICH_VU', 'Giường Nội khoa loại 1'], ['MA_NHOM', 15], ['MA_GIUONG', `H${pad(rng.int(60) + 1, 3)}`], ['SO_LUONG', stay], [is130 ? 'DON_GIA_BV' : 'DON_GIA', 199000]]);
  const serviceFull = serviceRows.map((r, i): Fields => [['MA_LK', maLk], ['STT', i + 1], ...r, ['MA_KHOA', scenario.department], ['MA_BAC_SI', doctor], ['NGAY_YL', stamp(start)], ...(is130 ? ([['NGAY_TH_YL', stamp(start)]] as Fields) : []), ['NGAY_KQ', stamp(new Date(base + 3_600_000))]]);
  const labRows = scenario.labs.map((l, i): Fields => {
    const v = (l.low + rng.float() * (l.high - l.low)).toFixed(l.decimals);
    const r: Fields = [['MA_LK', maLk], ['STT', i + 1], ['MA_DICH_VU', l.service], ['MA_CHI_SO', l.code], ['TEN_CHI_SO', l.name], ['GIA_TRI', v]];
    if (is130) r.push(['DON_VI_DO', l.unit]);
    r.push(['MA_MAY', `XN.1.${pad(rng.int(99999), 5)}.1`], ['MO_TA', ''], ['KET_LUAN', ''], ['NGAY_KQ', stamp(new Date(base + 2 * 3_600_000))]);
    if (is130) r.push(['MA_BS_DOC_KQ', doctor]);
    return r;
  });
  const courseRows: Fields[] = [
    [['MA_LK', maLk], ['STT', 1], [is130 ? 'DIEN_BIEN_LS' : 'DIEN_BIEN', `Mạch ${70 + rng.int(30)} l/p, HA ${110 + rng.int(50)}/${70 + rng.int(25)} mmHg, nhiệt độ ${(36.5 + rng.float() * 2).toFixed(1)} độ C. ${scenario.reason}.`], ...(is130 ? ([['THOI_DIEM_DBLS', stamp(start)], ['NGUOI_THUC_HIEN', doctor]] as Fields) : ([['NGAY_YL', stamp(start)]] as Fields))],
  ];
  if (inpatient) courseRows.push([['MA_LK', maLk], ['STT', 2], [is130 ? 'DIEN_BIEN_LS' : 'DIEN_BIEN', 'Tỉnh, ăn uống được, hết sốt; cho ra viện.'], ...(is130 ? ([['THOI_DIEM_DBLS', stamp(end)], ['NGUOI_THUC_HIEN', doctor]] as Fields) : ([['NGAY_YL', stamp(end)]] as Fields))]);
  if (is130) {
    xml1.push(['T_THUOC', 0], ['T_VTYT', 0], ['T_TONGCHI_BV', 0], ['T_TONGCHI_BH', 0], ['T_BNTT', 0], ['T_BNCCT', 0], ['T_BHTT', 0], ['T_NGUONKHAC', 0], ['T_BHTT_GDV', 0]);
    xml1.push(['NAM_QT', start.getUTCFullYear()], ['THANG_QT', start.getUTCMonth() + 1], ['MA_LOAI_KCB', careType], ['MA_KHOA', scenario.department], ['MA_CSKCB', facility.ma_cskcb]);
    xml1.push(['MA_KHUVUC', ''], ['CAN_NANG', weight], ['CAN_NANG_CON', ''], ['NAM_NAM_LIEN_TUC', ''], ['NGAY_TAI_KHAM', followUp ? day(followUp) : ''], ['MA_HSBA', `HS${pad(serial, 8)}`], ['MA_TTDV', '']);
  } else {
    xml1.push(['T_THUOC', 0], ['T_VTYT', 0], ['T_TONGCHI', 0], ['T_BNTT', 0], ['T_BHTT', 0], ['T_NGUONKHAC', 0], ['T_NGOAIDS', 0], ['NAM_QT', start.getUTCFullYear()], ['THANG_QT', start.getUTCMonth() + 1]);
    xml1.push(['MA_LOAI_KCB', careType], ['MA_KHOA', scenario.department], ['MA_CSKCB', facility.ma_cskcb], ['MA_KHUVUC', ''], ['MA_PTTT_QT', ''], ['CAN_NANG', '']);
  }
  files.push(['XML1', element('TONG_HOP', xml1)]);
  files.push(['XML2', table(format, 'CHITIEU_CHITIET_THUOC', 'DSACH_CHI_TIET_THUOC', 'CHI_TIET_THUOC', drugRows)]);
  files.push(['XML3', table(format, 'CHITIEU_CHITIET_DVKT_VTYT', 'DSACH_CHI_TIET_DVKT', 'CHI_TIET_DVKT', serviceFull)]);
  if (labRows.length) files.push(['XML4', table(format, 'CHITIEU_CHITIET_DICHVUCANLAMSANG', 'DSACH_CHI_TIET_CLS', 'CHI_TIET_CLS', labRows)]);
  files.push(['XML5', table(format, 'CHITIEU_CHITIET_DIENBIENLAMSANG', 'DSACH_CHI_TIET_DIEN_BIEN_BENH', 'CHI_TIET_DIEN_BIEN_BENH', courseRows)]);
  if (is130 && scenario.sensitive === 'hiv') {
    files.push(['XML6', element('CHI_TIEU_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS', [['MA_LK', maLk], ['MA_THE_BHYT', card], ['NGAYKD_HIV', '20200101'], ['BDDT_ARV', '20200115'], ['MA_PHAC_DO_DIEU_TRI_BD', '1a'], ['NHOM_DOI_TUONG', '4']])]);
  }
  const births = scenario.birth && is130 ? 1 + (rng.chance(0.05) ? 1 : 0) : 0;
  if (is130 && inpatient) {
    files.push(['XML7', element('CHI_TIEU_DU_LIEU_GIAY_RA_VIEN', [['MA_LK', maLk], ['SO_LUU_TRU', `LT${pad(serial, 7)}`], ['MA_YTE', `BN${pad(serial, 9)}`], ['MA_KHOA_RV', scenario.department], ['NGAY_VAO', stamp(start)], ['NGAY_RA', stamp(end)], ['MA_DINH_CHI_THAI', 0], ['CHAN_DOAN_RV', diagnosisText], ['PP_DIEUTRI', 'Điều trị nội khoa'], ['GHI_CHU', 'Nghỉ ngơi, tái khám theo hẹn'], ['TEN_BS', 'Trần Văn Bình'], ['NGAY_CT', day(end)]])]);
    files.push(['XML8', element('CHI_TIEU_DU_LIEU_TOM_TAT_HO_SO_BENH_AN', [['MA_LK', maLk], ['MA_LOAI_KCB', '03'], ['NGAY_VAO', stamp(start)], ['NGAY_RA', stamp(end)], ['CHAN_DOAN_VAO', scenario.text], ['CHAN_DOAN_RV', diagnosisText], ['QT_BENHLY', `${scenario.reason}; vào viện điều trị ${stay + 1} ngày, đáp ứng tốt.`], ['TOMTAT_KQ', scenario.labs.map((l) => l.name).join(', ') || 'Không'], ['PP_DIEUTRI', 'Điều trị nội khoa'], ['KET_QUA_DTRI', 1], ['NGAY_CT', day(end)]])]);
  }
  if (births) {
    const records = Array.from({ length: births }, (_, i): Fields => [
      ['MA_LK', maLk], ['MA_BHXH_NND', person.ma_bhxh], ['MA_THE_NND', card], ['HO_TEN_NND', person.ho_ten], ['NGAYSINH_NND', birthField(person.ngay_sinh, '4210')],
      ['SO_CCCD_NND', person.so_cccd], ['NOI_CU_TRU_NND', person.dia_chi], ['MAXA_CU_TRU', person.ma_xa], ['MA_THE_TAM', `TE1${facility.ma_cskcb.slice(0, 2)}${pad(rng.int(1e9), 10)}`],
      ['GIOI_TINH_CON', 1 + rng.int(2)], ['SO_CON', births], ['LAN_SINH', 1 + rng.int(3)], ['SO_CON_SONG', 1 + rng.int(3)], ['CAN_NANG_CON', 2600 + rng.int(1200)],
      ['NGAY_SINH_CON', stamp(new Date(base + 6 * 3_600_000 + i * 600_000))], ['NOI_SINH_CON', facility.ten], ['TINH_TRANG_CON', 'Khỏe mạnh'], ['SINHCON_PHAUTHUAT', 0], ['SINHCON_DUOI32TUAN', 0],
      ['NGUOI_DO_DE', 'Nguyễn Thị Hạnh'], ['NGAY_CT', day(end)], ['SO', pad(serial, 6)], ['QUYEN_SO', '01'],
    ]);
    files.push(['XML9', table('130', 'CHI_TIEU_DU_LIEU_GIAY_CHUNG_SINH', 'DSACH_GIAYCHUNGSINH', 'DU_LIEU_GIAY_CHUNG_SINH', records)]);
  }
  if (is130 && followUp) {
    files.push(['XML14', element('CHI_TIEU_GIAYHEN_KHAMLAI', [['MA_LK', maLk], ['SO_GIAYHEN_KL', `GH${pad(serial, 7)}`], ['MA_CSKCB', facility.ma_cskcb], ['HO_TEN', person.ho_ten], ['NGAY_SINH', birthField(person.ngay_sinh, '130')], ['GIOI_TINH', person.gioi_tinh === 'Nam' ? 1 : 2], ['NGAY_VAO', stamp(start)], ['NGAY_RA', stamp(end)], ['NGAY_HEN_KL', `${day(followUp)}0800`], ['CHAN_DOAN_RV', diagnosisText], ['MA_BENH_CHINH', scenario.icd], ['MA_BAC_SI', doctor], ['NGAY_CT', day(end)]])]);
  }
  return { files, broken: brokenKind, sensitive: scenario.sensitive !== undefined, inpatient, birth: births > 0 };
}

/** The HOSO element of an episode: every table base64-encoded (a broken one gets bad base64). */
export function hosoXml(episode: BuiltEpisode): string {
  const parts = episode.files.map(([type, xml], i) => {
    const content =
      episode.broken === 'bad-base64' && i === 1
        ? 'PD94bWwg!!không-phải-base64!!'
        : Buffer.from(`<?xml version="1.0" encoding="utf-8"?>\n${xml}\n`, 'utf8').toString('base64');
    return `      <FILEHOSO>\n        <LOAIHOSO>${type}</LOAIHOSO>\n        <NOIDUNGFILE>${content}</NOIDUNGFILE>\n      </FILEHOSO>`;
  });
  return `    <HOSO>\n${parts.join('\n')}\n    </HOSO>\n`;
}

export function envelopeStart(facility: string, createdOn: string, count: number): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<GIAMDINHHS xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n  <THONGTINDONVI>\n    <MACSKCB>${facility}</MACSKCB>\n  </THONGTINDONVI>\n  <THONGTINHOSO>\n    <NGAYLAP>${createdOn}</NGAYLAP>\n    <SOLUONGHOSO>${count}</SOLUONGHOSO>\n    <DANHSACHHOSO>\n`;
}

export const ENVELOPE_END = '    </DANHSACHHOSO>\n  </THONGTINHOSO>\n  <CHUKYDONVI/>\n</GIAMDINHHS>\n';

/** People born in the window's first year or later are skipped (a few tries): they may not be born yet. */
function pickPerson(rng: Rng, people: readonly Person[], window: EpisodeWindow): Person {
  const bornTooLate = (p: Person) => Number(/\d{4}/.exec(p.ngay_sinh)?.[0] ?? 0) >= window.firstYear;
  let person = people[rng.int(people.length)]!;
  for (let i = 0; i < 10 && bornTooLate(person); i++) person = people[rng.int(people.length)]!;
  return person;
}

async function write(out: fs.WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', resolve));
}

/**
 * Writes `count` episodes into envelope files of `perFile` episodes, one facility per file (the
 * envelope names one sender), streaming.
 */
export async function generateEpisodes(options: GenerateEpisodesOptions): Promise<GenerateEpisodesSummary> {
  const seed = options.seed ?? 1;
  const window = episodeWindow(options.from);
  const perFile = options.perFile ?? 1000;
  const rng = new Rng(seed, `episodes-${options.format}`);
  const facilities = readFacilities(path.join(options.provinceDir, 'facilities.csv')).filter((f) => /^\w{5}$/.test(f.ma_cskcb));
  if (facilities.length === 0) throw new Error('facilities.csv không có cơ sở nào có mã 5 ký tự.');
  const people = await sampleResidents(path.join(options.provinceDir, 'households.csv'), Math.min(options.count, 200_000), new Rng(seed, 'episode-residents'));
  if (people.length === 0) throw new Error('households.csv không có người nào.');
  fs.mkdirSync(options.outDir, { recursive: true });
  const summary: GenerateEpisodesSummary = { files: [], episodes: 0, broken: 0, sensitive: 0, inpatient: 0, births: 0 };
  for (let fileNo = 0; summary.episodes < options.count; fileNo++) {
    const n = Math.min(perFile, options.count - summary.episodes);
    const facility = facilities[fileNo % facilities.length]!;
    const file = path.join(options.outDir, `episodes-${options.format}-${pad(fileNo + 1, 4)}-${facility.ma_cskcb}.xml`);
    const out = fs.createWriteStream(file);
    await write(out, envelopeStart(facility.ma_cskcb, `${window.lastYear}1231`, n));
    for (let i = 0; i < n; i++) {
      const serial = summary.episodes + 1;
      const broken = rng.chance(options.brokenRate ?? 0.01);
      const sensitive = !broken && rng.chance(options.sensitiveRate ?? 0.02);
      const episode = buildEpisode(rng, pickPerson(rng, people, window), facility, options.format, serial, broken, sensitive, window);
      await write(out, hosoXml(episode));
      summary.episodes++;
      if (episode.broken) summary.broken++;
      if (episode.sensitive) summary.sensitive++;
      if (episode.inpatient) summary.inpatient++;
      if (episode.birth) summary.births++;
    }
    await write(out, ENVELOPE_END);
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    summary.files.push(file);
  }
  return summary;
}
