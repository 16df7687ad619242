// The episode summary residents read (MISSION C3): one Composition per episode. Its type is the
// LOINC discharge summary (18842-5) when the episode has a discharge paper or record summary
// (XML7, XML8) or was inpatient, else "summary of episode note" (34133-9). Each paper of the
// episode becomes a section whose text lists its fields as the paper prints them (the section
// tables below are the mapping); the structured resources (medicines, results, clinical course,
// procedures) are listed as section entries. A line whose text mentions an excluded category is
// left out (B8).
import type { Composition, CompositionSection, Organization, Practitioner, Reference, Resource } from '@medplum/fhirtypes';
import { CodeSystem, IdentifierSystem } from '../../fhir/systems.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { Loinc } from './constants.ts';
import { urn, type EpisodeContext } from './context.ts';
import { dateTime12, listValues } from './convert.ts';
import type { XmlRecord } from './inner.ts';
import type { TableType } from './tables.ts';
import { CARE_TYPES, OUTCOMES } from './map-encounter.ts';

type Format = (v: string) => string;

const dateTimeText: Format = (v) =>
  /^\d{12}$/.test(v) ? `${v.slice(8, 10)}:${v.slice(10, 12)} ${v.slice(6, 8)}/${v.slice(4, 6)}/${v.slice(0, 4)}` : dateText(v);
const dateText: Format = (v) => (/^\d{8}/.test(v) ? `${v.slice(6, 8)}/${v.slice(4, 6)}/${v.slice(0, 4)}` : v);
const datesText: Format = (v) => listValues(v).map(dateText).join(', ');
const yesNo: Format = (v) => (v === '1' ? 'Có' : v === '0' ? 'Không' : v);
const sex: Format = (v) => ({ '1': 'Nam', '2': 'Nữ', '3': 'Chưa xác định' })[v] ?? v;
const careType: Format = (v) => CARE_TYPES[/^\d$/.test(v) ? `0${v}` : v]?.display ?? v;
const outcome: Format = (v) => OUTCOMES[v] ?? v;
const grams: Format = (v) => `${v} g`;

/** [field(s) — first present wins, label, format]. */
type Line = readonly [field: string | readonly string[], label: string, format?: Format];

export interface SectionSpec {
  table: TableType;
  title: string;
  loinc?: string;
  lines: readonly Line[];
}

