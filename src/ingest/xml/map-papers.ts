// The structured parts of the 130 "papers" and of XML1's measurements:
//   XML1  CAN_NANG → body weight, NHOM_MAU → blood group, NGAY_TAI_KHAM → Appointment(s)
//   XML12 (giám định y khoa) → disability Observation
//   XML13 (giấy chuyển tuyến) → referral ServiceRequest
//   XML14 (giấy hẹn khám lại) → Appointment
//   XML15 (điều trị lao) → tuberculosis-treatment Observation, its four HIV fields dropped (B8)
// Their free text also goes to the episode Composition (map-summary.ts).
import type { Appointment, Location, Observation, ObservationComponent, Reference, ServiceRequest } from '@medplum/fhirtypes';
import { CodeSystem, IdentifierSystem } from '../../fhir/systems.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { Loinc, XmlSystem } from './constants.ts';
import { urn, type EpisodeContext } from './context.ts';
import { date8, dateTime12, decimal, instant12, listValues } from './convert.ts';
import type { XmlRecord } from './inner.ts';
import { reasonCodes } from './map-conditions.ts';
import { uniqueKey } from './map-medications.ts';

function vital(ctx: EpisodeContext, suffix: string, loinc: string, display: string, text: string): Observation {
  return {
    resourceType: 'Observation',
    identifier: [ctx.identifier(suffix)],
    status: 'final',
    category: [{ coding: [{ system: CodeSystem.observationCategory, code: 'vital-signs' }] }],
    code: { coding: [{ system: CodeSystem.loinc, code: loinc, display }], text },
    subject: ctx.patient,
    encounter: ctx.encounter,
  };
}

/** Appointment participants cannot be Organizations: the facility takes part as its Location,
 *  found by the same facility code. */
function facilityLocation(code: string): Reference<Location> {
  return { type: 'Location', identifier: { system: IdentifierSystem.facilityCode, value: code }, display: `Cơ sở ${code}` };
}

/** FHIR app-2 wants start and end together; the papers give the day (sometimes the hour) only,
 *  so the visit is booked for 30 minutes from it. */
const VISIT_MINUTES = 30;

function appointment(ctx: EpisodeContext, suffix: string, start: string): Appointment {
  const end = `${new Date(Date.parse(start) + (7 * 60 + VISIT_MINUTES) * 60_000).toISOString().slice(0, 19)}+07:00`;
  return {
    resourceType: 'Appointment',
    identifier: [ctx.identifier(suffix)],
    status: 'booked',
    description: 'Hẹn khám lại',
    appointmentType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0276', code: 'FOLLOWUP', display: 'A follow up visit from a previous appointment' }] },
    start,
    end,
    minutesDuration: VISIT_MINUTES,
    participant: [
      { actor: ctx.patient, status: 'accepted', required: 'required' },
      { actor: facilityLocation(ctx.facility), status: 'accepted' },
    ],
  };
}

/** XML1 measurements and follow-up dates. `followUpCovered` are dates already in an XML14. */
export function mapXml1Extras(xml1: XmlRecord, ctx: EpisodeContext, followUpCovered: Set<string>): AdaptedEntry[] {
  const entries: AdaptedEntry[] = [];
  const when = ctx.convert('XML1.NGAY_VAO', xml1['NGAY_VAO'], dateTime12);
  const kg = decimal(xml1['CAN_NANG'] ?? '');
  if (kg !== undefined && kg > 0) {
    const o = vital(ctx, 'XML1/CAN_NANG', Loinc.bodyWeight, 'Body weight', 'Cân nặng');
    o.valueQuantity = { value: kg, unit: 'kg', system: CodeSystem.ucum, code: 'kg' };
    if (when) o.effectiveDateTime = when;
    entries.push({ fullUrl: urn(), resource: o });
  }
  const blood = xml1['NHOM_MAU'];
  if (blood) {
    const o = vital(ctx, 'XML1/NHOM_MAU', Loinc.bloodGroup, 'ABO and Rh group [Type] in Blood', 'Nhóm máu');
    o.category = [{ coding: [{ system: CodeSystem.observationCategory, code: 'laboratory' }] }];
    o.valueString = blood;
    if (when) o.effectiveDateTime = when;
    entries.push({ fullUrl: urn(), resource: o });
  }
  listValues(xml1['NGAY_TAI_KHAM']).forEach((raw, i) => {
    const start = ctx.convert('XML1.NGAY_TAI_KHAM', raw, instant12);
    if (start && !followUpCovered.has(start.slice(0, 10))) entries.push({ fullUrl: urn(), resource: appointment(ctx, `XML1/NGAY_TAI_KHAM/${i + 1}`, start) });
  });
  return entries;
}

