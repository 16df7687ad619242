// Health facilities (MISSION A5) from facilities.csv (ma_cskcb, ten, loai, ma_xa, dia_chi,
// dien_thoai): an Organization (identifier mã CSKCB, type, address with its commune) and a
// Location managed by it, idempotent by facility code: a re-import writes nothing new.
import fs from 'node:fs';
import type { Location, Organization, Resource } from '@medplum/fhirtypes';
import { parse } from 'csv-parse';
import { CodeSystem, Extension, IdentifierSystem } from '../../fhir/systems.ts';
import { ingestBatch } from '../../pipeline/ingest.ts';
import type { PipelineContext } from '../../pipeline/types.ts';
import { resolveCommune } from '../../province/admin-units.ts';
import type { RejectionReason } from '../adapted-record.ts';

export const FACILITY_TYPES: Record<string, string> = {
  'benh-vien': 'Bệnh viện',
  'tram-y-te': 'Trạm y tế xã/phường',
  'trung-tam-ytdp': 'Trung tâm y tế dự phòng / kiểm soát bệnh tật',
  'phong-kham-tu-nhan': 'Phòng khám tư nhân',
};

export interface FacilityImportReport {
  rows: number;
  written: number;
  rejected: { line: number; reasons: RejectionReason[] }[];
}

export function facilityResources(row: Record<string, string>, province: string): { ok: true; resources: Resource[] } | { ok: false; reasons: RejectionReason[] } {
  const reasons: RejectionReason[] = [];
  const code = (row['ma_cskcb'] ?? '').trim();
  const name = (row['ten'] ?? '').trim();
  const type = (row['loai'] ?? '').trim();
  if (!/^\d{5}$/.test(code)) reasons.push({ field: 'ma_cskcb', message: `Mã cơ sở KCB "${code}" phải gồm 5 chữ số.` });
  if (name === '') reasons.push({ field: 'ten', message: 'Thiếu tên cơ sở (ten).' });
  if (!(type in FACILITY_TYPES)) reasons.push({ field: 'loai', message: `Loại cơ sở "${type}" không hợp lệ (${Object.keys(FACILITY_TYPES).join(', ')}).` });
  const rawCommune = (row['ma_xa'] ?? '').trim();
  const commune = rawCommune ? resolveCommune(rawCommune, { province }) : undefined;
  if (rawCommune && !commune) reasons.push({ field: 'ma_xa', message: `Mã xã/phường "${rawCommune}" không có trong danh mục.` });
  if (reasons.length) return { ok: false, reasons };
  const identifier = [{ system: IdentifierSystem.facilityCode, value: code }];
  const address = {
    use: 'work' as const,
    ...(row['dia_chi'] ? { text: row['dia_chi'].trim() } : {}),
    ...(commune ? { city: commune.commune.name, extension: [{ url: Extension.addressCommune, valueCode: commune.commune.code }, { url: Extension.addressProvince, valueCode: commune.commune.provinceCode }] } : {}),
    country: 'VN',
  };
  const telecom = row['dien_thoai']?.trim() ? [{ system: 'phone' as const, value: row['dien_thoai'].trim(), use: 'work' as const }] : undefined;
  const organization: Organization = {
    resourceType: 'Organization',
    identifier,
    active: true,
    type: [{ coding: [{ system: CodeSystem.facilityType, code: type, display: FACILITY_TYPES[type] }] }],
    name,
    address: [address],
    ...(telecom ? { telecom } : {}),
  };
  const location: Location = {
    resourceType: 'Location',
    identifier,
    status: 'active',
    name,
    mode: 'instance',
    type: [{ coding: [{ system: CodeSystem.facilityType, code: type, display: FACILITY_TYPES[type] }] }],
    address,
    ...(telecom ? { telecom } : {}),
    managingOrganization: { identifier: identifier[0], display: name },
  };
  return { ok: true, resources: [organization, location] };
}

export async function importFacilities(ctx: PipelineContext, file: string): Promise<FacilityImportReport> {
  const resources: Resource[] = [];
  const report: FacilityImportReport = { rows: 0, written: 0, rejected: [] };
  const parser = fs.createReadStream(file).pipe(parse({ bom: true, columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, info: true, relax_column_count: true }));
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    report.rows++;
    const built = facilityResources(record, ctx.province);
    if (built.ok) resources.push(...built.resources);
    else report.rejected.push({ line: info.lines, reasons: built.reasons });
  }
  // Facilities are not people: they go straight to the store stage, idempotent by identifier.
  const before = await countVersions(ctx);
  await ingestBatch(ctx, [], { channel: 'facility' }, () => resources);
  report.written = (await countVersions(ctx)) - before;
  return report;
}

/**
 * Every stored version: replaced ones in resource_history, current ones in resource — those with
 * a method (rows older than migration 410 have their current version in resource_history too).
 */
async function countVersions(ctx: PipelineContext): Promise<number> {
  const { rows } = await ctx.db.pool.query<{ n: number }>(
    'SELECT ((SELECT count(*) FROM resource_history) + (SELECT count(*) FROM resource WHERE method IS NOT NULL))::int AS n',
  );
  return rows[0]!.n;
}
