// XML3 → Procedure for each technical service performed (examination, test, imaging, surgery…),
// ChargeItem for supplies, beds and transport (cost lines that are not acts). An XML3 row is a
// service already performed and paid, so no ServiceRequest is made (the order time NGAY_YL is the
// start of Procedure.performedPeriod when NGAY_TH_YL is missing); costs go to the chi-phi-xml
// extension of either resource.
import type { ChargeItem, Procedure } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import type { AdaptedEntry } from '../adapted-record.ts';
import { XmlSystem } from './constants.ts';
import { applyRules, urn, type DroppedField, type EpisodeContext, type FieldRule } from './context.ts';
import { dateTime12, listValues } from './convert.ts';
import type { XmlRecord } from './inner.ts';
import { costExtension } from './map-costs.ts';
import { reasonCodes } from './map-conditions.ts';
import { dropUndefined, uniqueKey } from './map-medications.ts';

/** MA_NHOM (QĐ 5937 Phụ lục 3; same groups in QĐ 4210 Bảng 6). */
export const COST_GROUPS: Record<string, string> = {
  '1': 'Xét nghiệm', '2': 'Chẩn đoán hình ảnh', '3': 'Thăm dò chức năng', '4': 'Thuốc trong danh mục BHYT',
  '5': 'Thuốc ngoài danh mục BHYT', '6': 'Thuốc thanh toán theo tỷ lệ', '7': 'Máu và chế phẩm máu', '8': 'Thủ thuật, phẫu thuật',
  '9': 'Dịch vụ kỹ thuật thanh toán theo tỷ lệ', '10': 'Vật tư y tế trong danh mục BHYT', '11': 'Vật tư y tế thanh toán theo tỷ lệ',
  '12': 'Vận chuyển người bệnh', '13': 'Khám bệnh', '14': 'Giường điều trị ngoại trú', '15': 'Giường điều trị nội trú', '16': 'Giường lưu',
  '17': 'Chế phẩm máu', '18': 'Thủ thuật, phẫu thuật thanh toán theo tỷ lệ',
};

const NOT_ACTS = new Set(['10', '11', '12', '14', '15', '16']);

/** A supply, bed or transport line rather than an act. */
function isChargeOnly(row: XmlRecord): boolean {
  return row['MA_VAT_TU'] !== undefined || row['MA_GIUONG'] !== undefined || NOT_ACTS.has(row['MA_NHOM'] ?? '');
}

const ANAESTHESIA: Record<string, string> = { '1': 'Gây mê', '2': 'Gây tê', '3': 'Châm tê', '4': 'Khác' };

function period(p: Procedure): { start?: string; end?: string } {
  if (!p.performedPeriod) p.performedPeriod = {};
  return p.performedPeriod;
}

export const procedureRules: readonly FieldRule<Procedure>[] = [
  {
    field: 'MA_DICH_VU',
    fhir: 'Procedure.code.coding (ma-dich-vu), display TEN_DICH_VU',
    apply: (p, v, { record }) => void (p.code = { coding: [{ system: CodeSystem.serviceCode, code: v, display: record['TEN_DICH_VU'] }], text: record['TEN_DICH_VU'] }),
  },
  {
    field: 'MA_PTTT_QT',
    fhir: 'Procedure.code.coding (ICD-9-CM)',
    apply: (p, v) => {
      const code = (p.code ??= {});
      for (const c of listValues(v)) (code.coding ??= []).push({ system: XmlSystem.icd9cm, code: c });
    },
  },
  { field: 'MA_NHOM', fhir: 'Procedure.category (ma-nhom-chi-phi)', apply: (p, v) => void (p.category = { coding: [{ system: XmlSystem.costGroup, code: v, display: COST_GROUPS[v] }] }) },
  { field: 'NGAY_YL', fhir: 'Procedure.performedPeriod.start when NGAY_TH_YL is missing', apply: (p, v, { ctx, field }) => void (period(p).start ??= ctx.convert(field, v, dateTime12)) },
  { field: 'NGAY_TH_YL', fhir: 'Procedure.performedPeriod.start', apply: (p, v, { ctx, field }) => void (period(p).start = ctx.convert(field, v, dateTime12) ?? period(p).start) },
  { field: 'NGAY_KQ', fhir: 'Procedure.performedPeriod.end', apply: (p, v, { ctx, field }) => void (period(p).end = ctx.convert(field, v, dateTime12)) },
  {
    field: 'NGUOI_THUC_HIEN',
    fhir: 'Procedure.performer[].actor (Practitioner by CCHN / mã định danh y tế)',
    apply: (p, v, { ctx }) => {
      for (const code of listValues(v)) (p.performer ??= []).push({ actor: ctx.practitioner(code), function: { text: 'Người thực hiện' } });
    },
  },
  { field: 'MA_BAC_SI', fhir: 'Procedure.asserter (ordering doctor)', apply: (p, v, { ctx }) => void (p.asserter = ctx.practitioner(listValues(v)[0] ?? v)) },
  { field: 'MA_BENH', fhir: 'Procedure.reasonCode (ICD-10, excluded codes dropped)', apply: (p, v, { ctx, field }) => void (p.reasonCode = reasonCodes(v, field, ctx)) },
  { field: 'MA_KHOA', fhir: 'Procedure.location.display ("Khoa …")', apply: (p, v) => void (p.location = { display: `Khoa ${v}`, identifier: { system: CodeSystem.department, value: v } }) },
  { field: 'PP_VO_CAM', fhir: 'Procedure.note ("Phương pháp vô cảm: …")', apply: (p, v) => void (p.note ??= []).push({ text: `Phương pháp vô cảm: ${ANAESTHESIA[v] ?? v}` }) },
  { field: 'VI_TRI_TH_DVKT', fhir: 'Procedure.bodySite (vi-tri-co-the)', apply: (p, v) => void (p.bodySite = [{ coding: [{ system: XmlSystem.bodySite, code: v }] }]) },
  {
    field: 'MA_MAY',
    fhir: 'Procedure.usedReference (Device by ma-may)',
    apply: (p, v) => {
      for (const code of listValues(v)) (p.usedReference ??= []).push({ type: 'Device', identifier: { system: XmlSystem.machine, value: code }, display: code });
    },
  },
];