export const appointmentFields = [
  { field: 'NGAY_HEN_KL', fhir: 'Appointment.start (instant, +07:00; 00:00 when no time)' },
  { field: 'SO_GIAYHEN_KL', fhir: 'Appointment.comment ("Giấy hẹn số …")' },
  { field: 'MA_CSKCB', fhir: 'Appointment.participant (Location of the facility, by facility code)' },
  { field: 'MA_BAC_SI', fhir: 'Appointment.participant (Practitioner)' },
  { field: 'MA_BENH_CHINH, MA_BENH_KT', fhir: 'Appointment.reasonCode (ICD-10, excluded dropped)' },
  { field: 'NGAY_CT', fhir: 'Appointment.created' },
] as const;

export function mapFollowUp(row: XmlRecord, ctx: EpisodeContext): AdaptedEntry[] {
  const start = ctx.convert('XML14.NGAY_HEN_KL', row['NGAY_HEN_KL'], instant12);
  if (!start) return [];
  const a = appointment(ctx, 'XML14', start);
  if (row['MA_CSKCB'] && row['MA_CSKCB'] !== ctx.facility) {
    a.participant[1] = { actor: facilityLocation(row['MA_CSKCB']), status: 'accepted' };
  }
  const doctor = listValues(row['MA_BAC_SI'])[0];
  if (doctor) a.participant.push({ actor: ctx.practitioner(doctor), status: 'accepted' });
  const reasons = [...reasonCodes(row['MA_BENH_CHINH'], 'XML14.MA_BENH_CHINH', ctx), ...reasonCodes(row['MA_BENH_KT'], 'XML14.MA_BENH_KT', ctx)];
  if (reasons.length) a.reasonCode = reasons;
  if (row['SO_GIAYHEN_KL']) a.comment = `Giấy hẹn khám lại số ${row['SO_GIAYHEN_KL']}`;
  const created = ctx.convert('XML14.NGAY_CT', row['NGAY_CT'], date8);
  if (created) a.created = created;
  return [{ fullUrl: urn(), resource: a }];
}

export const referralFields = [
  { field: 'MA_NOI_DEN', fhir: 'ServiceRequest.performer (Organization by facility code)' },
  { field: 'MA_NOI_DI / MA_CSKCB', fhir: 'ServiceRequest.requester is MA_BAC_SI; the issuing facility is the episode facility' },
  { field: 'MA_BENH_CHINH, MA_BENH_KT', fhir: 'ServiceRequest.reasonCode (ICD-10, excluded dropped)' },
  { field: 'MA_LYDO_CT', fhir: 'ServiceRequest.reasonCode (ly-do-chuyen-tuyen)' },
  { field: 'GIAY_CHUYEN_TUYEN, SO_CHUYENTUYEN', fhir: 'ServiceRequest.requisition / identifier' },
  { field: 'NGAY_RA', fhir: 'ServiceRequest.authoredOn' },
  { field: 'DAU_HIEU_LS, QT_BENHLY, TOMTAT_KQ, PP_DIEUTRI, HUONG_DIEU_TRI, PHUONGTIEN_VC, HOTEN_NGUOI_HT, CHUCDANH_NGUOI_HT', fhir: 'ServiceRequest.note (one each, labelled; excluded text dropped)' },
] as const;

const REFERRAL_REASONS: Record<string, string> = {
  '1': 'Đủ điều kiện chuyển tuyến theo quy định',
  '2': 'Vượt quá khả năng đáp ứng của cơ sở',
  '3': 'Theo yêu cầu của người bệnh',
};

const REFERRAL_NOTES: readonly [string, string][] = [
  ['DAU_HIEU_LS', 'Dấu hiệu lâm sàng'],
  ['QT_BENHLY', 'Quá trình bệnh lý'],
  ['TOMTAT_KQ', 'Tóm tắt kết quả cận lâm sàng'],
  ['PP_DIEUTRI', 'Phương pháp, thủ thuật, kỹ thuật, thuốc đã sử dụng'],
  ['HUONG_DIEU_TRI', 'Hướng điều trị'],
  ['PHUONGTIEN_VC', 'Phương tiện vận chuyển'],
  ['HOTEN_NGUOI_HT', 'Người hộ tống'],
  ['CHUCDANH_NGUOI_HT', 'Chức danh người hộ tống'],
];

