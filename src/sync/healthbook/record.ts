// A health-check Encounter (QĐ 831 form, src/programs/visits.ts) as the `KHAMSUCKHOE` file of the
// health-book channel (QĐ 1551/QĐ-BYT amended by QĐ 2062, Phụ lục 02; vn-standards §7.2): the
// envelope `KHAMSUCKHOE/THONGTINDONVI/MACSKCB` + `THONGTINHOSO/{NGAYLAP, SOLUONGHOSO,
// DANHSACHHOSO/HOSO/FILEHOSO/{LOAIHOSO, NOIDUNGFILE}}` (the same pattern as GIAMDINHHS), the record
// itself base64 in NOIDUNGFILE. Field names are those the published summary lists (HO_TEN,
// NGAY_SINH, SO_CCCD, GIOI_TINH, DIA_CHI, MATINH_CU_TRU, MAXA_CU_TRU, MA_LK, MA_CSKCB, NGAY_VAO,
// KET_LUAN); the grouping elements and LOAIHOSO are ours until Phụ lục 02 is in hand.
import type { Encounter, Observation, Patient } from '@medplum/fhirtypes';
import { IdentifierSystem } from '../../fhir/systems.ts';
import { LOINC as PROGRAM_LOINC } from '../../programs/codes.ts';

// The codes the health-check form records (src/programs/visits.ts; pulse is LOINC 8867-4 there).
const LOINC = { weight: PROGRAM_LOINC.bodyWeight, height: PROGRAM_LOINC.bodyHeight, pulse: '8867-4', bp: PROGRAM_LOINC.bpPanel, systolic: PROGRAM_LOINC.systolic, diastolic: PROGRAM_LOINC.diastolic };
/** LOAIHOSO of the health-check file (ours: the published summary does not list the codes). */
export const HEALTH_CHECK_FILE_TYPE = 'KSK';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function el(name: string, value: string | number | undefined): string {
  return value === undefined || value === '' ? '' : `<${name}>${esc(String(value))}</${name}>`;
}

/** yyyymmdd[HHMM] in Vietnamese time, as the XML 130 family writes dates. */
function vnDate(value: string | undefined, withTime: boolean): string | undefined {
  if (!value) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value.replace(/-/g, '') + (withTime ? '0000' : '');
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms + 7 * 3600_000).toISOString();
  return iso.slice(0, 10).replace(/-/g, '') + (withTime ? iso.slice(11, 16).replace(':', '') : '');
}

const GENDER: Record<string, string> = { male: '1', female: '2' };

function quantity(observations: Observation[], code: string): number | undefined {
  return observations.find((o) => o.code?.coding?.some((c) => c.code === code))?.valueQuantity?.value;
}

/** The inner record (NOIDUNGFILE before base64). */
export function healthCheckRecordXml(encounter: Encounter & { id: string }, patient: Patient | undefined, observations: Observation[], facility: string): string {
  const name = patient?.name?.[0];
  const fullName = name?.text ?? [name?.family, ...(name?.given ?? [])].filter(Boolean).join(' ');
  const cccd = patient?.identifier?.find((i) => i.system === IdentifierSystem.cccd)?.value;
  const address = patient?.address?.[0];
  const bp = observations.find((o) => o.code?.coding?.some((c) => c.code === LOINC.bp));
  const bpPart = (code: string) => bp?.component?.find((c) => c.code.coding?.some((x) => x.code === code))?.valueQuantity?.value;
  const systolic = bpPart(LOINC.systolic);
  const diastolic = bpPart(LOINC.diastolic);
  const conclusion = observations.find((o) => o.valueString !== undefined)?.valueString;
  return [
    '<HOSO_KHAMSUCKHOE>',
    '<HANH_CHINH>',
    el('HO_TEN', fullName),
    el('NGAY_SINH', vnDate(patient?.birthDate, false)),
    el('SO_CCCD', cccd),
    el('GIOI_TINH', GENDER[patient?.gender ?? ''] ?? (patient?.gender ? '3' : undefined)),
    el('DIA_CHI', address?.text ?? [address?.line?.join(' '), address?.city, address?.state].filter(Boolean).join(', ')),
    el('MATINH_CU_TRU', address?.state && /^\d+$/.test(address.state) ? address.state : undefined),
    '</HANH_CHINH>',
    '<LAN_KHAM>',
    el('MA_LK', encounter.id),
    el('MA_CSKCB', facility),
    el('NGAY_VAO', vnDate(encounter.period?.start, true)),
    el('LOAI_KHAM', encounter.type?.[0]?.text),
    '</LAN_KHAM>',
    '<THE_LUC>',
    el('CAN_NANG', quantity(observations, LOINC.weight)),
    el('CHIEU_CAO', quantity(observations, LOINC.height)),
    el('MACH', quantity(observations, LOINC.pulse)),
    el('HUYET_AP', systolic !== undefined && diastolic !== undefined ? `${systolic}/${diastolic}` : undefined),
    '</THE_LUC>',
    el('KET_LUAN', conclusion),
    '</HOSO_KHAMSUCKHOE>',
  ].join('');
}

/** The `KHAMSUCKHOE` file pushed as `data.file_content`. */
export function healthCheckFile(recordXml: string, facility: string, now: Date): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<KHAMSUCKHOE>',
    `<THONGTINDONVI>${el('MACSKCB', facility)}</THONGTINDONVI>`,
    '<THONGTINHOSO>',
    el('NGAYLAP', vnDate(now.toISOString(), false)),
    el('SOLUONGHOSO', 1),
    '<DANHSACHHOSO><HOSO><FILEHOSO>',
    el('LOAIHOSO', HEALTH_CHECK_FILE_TYPE),
    el('NOIDUNGFILE', Buffer.from(recordXml, 'utf8').toString('base64')),
    '</FILEHOSO></HOSO></DANHSACHHOSO>',
    '</THONGTINHOSO>',
    '</KHAMSUCKHOE>',
  ].join('');
}