export const SUMMARY_SECTIONS: readonly SectionSpec[] = [
  {
    table: 'XML1',
    title: 'Tóm tắt đợt khám bệnh, chữa bệnh',
    lines: [
      ['MA_LOAI_KCB', 'Hình thức', careType],
      ['NGAY_VAO', 'Thời điểm vào', dateTimeText],
      ['NGAY_RA', 'Thời điểm ra', dateTimeText],
      ['LY_DO_VV', 'Lý do đến khám'],
      ['CHAN_DOAN_VAO', 'Chẩn đoán vào viện'],
      [['CHAN_DOAN_RV', 'TEN_BENH'], 'Chẩn đoán'],
      ['PP_DIEU_TRI', 'Phương pháp điều trị'],
      ['KET_QUA_DTRI', 'Kết quả điều trị', outcome],
      ['GHI_CHU', 'Lời dặn của thầy thuốc'],
      ['NGAY_TAI_KHAM', 'Ngày hẹn tái khám', datesText],
    ],
  },
  {
    table: 'XML7',
    title: 'Giấy ra viện',
    loinc: Loinc.dischargeInstructions,
    lines: [
      ['SO_LUU_TRU', 'Số lưu trữ'],
      ['MA_KHOA_RV', 'Khoa'],
      ['NGAY_VAO', 'Vào viện lúc', dateTimeText],
      ['NGAY_RA', 'Ra viện lúc', dateTimeText],
      ['CHAN_DOAN_RV', 'Chẩn đoán'],
      ['PP_DIEUTRI', 'Phương pháp điều trị'],
      ['MA_DINH_CHI_THAI', 'Đình chỉ thai nghén', yesNo],
      ['NGUYENNHAN_DINHCHI', 'Nguyên nhân đình chỉ thai nghén'],
      ['THOIGIAN_DINHCHI', 'Thời điểm đình chỉ thai nghén', dateTimeText],
      ['TUOI_THAI', 'Tuổi thai (tuần)'],
      ['GHI_CHU', 'Ghi chú'],
      ['SO_NGAY_NGHI', 'Số ngày nghỉ ngoại trú'],
      ['NGOAITRU_TUNGAY', 'Nghỉ từ ngày', dateText],
      ['NGOAITRU_DENNGAY', 'Nghỉ đến ngày', dateText],
      ['HO_TEN_CHA', 'Họ tên cha'],
      ['HO_TEN_ME', 'Họ tên mẹ'],
      ['TEN_BS', 'Trưởng khoa'],
      ['NGAY_CT', 'Ngày cấp', dateText],
    ],
  },
  {
    table: 'XML8',
    title: 'Tóm tắt hồ sơ bệnh án',
    loinc: Loinc.hospitalCourse,
    lines: [
      ['NGAY_VAO', 'Vào viện lúc', dateTimeText],
      ['NGAY_RA', 'Ra viện lúc', dateTimeText],
      ['CHAN_DOAN_VAO', 'Chẩn đoán vào viện'],
      ['CHAN_DOAN_RV', 'Chẩn đoán ra viện'],
      ['QT_BENHLY', 'Quá trình bệnh lý và diễn biến lâm sàng'],
      ['TOMTAT_KQ', 'Tóm tắt kết quả cận lâm sàng có giá trị chẩn đoán'],
      ['PP_DIEUTRI', 'Phương pháp điều trị'],
      ['KET_QUA_DTRI', 'Kết quả điều trị', outcome],
      ['NGAY_SINHCON', 'Ngày sinh con', dateText],
      ['NGAY_CONCHET', 'Ngày con chết', dateText],
      ['SO_CONCHET', 'Số con chết'],
      ['HO_TEN_CHA', 'Họ tên cha'],
      ['HO_TEN_ME', 'Họ tên mẹ'],
      ['NGUOI_GIAM_HO', 'Người giám hộ'],
      ['GHI_CHU', 'Ghi chú'],
      ['NGAY_CT', 'Ngày cấp', dateText],
    ],
  },
  {
    table: 'XML9',
    title: 'Giấy chứng sinh',
    lines: [
      ['HO_TEN_NND', 'Họ tên mẹ hoặc người nuôi dưỡng'],
      ['HO_TEN_CON', 'Họ tên con'],
      ['GIOI_TINH_CON', 'Giới tính', sex],
      ['NGAY_SINH_CON', 'Sinh lúc', dateTimeText],
      ['CAN_NANG_CON', 'Cân nặng', grams],
      ['NOI_SINH_CON', 'Nơi sinh'],
      ['TINH_TRANG_CON', 'Tình trạng của trẻ'],
      ['SO_CON', 'Số con trong lần sinh'],
      ['LAN_SINH', 'Lần sinh'],
      ['SO_CON_SONG', 'Số con hiện sống'],
      ['SINHCON_PHAUTHUAT', 'Sinh con phải phẫu thuật', yesNo],
      ['SINHCON_DUOI32TUAN', 'Sinh con dưới 32 tuần', yesNo],
      ['NGUOI_DO_DE', 'Người đỡ đẻ'],
      ['GHI_CHU', 'Ghi chú'],
      ['SO', 'Số'],
      ['QUYEN_SO', 'Quyển số'],
      ['NGAY_CT', 'Ngày cấp', dateText],
    ],
  },
  {
    table: 'XML10',
    title: 'Giấy chứng nhận nghỉ dưỡng thai',
    lines: [
      ['CHAN_DOAN_RV', 'Chẩn đoán'],
      ['SO_NGAY', 'Số ngày nghỉ'],
      ['TU_NGAY', 'Từ ngày', dateText],
      ['DEN_NGAY', 'Đến ngày', dateText],
      ['TEN_BS', 'Người ký'],
      ['SO_SERI', 'Số seri'],
      ['NGAY_CT', 'Ngày cấp', dateText],
    ],
  },
  {
    table: 'XML11',
    title: 'Giấy chứng nhận nghỉ việc hưởng bảo hiểm xã hội',
    lines: [
      ['CHAN_DOAN_RV', 'Chẩn đoán'],
      ['PP_DIEUTRI', 'Phương pháp điều trị'],
      ['MA_DINH_CHI_THAI', 'Đình chỉ thai nghén', yesNo],
      ['NGUYENNHAN_DINHCHI', 'Nguyên nhân đình chỉ thai nghén'],
      ['TUOI_THAI', 'Tuổi thai (tuần)'],
      ['SO_NGAY_NGHI', 'Số ngày nghỉ'],
      ['TU_NGAY', 'Từ ngày', dateText],
      ['DEN_NGAY', 'Đến ngày', dateText],
      ['HO_TEN_CHA', 'Họ tên cha'],
      ['HO_TEN_ME', 'Họ tên mẹ'],
      ['SO_SERI', 'Số seri'],
      ['NGAY_CT', 'Ngày cấp', dateText],
    ],
  },
  {
    table: 'XML12',
    title: 'Biên bản giám định y khoa',
    lines: [
      ['NGAY_HOP', 'Ngày họp hội đồng', dateText],
      ['KHAM_GIAM_DINH', 'Khám giám định'],
      ['KET_QUA_KHAM', 'Kết quả khám'],
      ['TONG_TYLE_TTCT', 'Tổng tỷ lệ tổn thương cơ thể (%)'],
      ['DE_NGHI', 'Đề nghị'],
      ['DUOC_XACDINH', 'Được xác định'],
      ['SO_BIEN_BAN', 'Số biên bản'],
    ],
  },
  {
    table: 'XML13',
    title: 'Giấy chuyển tuyến',
    lines: [
      ['MA_NOI_DEN', 'Chuyển đến cơ sở'],
      ['CHAN_DOAN_RV', 'Chẩn đoán'],
      ['DAU_HIEU_LS', 'Dấu hiệu lâm sàng'],
      ['QT_BENHLY', 'Quá trình bệnh lý'],
      ['TOMTAT_KQ', 'Tóm tắt kết quả cận lâm sàng'],
      [['PP_DIEUTRI', 'PP_DIEU_TRI'], 'Phương pháp điều trị'],
      ['TEN_DICH_VU', 'Dịch vụ kỹ thuật đã dùng'],
      ['TEN_THUOC', 'Thuốc đã dùng'],
      ['HUONG_DIEU_TRI', 'Hướng điều trị'],
      ['GIAY_CHUYEN_TUYEN', 'Số giấy chuyển tuyến'],
    ],
  },
  {
    table: 'XML14',
    title: 'Giấy hẹn khám lại',
    lines: [
      ['NGAY_HEN_KL', 'Hẹn khám lại lúc', dateTimeText],
      ['CHAN_DOAN_RV', 'Chẩn đoán'],
      ['SO_GIAYHEN_KL', 'Số giấy hẹn'],
      ['NGAY_CT', 'Ngày cấp', dateText],
    ],
  },
];