export function mapReferral(row: XmlRecord, ctx: EpisodeContext): AdaptedEntry[] {
  const sr: ServiceRequest = {
    resourceType: 'ServiceRequest',
    identifier: [ctx.identifier('XML13')],
    status: 'completed',
    intent: 'order',
    category: [{ coding: [{ system: CodeSystem.snomed, code: '3457005', display: 'Patient referral' }], text: 'Chuyển tuyến' }],
    code: { coding: [{ system: CodeSystem.snomed, code: '3457005', display: 'Patient referral' }], text: 'Chuyển tuyến khám bệnh, chữa bệnh' },
    subject: ctx.patient,
    encounter: ctx.encounter,
  };
  const paper = row['GIAY_CHUYEN_TUYEN'] ?? row['SO_CHUYENTUYEN'];
  if (paper) sr.requisition = { system: `${ctx.system}/giay-chuyen-tuyen`, value: paper };
  const authored = ctx.convert('XML13.NGAY_RA', row['NGAY_RA'], dateTime12);
  if (authored) sr.authoredOn = authored;
  const doctor = listValues(row['MA_BAC_SI'])[0];
  if (doctor) sr.requester = ctx.practitioner(doctor);
  if (row['MA_NOI_DEN']) sr.performer = [ctx.organization(row['MA_NOI_DEN'])];
  const reasons = [...reasonCodes(row['MA_BENH_CHINH'], 'XML13.MA_BENH_CHINH', ctx), ...reasonCodes(row['MA_BENH_KT'], 'XML13.MA_BENH_KT', ctx)];
  const why = row['MA_LYDO_CT'];
  if (why) reasons.push({ coding: [{ system: XmlSystem.referralReason, code: why, display: REFERRAL_REASONS[why] }], text: REFERRAL_REASONS[why] });
  if (reasons.length) sr.reasonCode = reasons;
  const notes = REFERRAL_NOTES.flatMap(([field, label]) => {
    const text = ctx.exclusions.keep(row[field]);
    return text ? [{ text: `${label}: ${text}` }] : [];
  });
  if (notes.length) sr.note = notes;
  return [{ fullUrl: urn(), resource: sr }];
}

export const disabilityFields = [
  { field: 'DANG_KHUYETTAT', fhir: 'Observation.valueCodeableConcept (dang-khuyet-tat)' },
  { field: 'MUC_DO_KHUYETTAT', fhir: 'Observation.component[MUC_DO_KHUYETTAT] (muc-do-khuyet-tat)' },
  { field: 'TONG_TYLE_TTCT', fhir: 'Observation.component[TONG_TYLE_TTCT].valueQuantity (%)' },
  { field: 'NGAY_CHUNG_TU / NGAY_HOP', fhir: 'Observation.effectiveDateTime' },
  { field: 'KET_QUA_KHAM, DE_NGHI, DUOC_XACDINH', fhir: 'Composition section "Giám định y khoa" (text)' },
] as const;

const DISABILITY_TYPES: Record<string, string> = { '1': 'Khuyết tật vận động', '2': 'Khuyết tật nghe, nói', '3': 'Khuyết tật nhìn', '4': 'Khuyết tật thần kinh, tâm thần', '5': 'Khuyết tật trí tuệ', '6': 'Khuyết tật khác' };
const DISABILITY_LEVELS: Record<string, string> = { '1': 'Thực hiện được', '2': 'Cần trợ giúp', '3': 'Không thực hiện được', '4': 'Không xác định được' };

export function mapDisability(row: XmlRecord, ctx: EpisodeContext): AdaptedEntry[] {
  const type = row['DANG_KHUYETTAT'];
  const rate = decimal(row['TONG_TYLE_TTCT'] ?? '');
  if (!type && rate === undefined) return [];
  const o: Observation = {
    resourceType: 'Observation',
    identifier: [ctx.identifier('XML12')],
    status: 'final',
    category: [{ coding: [{ system: CodeSystem.observationCategory, code: 'survey' }] }],
    code: { coding: [{ system: XmlSystem.xmlField, code: 'DANG_KHUYETTAT', display: 'Dạng khuyết tật' }], text: 'Giám định y khoa: dạng và mức độ khuyết tật' },
    subject: ctx.patient,
    encounter: ctx.encounter,
  };
  if (type) o.valueCodeableConcept = { coding: [{ system: XmlSystem.disabilityType, code: type, display: DISABILITY_TYPES[type] }], text: DISABILITY_TYPES[type] };
  const components: ObservationComponent[] = [];
  const level = row['MUC_DO_KHUYETTAT'];
  if (level) {
    components.push({
      code: { coding: [{ system: XmlSystem.xmlField, code: 'MUC_DO_KHUYETTAT', display: 'Mức độ khuyết tật' }] },
      valueCodeableConcept: { coding: [{ system: XmlSystem.disabilityLevel, code: level, display: DISABILITY_LEVELS[level] }] },
    });
  }
  if (rate !== undefined) {
    components.push({
      code: { coding: [{ system: XmlSystem.xmlField, code: 'TONG_TYLE_TTCT', display: 'Tổng tỷ lệ tổn thương cơ thể' }] },
      valueQuantity: { value: rate, unit: '%', system: CodeSystem.ucum, code: '%' },
    });
  }
  if (components.length) o.component = components;
  const when = ctx.convert('XML12.NGAY_CHUNG_TU', row['NGAY_CHUNG_TU'], date8) ?? ctx.convert('XML12.NGAY_HOP', row['NGAY_HOP'], date8);
  if (when) o.effectiveDateTime = when;
  return [{ fullUrl: urn(), resource: o }];
}

