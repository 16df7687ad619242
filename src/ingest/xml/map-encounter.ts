// XML1 → Encounter: the episode (đợt điều trị), identified by MA_LK in the facility's system.
import type { Coding, Encounter } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import { XmlExtension, XmlSystem, medicalRecordNumberSystem } from './constants.ts';
import type { DroppedField, FieldRule } from './context.ts';
import { dateTime12, decimal, listValues } from './convert.ts';

interface CareType {
  display: string;
  /** HL7 v3 ActCode of Encounter.class. */
  actCode: 'AMB' | 'IMP' | 'SS' | 'OBSENC' | 'FLD' | 'HH' | 'VR';
}

/** MA_LOAI_KCB: QĐ 130 two-digit codes (QĐ 824/2023, QĐ 1804/2026); 4210's 1–3 are the same
 *  meanings and are stored as 01–03 so one code system serves both generations. */
export const CARE_TYPES: Record<string, CareType> = {
  '01': { display: 'Khám bệnh', actCode: 'AMB' },
  '02': { display: 'Điều trị ngoại trú', actCode: 'AMB' },
  '03': { display: 'Điều trị nội trú', actCode: 'IMP' },
  '04': { display: 'Điều trị nội trú ban ngày', actCode: 'SS' },
  '05': { display: 'Điều trị ngoại trú bệnh mạn tính dài ngày (khám và lĩnh thuốc)', actCode: 'AMB' },
  '06': { display: 'Điều trị lưu tại trạm y tế xã, phòng khám đa khoa khu vực', actCode: 'OBSENC' },
  '07': { display: 'Nhận thuốc theo hẹn (không khám)', actCode: 'AMB' },
  '08': { display: 'Điều trị ngoại trú bệnh mạn tính có khám và dịch vụ kỹ thuật/thuốc', actCode: 'AMB' },
  '09': { display: 'Điều trị nội trú dưới 04 giờ', actCode: 'SS' },
  '10': { display: 'Khác', actCode: 'AMB' },
  '11': { display: 'Khám bệnh, chữa bệnh lưu động', actCode: 'FLD' },
  '12': { display: 'Khám bệnh, chữa bệnh tại nhà', actCode: 'HH' },
  '13': { display: 'Y học gia đình', actCode: 'AMB' },
  '14': { display: 'Khám bệnh, chữa bệnh từ xa', actCode: 'VR' },
  '15': { display: 'Khám sức khỏe định kỳ', actCode: 'AMB' },
  '16': { display: 'Khám sàng lọc', actCode: 'AMB' },
};

const ACT_DISPLAY: Record<CareType['actCode'], string> = {
  AMB: 'ambulatory', IMP: 'inpatient encounter', SS: 'short stay', OBSENC: 'observation encounter', FLD: 'field', HH: 'home health', VR: 'virtual',
};

/** KET_QUA_DTRI (8 added by QĐ 4750). */
export const OUTCOMES: Record<string, string> = {
  '1': 'Khỏi', '2': 'Đỡ', '3': 'Không thay đổi', '4': 'Nặng hơn', '5': 'Tử vong',
  '6': 'Tiên lượng nặng xin về', '7': 'Chưa xác định', '8': 'Tử vong ngoại viện',
};

/** MA_LOAI_RV (130) and TINH_TRANG_RV (4210) → own code + HL7 discharge-disposition. */
const DISCHARGE_130: Record<string, [string, string]> = {
  '1': ['Ra viện', 'home'],
  '2': ['Chuyển tuyến theo yêu cầu chuyên môn', 'other-hcf'],
  '3': ['Trốn viện', 'aadvice'],
  '4': ['Xin ra viện', 'aadvice'],
  '5': ['Chuyển tuyến theo yêu cầu người bệnh', 'other-hcf'],
};
const DISCHARGE_4210: Record<string, [string, string]> = {
  '1': ['Ra viện', 'home'],
  '2': ['Chuyển viện', 'other-hcf'],
  '3': ['Trốn viện', 'aadvice'],
  '4': ['Xin ra viện', 'aadvice'],
};

function careTypeCode(raw: string): string {
  return /^\d$/.test(raw) ? `0${raw}` : raw;
}

function dischargeCodings(table: Record<string, [string, string]>, v: string): Coding[] {
  const d = table[v];
  if (!d) return [{ system: XmlSystem.dischargeType, code: v }];
  return [
    { system: XmlSystem.dischargeType, code: v, display: d[0] },
    { system: XmlSystem.dischargeDisposition, code: d[1] },
  ];
}

function hospitalization(e: Encounter): NonNullable<Encounter['hospitalization']> {
  return (e.hospitalization ??= {});
}