function escapeHtml(s: string): string {
  if (!/[&<>]/.test(s)) return s;
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function narrative(lines: readonly [string, string][]): { status: 'generated'; div: string } {
  const items = lines.map(([label, value]) => `<li><b>${escapeHtml(label)}:</b> ${escapeHtml(value).replace(/\r?\n/g, '<br/>')}</li>`).join('');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><ul>${items}</ul></div>` };
}

function textSection(spec: SectionSpec, record: XmlRecord, ctx: EpisodeContext): CompositionSection | undefined {
  const lines: [string, string][] = [];
  for (const [fields, label, format] of spec.lines) {
    const names = typeof fields === 'string' ? [fields] : fields;
    const raw = names.map((f) => record[f]).find((v) => v !== undefined);
    const value = ctx.exclusions.keep(raw);
    if (value !== undefined) lines.push([label, format ? format(value) : value]);
  }
  if (lines.length === 0) return undefined;
  const section: CompositionSection = { title: spec.title, text: narrative(lines) };
  if (spec.loinc) section.code = { coding: [{ system: CodeSystem.loinc, code: spec.loinc }] };
  return section;
}

function entrySection(title: string, loinc: string, refs: Reference[]): CompositionSection[] {
  return refs.length ? [{ title, code: { coding: [{ system: CodeSystem.loinc, code: loinc }] }, entry: refs }] : [];
}

function refsOf(entries: readonly AdaptedEntry[], pick: (r: Resource) => boolean): Reference[] {
  return entries.filter((e) => pick(e.resource)).map((e) => ({ reference: e.fullUrl }));
}

export function mapSummary(
  tables: ReadonlyMap<TableType, readonly XmlRecord[]>,
  built: readonly AdaptedEntry[],
  inpatient: boolean,
  ctx: EpisodeContext,
): AdaptedEntry {
  const sections: CompositionSection[] = [];
  for (const spec of SUMMARY_SECTIONS) {
    for (const record of tables.get(spec.table) ?? []) {
      const s = textSection(spec, record, ctx);
      if (s) sections.push(s);
    }
  }
  sections.push(
    ...entrySection('Diễn biến lâm sàng', Loinc.hospitalCourse, refsOf(built, (r) => r.resourceType === 'Observation' && r.code?.coding?.[0]?.code === Loinc.hospitalCourse)),
    ...entrySection('Thuốc đã dùng', Loinc.medicationsUsed, refsOf(built, (r) => r.resourceType === 'MedicationRequest')),
    ...entrySection('Kết quả cận lâm sàng', Loinc.relevantResults, refsOf(built, (r) => r.resourceType === 'DiagnosticReport')),
    ...entrySection('Phẫu thuật, thủ thuật, dịch vụ kỹ thuật', Loinc.plannedProcedures, refsOf(built, (r) => r.resourceType === 'Procedure')),
  );
  const discharge = inpatient || tables.has('XML7') || tables.has('XML8');
  const xml1 = tables.get('XML1')?.[0] ?? {};
  const xml7 = tables.get('XML7')?.[0];
  const authors: Reference<Practitioner | Organization>[] = [];
  if (xml7?.['MA_BS'] || xml7?.['TEN_BS']) {
    authors.push({
      type: 'Practitioner',
      ...(xml7['MA_BS'] ? { identifier: { system: IdentifierSystem.bhxh, value: xml7['MA_BS'] } } : {}),
      ...(xml7['TEN_BS'] ? { display: xml7['TEN_BS'] } : {}),
    });
  }
  authors.push(ctx.organization());
  const date = xml1['NGAY_RA'] ?? xml1['NGAY_VAO'];
  const composition: Composition = {
    resourceType: 'Composition',
    identifier: ctx.identifier('TOM_TAT'),
    status: 'final',
    type: discharge
      ? { coding: [{ system: CodeSystem.loinc, code: Loinc.dischargeSummary, display: 'Discharge summary' }], text: 'Tóm tắt ra viện' }
      : { coding: [{ system: CodeSystem.loinc, code: Loinc.episodeSummary, display: 'Summary of episode note' }], text: 'Tóm tắt đợt khám bệnh' },
    subject: ctx.patient,
    encounter: ctx.encounter,
    date: summaryDate(date),
    author: authors,
    custodian: ctx.organization(),
    title: discharge ? 'Tóm tắt ra viện' : 'Tóm tắt đợt khám bệnh',
    section: sections,
  };
  return { fullUrl: urn(), resource: composition };
}

/** Composition.date: the end (else start) of the episode. Both were validated with XML1, which
 *  requires NGAY_VAO, so this never falls back. */
function summaryDate(raw: string | undefined): string {
  return raw === undefined ? '' : dateTime12(raw);
}