/** XML15 fields that reveal HIV status or HIV care: never mapped, counted when present (B8). */
export const TB_HIV_FIELDS = ['PHANLOAI_LAO_HIV', 'NGAYKD_HIV', 'BDDT_ARV', 'NGAY_BAT_DAU_DT_CTX'] as const;

/** XML15 coded fields kept as components: field → label and value labels. */
const TB_COMPONENTS: readonly { field: string; label: string; values: Record<string, string> }[] = [
  { field: 'PHANLOAI_LAO_VITRI', label: 'Phân loại theo vị trí giải phẫu', values: { '1': 'Lao phổi', '2': 'Lao ngoài phổi' } },
  { field: 'PHANLOAI_LAO_TS', label: 'Phân loại theo tiền sử điều trị', values: { '1': 'Lao mới', '2': 'Tái phát', '3': 'Thất bại', '4': 'Điều trị lại sau bỏ trị', '5': 'Khác' } },
  { field: 'PHANLOAI_LAO_VK', label: 'Phân loại theo bằng chứng vi khuẩn học', values: { '1': 'Có bằng chứng vi khuẩn học', '2': 'Không có bằng chứng vi khuẩn học' } },
  { field: 'PHANLOAI_LAO_KT', label: 'Phân loại theo tình trạng kháng thuốc', values: { '1': 'Kháng đơn thuốc', '2': 'Kháng nhiều thuốc', '3': 'Đa kháng thuốc', '4': 'Tiền siêu kháng', '5': 'Siêu kháng' } },
  { field: 'LOAI_DTRI_LAO', label: 'Loại điều trị lao', values: { '0': 'Không điều trị lao', '1': 'Điều trị lao tiềm ẩn', '2': 'Điều trị lao nhạy cảm thuốc', '3': 'Điều trị lao kháng thuốc' } },
  { field: 'PHACDO_DTRI_LAO', label: 'Phác đồ điều trị', values: {} },
  { field: 'KET_QUA_DTRI_LAO', label: 'Kết quả điều trị lao', values: { '1': 'Khỏi', '2': 'Hoàn thành điều trị', '3': 'Thất bại', '4': 'Tử vong', '5': 'Bỏ điều trị', '6': 'Không đánh giá' } },
];

export const tuberculosisFields = [
  ...TB_COMPONENTS.map((c) => ({ field: c.field, fhir: `Observation.component[${c.field}] (quan-ly-lao)` })),
  { field: 'NGAYBD_DTRI_LAO', fhir: 'Observation.effectivePeriod.start' },
  { field: 'NGAYKT_DTRI_LAO', fhir: 'Observation.effectivePeriod.end' },
  ...TB_HIV_FIELDS.map((f) => ({ field: f, fhir: '— dropped, counted as excluded (hiv)' })),
];

export function mapTuberculosis(rows: readonly XmlRecord[], ctx: EpisodeContext): AdaptedEntry[] {
  const entries: AdaptedEntry[] = [];
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    for (const f of TB_HIV_FIELDS) if (row[f] !== undefined) ctx.exclusions.count('hiv');
    const components: ObservationComponent[] = [];
    for (const c of TB_COMPONENTS) {
      const v = row[c.field];
      if (v === undefined) continue;
      components.push({
        code: { coding: [{ system: XmlSystem.xmlField, code: c.field, display: c.label }], text: c.label },
        valueCodeableConcept: { coding: [{ system: XmlSystem.tuberculosis, code: `${c.field}-${v}`, display: c.values[v] }], text: c.values[v] ?? v },
      });
    }
    const start = ctx.convert('XML15.NGAYBD_DTRI_LAO', row['NGAYBD_DTRI_LAO'], date8);
    const end = ctx.convert('XML15.NGAYKT_DTRI_LAO', row['NGAYKT_DTRI_LAO'], date8);
    if (components.length === 0 && !start) return;
    const o: Observation = {
      resourceType: 'Observation',
      identifier: [ctx.identifier(`XML15/${uniqueKey(row['STT'], i, seen)}`)],
      status: 'final',
      category: [{ coding: [{ system: CodeSystem.observationCategory, code: 'therapy' }] }],
      code: { coding: [{ system: XmlSystem.xmlField, code: 'XML15', display: 'Thông tin quản lý điều trị bệnh lao' }], text: 'Quản lý điều trị bệnh lao' },
      subject: ctx.patient,
      encounter: ctx.encounter,
    };
    if (components.length) o.component = components;
    if (start || end) o.effectivePeriod = { ...(start ? { start } : {}), ...(end ? { end } : {}) };
    entries.push({ fullUrl: urn(), resource: o });
  });
  return entries;
}
