// A specialised centre's quarterly list of residents under its programme (MISSION B7), as CSV
// (columns in docs/programs.md). Each row goes through the shared ingest pipeline (the resident
// is found or created, the diagnosis stored), then the resident is enrolled on the programme's
// register with the centre as referrer, which puts them on the commune station's worklist. Rows
// of an excluded category (MISSION B8: HIV/AIDS, drug addiction, sex work) are dropped whole and
// only counted — never stored, never echoed.
import type { Condition, Patient } from '@medplum/fhirtypes';
import { parse } from 'csv-parse/sync';
import type { RejectionReason, AdaptedRecord } from '../../ingest/adapted-record.ts';
import { validateCccd } from '../../identity/identifiers.ts';
import { ingestBatch } from '../../pipeline/ingest.ts';
import type { PipelineContext } from '../../pipeline/types.ts';
import { classifyDiagnosis, classifyText } from '../../policy/sensitive-data.ts';
import { resolveCommune } from '../../province/admin-units.ts';
import { CodeSystem, Extension, IdentifierSystem } from '../../fhir/systems.ts';
import { ProgramSystem } from '../codes.ts';
import { parseDate } from '../dates.ts';
import { enrol } from '../registers/enrol.ts';
import { programme } from '../registers/programmes.ts';
import { refreshPatients } from '../state/refresh.ts';

export const CENTRE_LIST_COLUMNS = ['ma_trung_tam', 'chuong_trinh', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'cccd', 'ma_bhxh', 'dien_thoai', 'ma_xa', 'dia_chi', 'ma_icd', 'chan_doan', 'ngay_chan_doan'] as const;

export interface CentreListReport {
  rows: number;
  enrolled: number;
  created: number;
  updated: number;
  review: number;
  rejected: { line: number; reasons: RejectionReason[] }[];
  /** Rows dropped under MISSION B8, by category (nothing else about them is kept). */
  excluded: Record<string, number>;
  patientIds: string[];
}

const PATIENT_URL = 'urn:uuid:00000000-0000-4000-8000-000000000001';
const CONDITION_URL = 'urn:uuid:00000000-0000-4000-8000-000000000002';