export const chargeItemFields = [
  { field: 'MA_VAT_TU / TEN_VAT_TU', fhir: 'ChargeItem.code (ma-vat-tu)' },
  { field: 'MA_DICH_VU / TEN_DICH_VU (bed, transport)', fhir: 'ChargeItem.code (ma-dich-vu)' },
  { field: 'SO_LUONG / DON_VI_TINH', fhir: 'ChargeItem.quantity' },
  { field: 'NGAY_YL, NGAY_TH_YL, NGAY_KQ', fhir: 'ChargeItem.occurrencePeriod' },
  { field: 'MA_GIUONG', fhir: 'ChargeItem.note ("Giường …")' },
  { field: 'MA_KHOA', fhir: 'ChargeItem.performingOrganization is the facility; department in note' },
] as const;

export const serviceDropped: readonly DroppedField[] = [
  { field: 'DON_GIA_BV … T_BHTT, PHAM_VI, MA_PTTT, TT_THAU', reason: 'Chi phí: extension chi-phi-xml (map-costs.ts).' },
  { field: 'GOI_VTYT, MA_XANG_DAU, TYLE_TT_DV, VET_THUONG_TP, MA_HIEU_SP, TAI_SU_DUNG, MA_BENH_YHCT, DU_PHONG', reason: 'Quản lý thanh toán/vật tư, không phải dữ liệu sức khỏe.' },
];

function chargeItem(row: XmlRecord, key: string, ctx: EpisodeContext): ChargeItem {
  const supply = row['MA_VAT_TU'] !== undefined;
  const code = supply ? row['MA_VAT_TU']! : row['MA_DICH_VU'];
  const name = supply ? row['TEN_VAT_TU'] : row['TEN_DICH_VU'];
  const start = ctx.convert('XML3.NGAY_TH_YL', row['NGAY_TH_YL'], dateTime12) ?? ctx.convert('XML3.NGAY_YL', row['NGAY_YL'], dateTime12);
  const end = ctx.convert('XML3.NGAY_KQ', row['NGAY_KQ'], dateTime12);
  const quantity = row['SO_LUONG'] === undefined ? undefined : Number(row['SO_LUONG']);
  const notes: string[] = [];
  if (row['MA_GIUONG']) notes.push(`Giường ${row['MA_GIUONG']}`);
  if (row['MA_KHOA']) notes.push(`Khoa ${row['MA_KHOA']}`);
  const item: ChargeItem = {
    resourceType: 'ChargeItem',
    identifier: [ctx.identifier(`XML3/${key}`)],
    status: 'billable',
    code: {
      coding: code ? [{ system: supply ? XmlSystem.supplyCode : CodeSystem.serviceCode, code, display: name }] : undefined,
      text: name ?? (row['MA_NHOM'] ? COST_GROUPS[row['MA_NHOM']] : undefined) ?? 'Chi phí',
    },
    subject: ctx.patient,
    context: ctx.encounter,
    occurrencePeriod: start || end ? dropUndefined({ start, end }) : undefined,
    quantity: quantity !== undefined && Number.isFinite(quantity) ? { value: quantity, unit: row['DON_VI_TINH'] } : undefined,
    performingOrganization: ctx.organization(),
    note: notes.length ? [{ text: notes.join('; ') }] : undefined,
  };
  const cost = costExtension(row);
  if (cost) item.extension = [cost];
  return dropUndefined(item);
}

export interface ServiceEntries {
  entries: AdaptedEntry[];
  /** Procedure entries by MA_DICH_VU, so XML4 reports can be attached (Procedure.report). */
  procedureByService: Map<string, Procedure>;
}

export function mapServices(rows: readonly XmlRecord[], ctx: EpisodeContext): ServiceEntries {
  const entries: AdaptedEntry[] = [];
  const procedureByService = new Map<string, Procedure>();
  const seen = new Set<string>();
  rows.forEach((row, i) => {
    if (ctx.exclusions.text(row['TEN_DICH_VU'], row['TEN_VAT_TU'])) return;
    const key = uniqueKey(row['STT'], i, seen);
    if (isChargeOnly(row)) {
      entries.push({ fullUrl: urn(), resource: chargeItem(row, key, ctx) });
      return;
    }
    const procedure: Procedure = {
      resourceType: 'Procedure',
      identifier: [ctx.identifier(`XML3/${key}`)],
      status: 'completed',
      subject: ctx.patient,
      encounter: ctx.encounter,
    };
    applyRules(procedureRules, 'XML3', row, procedure, ctx);
    procedure.code ??= { text: row['TEN_DICH_VU'] ?? 'Dịch vụ kỹ thuật' };
    if (procedure.reasonCode?.length === 0) delete procedure.reasonCode;
    if (procedure.performedPeriod && !procedure.performedPeriod.start && !procedure.performedPeriod.end) delete procedure.performedPeriod;
    const cost = costExtension(row);
    if (cost) procedure.extension = [cost];
    const service = row['MA_DICH_VU'];
    if (service !== undefined && !procedureByService.has(service)) procedureByService.set(service, procedure);
    entries.push({ fullUrl: urn(), resource: procedure });
  });
  return { entries, procedureByService };
}