export const encounterRules: readonly FieldRule<Encounter>[] = [
  {
    field: 'MA_LOAI_KCB',
    fhir: 'Encounter.class (v3 ActCode) + Encounter.type (ma-loai-kcb)',
    apply: (e, v, { ctx, field }) => {
      const code = careTypeCode(v);
      const t = CARE_TYPES[code];
      if (!t) ctx.warnings.push(`${field}: mã hình thức KCB "${v}" không có trong danh mục; ghi là khám bệnh (AMB).`);
      const act = t?.actCode ?? 'AMB';
      e.class = { system: CodeSystem.v3ActCode, code: act, display: ACT_DISPLAY[act] };
      e.type = [{ coding: [{ system: CodeSystem.careType, code, display: t?.display }] }];
    },
  },
  { field: 'NGAY_VAO', fhir: 'Encounter.period.start (+07:00)', apply: (e, v, { ctx, field }) => void ((e.period ??= {}).start = ctx.convert(field, v, dateTime12)) },
  { field: 'NGAY_RA', fhir: 'Encounter.period.end (+07:00); status finished', apply: (e, v, { ctx, field }) => void ((e.period ??= {}).end = ctx.convert(field, v, dateTime12)) },
  {
    field: 'MA_KHOA',
    fhir: 'Encounter.serviceType (first department) + Encounter.location[].location.display (each)',
    apply: (e, v) => {
      const codes = listValues(v);
      if (codes[0]) e.serviceType = { coding: [{ system: CodeSystem.department, code: codes[0] }] };
      e.location = codes.map((c) => ({ location: { display: `Khoa ${c}`, identifier: { system: CodeSystem.department, value: c } } }));
    },
  },
  {
    field: 'KET_QUA_DTRI',
    fhir: 'Encounter.extension[ket-qua-dieu-tri]',
    apply: (e, v) =>
      void (e.extension ??= []).push({ url: XmlExtension.treatmentOutcome, valueCodeableConcept: { coding: [{ system: XmlSystem.treatmentOutcome, code: v, display: OUTCOMES[v] }] } }),
  },
  {
    field: 'MA_LOAI_RV',
    alias: 'TINH_TRANG_RV',
    fhir: 'Encounter.hospitalization.dischargeDisposition',
    apply: (e, v, { record }) =>
      void (hospitalization(e).dischargeDisposition = { coding: dischargeCodings(record['MA_LOAI_RV'] !== undefined ? DISCHARGE_130 : DISCHARGE_4210, v) }),
  },
  { field: 'MA_NOI_DI', alias: 'MA_NOI_CHUYEN', fhir: 'Encounter.hospitalization.origin (facility by code)', apply: (e, v, { ctx }) => void (hospitalization(e).origin = ctx.organization(v)) },
  { field: 'MA_NOI_DEN', fhir: 'Encounter.hospitalization.destination (facility by code)', apply: (e, v, { ctx }) => void (hospitalization(e).destination = ctx.organization(v)) },
  {
    field: 'SO_NGAY_DTRI',
    fhir: 'Encounter.length (days)',
    apply: (e, v) => {
      const n = decimal(v);
      if (n !== undefined) e.length = { value: n, unit: 'ngày', system: CodeSystem.ucum, code: 'd' };
    },
  },
  {
    field: 'LY_DO_VV',
    fhir: 'Encounter.reasonCode[].text',
    apply: (e, v, { ctx }) => {
      const text = ctx.exclusions.keep(v);
      if (text) (e.reasonCode ??= []).push({ text });
    },
  },
  {
    field: 'LY_DO_VNT',
    fhir: 'Encounter.reasonCode[].text (lý do vào nội trú)',
    apply: (e, v, { ctx }) => {
      const text = ctx.exclusions.keep(v);
      if (text) (e.reasonCode ??= []).push({ text: `Lý do vào nội trú: ${text}` });
    },
  },
  {
    field: 'MA_LYDO_VVIEN',
    fhir: 'Encounter.priority = EM when 2 (cấp cứu) — QĐ 4210',
    apply: (e, v) => {
      if (v === '2') e.priority = { coding: [{ system: CodeSystem.v3ActCode, code: 'EM', display: 'emergency' }], text: 'Cấp cứu' };
    },
  },
  {
    field: 'MA_HSBA',
    fhir: 'Encounter.identifier (ma-hsba/<MA_CSKCB>)',
    apply: (e, v, { ctx }) => void (e.identifier ??= []).push({ system: medicalRecordNumberSystem(ctx.facility), value: v }),
  },
];

export const encounterDropped: readonly DroppedField[] = [
  { field: 'MA_DOITUONG_KCB', reason: 'Mã đối tượng thanh toán; một số phần mềm dùng 1.9 cho người bệnh HIV (B8) nên không lưu. Chỉ dùng để biết cấp cứu (mã 2) → Encounter.priority.' },
  { field: 'NGAY_VAO_NOI_TRU', reason: 'Thời điểm chỉ định nội trú; Encounter.period.start giữ NGAY_VAO.' },
  { field: 'MA_LY_DO_VNT', reason: 'Danh mục chưa công bố; lý do vào nội trú đã giữ dạng văn bản.' },
  { field: 'MA_TAI_NAN', reason: 'Danh mục QĐ 5937 PL4 chưa có; dùng cho thanh toán.' },
  { field: 'GIAY_CHUYEN_TUYEN', reason: 'Số giấy; giấy chuyển tuyến đầy đủ ở XML13.' },
  { field: 'NGAY_TTOAN, T_THUOC, T_VTYT, T_TONGCHI_BV, T_TONGCHI_BH, T_TONGCHI, T_BNTT, T_BNCCT, T_BHTT, T_NGUONKHAC, T_BHTT_GDV, T_NGOAIDS, NAM_QT, THANG_QT', reason: 'Tổng chi phí thanh toán của đợt; chi phí từng dòng giữ ở XML2/XML3.' },
  { field: 'MA_KHUVUC, NGAY_MIEN_CCT, MIEN_CUNG_CT, NAM_NAM_LIEN_TUC', reason: 'Quyền lợi thanh toán BHYT, không phải dữ liệu sức khỏe.' },
  { field: 'MA_TTDV, STT', reason: 'Người ký hồ sơ / số thứ tự gửi.' },
];