function rowToRecord(row: Record<string, string>, line: number, province: string): { record?: AdaptedRecord; reasons: RejectionReason[]; excludedCategory?: string } {
  const reasons: RejectionReason[] = [];
  const centre = row['ma_trung_tam']?.trim() ?? '';
  const prog = programme(row['chuong_trinh']?.trim() ?? '');
  const icd = row['ma_icd']?.trim() ?? '';
  const sensitive = classifyDiagnosis(icd) ?? classifyText([row['chuong_trinh'], row['chan_doan'], icd].filter(Boolean).join(' '));
  if (sensitive) return { reasons: [], excludedCategory: sensitive };
  if (!centre) reasons.push({ field: 'ma_trung_tam', message: 'Thiếu mã trung tâm.' });
  if (!prog) reasons.push({ field: 'chuong_trinh', message: `Chương trình "${row['chuong_trinh'] ?? ''}" không có trong danh mục chương trình.` });
  const name = row['ho_ten']?.trim();
  if (!name) reasons.push({ field: 'ho_ten', message: 'Thiếu họ tên.' });
  const birth = row['ngay_sinh']?.trim();
  if (!birth || !parseDate(birth)) reasons.push({ field: 'ngay_sinh', message: 'Ngày sinh phải có dạng yyyy-mm-dd (hoặc yyyy).' });
  const cccdRaw = row['cccd']?.trim();
  const cccd = cccdRaw ? validateCccd(cccdRaw) : undefined;
  if (cccd && !cccd.ok) reasons.push({ field: 'cccd', message: 'Số CCCD không hợp lệ.' });
  const communeRaw = row['ma_xa']?.trim();
  const commune = communeRaw ? resolveCommune(communeRaw, { province }) : undefined;
  if (!commune) reasons.push({ field: 'ma_xa', message: `Mã xã/phường "${communeRaw ?? ''}" không có trong danh mục.` });
  if (reasons.length) return { reasons };
  const gender = { nam: 'male', nữ: 'female', nu: 'female', '1': 'male', '2': 'female' }[(row['gioi_tinh'] ?? '').trim().toLowerCase()] as Patient['gender'] | undefined;
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [
      ...(cccd?.ok ? [{ system: IdentifierSystem.cccd, value: cccd.value.value }] : []),
      ...(row['ma_bhxh']?.trim() ? [{ system: IdentifierSystem.bhxh, value: row['ma_bhxh'].trim() }] : []),
    ],
    name: [{ use: 'official', text: name! }],
    birthDate: birth!,
    ...(gender ? { gender } : {}),
    ...(row['dien_thoai']?.trim() ? { telecom: [{ system: 'phone' as const, value: row['dien_thoai'].trim(), use: 'mobile' as const }] } : {}),
    address: [
      {
        ...(row['dia_chi']?.trim() ? { text: row['dia_chi'].trim() } : {}),
        extension: [
          { url: Extension.addressCommune, valueCode: commune!.commune.code },
          { url: Extension.addressProvince, valueCode: commune!.commune.provinceCode },
        ],
      },
    ],
  };
  if (patient.identifier?.length === 0) delete patient.identifier;
  const personKey = cccd?.ok ? cccd.value.value : `${name}/${birth}`;
  const entries = [];
  if (icd) {
    const condition: Condition = {
      resourceType: 'Condition',
      identifier: [{ system: `${ProgramSystem.centreList}/${centre}`, value: `${prog!.code}/${personKey}` }],
      clinicalStatus: { coding: [{ system: CodeSystem.conditionClinical, code: 'active' }] },
      category: [{ coding: [{ system: CodeSystem.conditionCategory, code: 'problem-list-item' }] }],
      code: { coding: [{ system: CodeSystem.icd10, code: icd, ...(row['chan_doan']?.trim() ? { display: row['chan_doan'].trim() } : {}) }] },
      subject: { reference: PATIENT_URL },
      ...(row['ngay_chan_doan']?.trim() ? { recordedDate: row['ngay_chan_doan'].trim() } : {}),
    };
    entries.push({ fullUrl: CONDITION_URL, resource: condition });
  }
  return { record: { key: `centre/${centre}/${line}`, patient, patientFullUrl: PATIENT_URL, entries, excluded: {}, warnings: [] }, reasons: [] };
}

export async function importCentreList(ctx: PipelineContext, csv: string | Buffer): Promise<CentreListReport> {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  const report: CentreListReport = { rows: rows.length, enrolled: 0, created: 0, updated: 0, review: 0, rejected: [], excluded: {}, patientIds: [] };
  const records: { record: AdaptedRecord; line: number; row: Record<string, string> }[] = [];
  rows.forEach((row, i) => {
    const line = i + 2;
    const r = rowToRecord(row, line, ctx.province);
    if (r.excludedCategory) report.excluded[r.excludedCategory] = (report.excluded[r.excludedCategory] ?? 0) + 1;
    else if (r.record) records.push({ record: r.record, line, row });
    else report.rejected.push({ line, reasons: r.reasons });
  });
  const byCentre = new Map<string, typeof records>();
  for (const r of records) byCentre.set(r.row['ma_trung_tam']!, [...(byCentre.get(r.row['ma_trung_tam']!) ?? []), r]);
  for (const [centre, list] of byCentre) {
    const results = await ingestBatch(ctx, list.map((r) => r.record), { channel: 'centre', sourceFacility: centre, patientUpdate: 'fill' });
    for (let i = 0; i < results.length; i++) {
      const res = results[i]!;
      const src = list[i]!;
      for (const [cat, n] of Object.entries(res.excluded)) report.excluded[cat] = (report.excluded[cat] ?? 0) + n;
      if (res.outcome === 'rejected' || !res.patientId) {
        report.rejected.push({ line: src.line, reasons: res.reasons ?? [] });
        continue;
      }
      if (res.outcome === 'created') report.created++;
      else if (res.outcome === 'review') report.review++;
      else report.updated++;
      const prog = programme(src.row['chuong_trinh']!)!;
      await enrol(ctx.db, prog, res.patientId, { source: 'centre', centre, sourceFacility: centre, ...(src.row['ngay_chan_doan'] ? {} : {}) });
      report.enrolled++;
      report.patientIds.push(res.patientId);
    }
  }
  if (report.patientIds.length) await refreshPatients(ctx.db, report.patientIds, ctx.asOf);
  return report;
}
