// One HOSO → one AdaptResult. Reads and checks the tables, tells the generation, runs each table's
// mapping, applies the storage policy (B8) and returns either the episode's resources or the
// field-level reasons it cannot be accepted. Nothing here throws for bad input: one bad episode
// never affects the others.
import type { Encounter, Patient } from '@medplum/fhirtypes';
import { CodeSystem, IdentifierSystem } from '../../fhir/systems.ts';
import type { AdaptedEntry, AdaptResult, RejectionReason } from '../adapted-record.ts';
import { applyRules, EpisodeContext, Exclusions } from './context.ts';
import { dateTime12, personName } from './convert.ts';
import type { HosoUnit } from './envelope.ts';
import { detectGeneration } from './generation.ts';
import { decodeContent, parseTable, type ParsedTable, type XmlRecord } from './inner.ts';
import { mapBirths } from './map-birth.ts';
import { mapConditions } from './map-conditions.ts';
import { mapCourse } from './map-course.ts';
import { mapCoverages } from './map-coverage.ts';
import { encounterRules } from './map-encounter.ts';
import { mapMedications } from './map-medications.ts';
import { mapDisability, mapFollowUp, mapReferral, mapTuberculosis, mapXml1Extras } from './map-papers.ts';
import { patientRules } from './map-patient.ts';
import { mapResults } from './map-results.ts';
import { mapServices } from './map-services.ts';
import { mapSummary } from './map-summary.ts';
import { isTableType, normaliseTableType, TABLES, type TableType } from './tables.ts';

/** `xml/<facility>/<MA_LK>`, or the HOSO position when MA_LK is missing. */
function recordKey(facility: string | undefined, maLk: string | undefined, index: number): string {
  return `xml/${facility ?? 'khong-ro-co-so'}/${maLk ?? `HOSO-${index}`}`;
}

interface ReadTables {
  tables: Map<TableType, XmlRecord[]>;
  parsed: ParsedTable[];
  reasons: RejectionReason[];
  warnings: string[];
}

/** Decodes and parses every FILEHOSO. XML6 is never decoded (B8): it is counted and left. */
function readTables(unit: HosoUnit, exclusions: Exclusions): ReadTables {
  const tables = new Map<TableType, XmlRecord[]>();
  const parsed: ParsedTable[] = [];
  const reasons: RejectionReason[] = [];
  const warnings: string[] = [];
  for (const file of unit.files) {
    const type = normaliseTableType(file.type);
    if (type === 'XML6') {
      exclusions.count('hiv');
      continue;
    }
    if (!isTableType(type)) {
      reasons.push({ field: 'LOAIHOSO', message: type ? `Loại bảng "${type.slice(0, 20)}" không có trong QĐ 4210/130.` : 'FILEHOSO thiếu LOAIHOSO.' });
      continue;
    }
    if (type === 'XML0') {
      warnings.push('Bảng XML0 (trạng thái khám chữa bệnh, check-in) không được lưu: hồ sơ đợt điều trị đã có đủ thông tin.');
      continue;
    }
    const content = decodeContent(file.content);
    if (!content.ok) {
      reasons.push({ field: `${type}.NOIDUNGFILE`, message: content.message });
      continue;
    }
    const table = parseTable(type, content.xml);
    if (!table.ok) {
      reasons.push({ field: `${type}.NOIDUNGFILE`, message: table.message });
      continue;
    }
    parsed.push(table.table);
    const existing = tables.get(type);
    if (existing && TABLES[type].single) {
      warnings.push(`Bảng ${type} xuất hiện nhiều lần; chỉ dùng bảng đầu tiên.`);
      continue;
    }
    tables.set(type, [...(existing ?? []), ...table.table.records]);
  }
  return { tables, parsed, reasons, warnings };
}

function isDangling(v: unknown, known: ReadonlySet<string>): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const ref = (v as { reference?: unknown }).reference;
  return typeof ref === 'string' && ref.startsWith('urn:uuid:') && !known.has(ref);
}

function holdsDangling(v: unknown, known: ReadonlySet<string>): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (isDangling(v, known)) return true;
  if (Array.isArray(v)) return false;
  for (const key in v) if (isDangling((v as Record<string, unknown>)[key], known)) return true;
  return false;
}

/** Removes references to entries that were dropped (B8), so nothing points at a hole. */
function pruneDanglingReferences(node: unknown, known: ReadonlySet<string>): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (let i = node.length - 1; i >= 0; i--) {
      if (holdsDangling(node[i], known)) node.splice(i, 1);
      else pruneDanglingReferences(node[i], known);
    }
    return;
  }
  const obj = node as Record<string, unknown>;
  for (const k in obj) {
    const v = obj[k];
    if (typeof v !== 'object' || v === null) continue;
    if (isDangling(v, known)) delete obj[k];
    else {
      pruneDanglingReferences(v, known);
      if (Array.isArray(v) && v.length === 0) delete obj[k];
    }
  }
}

export function adaptHoso(unit: HosoUnit): AdaptResult {
  const exclusions = new Exclusions();
  const headerFacility = unit.header.facilityCode;
  if (unit.malformed) {
    return { ok: false, key: recordKey(headerFacility, undefined, unit.index), reasons: [{ field: 'HOSO', message: `HOSO không phải XML hợp lệ (${unit.malformed}).` }] };
  }
  const read = readTables(unit, exclusions);
  const xml1 = read.tables.get('XML1')?.[0];
  const maLk = xml1?.['MA_LK'];
  const facility = xml1?.['MA_CSKCB'] ?? headerFacility;
  const reasons = [...read.reasons];
  if (!xml1 && !read.reasons.some((r) => r.field.startsWith('XML1'))) reasons.push({ field: 'XML1', message: 'Thiếu bảng XML1 (bảng tổng hợp khám bệnh, chữa bệnh).' });
  if (xml1 && !maLk) reasons.push({ field: 'XML1.MA_LK', message: 'Thiếu MA_LK (mã đợt điều trị).' });
  if (!facility) reasons.push({ field: 'MACSKCB', message: 'Không có mã cơ sở KBCB (THONGTINDONVI/MACSKCB hoặc XML1.MA_CSKCB).' });
  if (headerFacility && xml1?.['MA_CSKCB'] && headerFacility !== xml1['MA_CSKCB']) {
    reasons.push({ field: 'XML1.MA_CSKCB', message: `MA_CSKCB ${xml1['MA_CSKCB']} khác cơ sở gửi hồ sơ (MACSKCB ${headerFacility}).` });
  }
  if (maLk) {
    for (const [type, records] of read.tables) {
      if (records.some((r) => r['MA_LK'] !== undefined && r['MA_LK'] !== maLk)) {
        reasons.push({ field: `${type}.MA_LK`, message: `MA_LK của bảng ${type} khác MA_LK của XML1 (${maLk}).` });
      }
    }
  }
  const key = recordKey(facility, maLk, unit.index);
  if (reasons.length || !xml1 || !maLk || !facility) return { ok: false, key, reasons };

  const generation = detectGeneration(read.parsed).generation;
  const ctx = new EpisodeContext(facility, maLk, generation, exclusions);
  ctx.warnings.push(...read.warnings);
  for (const field of ['HO_TEN', 'NGAY_SINH', 'NGAY_VAO'] as const) {
    if (xml1[field] === undefined) ctx.reject(`XML1.${field}`, `Thiếu ${field}.`);
  }

  const patient: Patient = { resourceType: 'Patient' };
  applyRules(patientRules, 'XML1', xml1, patient, ctx);

  const encounter: Encounter = {
    resourceType: 'Encounter',
    identifier: [{ system: ctx.system, value: maLk }],
    status: xml1['NGAY_RA'] ? 'finished' : 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    subject: ctx.patient,
    serviceProvider: ctx.organization(),
  };
  applyRules(encounterRules, 'XML1', xml1, encounter, ctx);
  const { start, end } = encounter.period ?? {};
  if (start && end && Date.parse(end) < Date.parse(start)) ctx.reject('XML1.NGAY_RA', 'NGAY_RA trước NGAY_VAO.');
  if (patient.birthDate && start && patient.birthDate > start.slice(0, patient.birthDate.length)) ctx.reject('XML1.NGAY_SINH', 'NGAY_SINH sau NGAY_VAO.');
  const outcome = xml1['KET_QUA_DTRI'];
  if (outcome === '5' || outcome === '8') patient.deceasedDateTime = end ?? start;
  addPatientDetailsFromPapers(patient, read.tables);

  const rows = (t: TableType) => read.tables.get(t) ?? [];
  const followUps = new Set(rows('XML14').map((r) => (r['NGAY_HEN_KL'] ? safeDate(r['NGAY_HEN_KL']) : '')));
  const services = mapServices(rows('XML3'), ctx);
  const entries: AdaptedEntry[] = [
    ...mapConditions(xml1, encounter, ctx),
    ...mapCoverages(xml1, ctx),
    ...mapXml1Extras(xml1, ctx, followUps),
    ...mapMedications(rows('XML2'), ctx),
    ...services.entries,
    ...mapResults(rows('XML4'), services.procedureByService, ctx),
    ...mapCourse(rows('XML5'), ctx),
    ...mapBirths(rows('XML9'), ctx),
    ...rows('XML12').flatMap((r) => mapDisability(r, ctx)),
    ...rows('XML13').flatMap((r) => mapReferral(r, ctx)),
    ...rows('XML14').flatMap((r) => mapFollowUp(r, ctx)),
    ...mapTuberculosis(rows('XML15'), ctx),
  ];
  if (ctx.reasons.length) return { ok: false, key, reasons: ctx.reasons };

  // B8 is applied above item by item (codes, medicines, texts), before resources are built. The
  // pipeline's policy stage then runs classifyResource on every resource; running it here too
  // would double the cost of the hottest path for no gain (the tests check that it finds nothing).
  const kept = entries;
  const inpatient = encounter.class.code === 'IMP';
  const all: AdaptedEntry[] = [{ fullUrl: ctx.encounterUrl, resource: encounter }, ...kept];
  all.push(mapSummary(read.tables, all, inpatient, ctx));
  const known = new Set([ctx.patientUrl, ...all.map((e) => e.fullUrl)]);
  for (const e of all) pruneDanglingReferences(e.resource, known);

  return {
    ok: true,
    record: {
      key,
      patient,
      patientFullUrl: ctx.patientUrl,
      entries: all,
      replaces: { system: ctx.system, valuePrefix: maLk },
      excluded: ctx.exclusions.counts,
      warnings: ctx.warnings,
    },
  };
}

function safeDate(raw: string): string {
  try {
    return dateTime12(raw).slice(0, 10);
  } catch {
    return '';
  }
}

/** Identifiers and family found on the other papers of the episode. */
function addPatientDetailsFromPapers(patient: Patient, tables: ReadonlyMap<TableType, readonly XmlRecord[]>): void {
  const ids = (patient.identifier ??= []);
  const bhxh = tables.get('XML11')?.[0]?.['MA_BHXH'];
  if (bhxh && /^\d{10}$/.test(bhxh) && !ids.some((i) => i.system === IdentifierSystem.bhxh && i.value === bhxh)) {
    ids.push({ system: IdentifierSystem.bhxh, value: bhxh });
  }
  for (const t of ['XML7', 'XML8'] as const) {
    const temp = tables.get(t)?.[0]?.['MA_THE_TAM'];
    if (temp && !ids.some((i) => i.value === temp)) ids.push({ system: IdentifierSystem.bhytCard, value: temp, use: 'temp' });
  }
  if (ids.length === 0) delete patient.identifier;
  // Parents (children under 16) and guardian, as printed on the discharge paper or record summary.
  // Their mã số BHXH (MA_CHA, MA_ME) is not kept: Patient.contact has no identifier in R4.
  const paper = tables.get('XML7')?.[0] ?? tables.get('XML8')?.[0];
  const family: readonly [string | undefined, string, string][] = [
    [paper?.['HO_TEN_CHA'], 'FTH', 'Cha'],
    [paper?.['HO_TEN_ME'], 'MTH', 'Mẹ'],
    [tables.get('XML8')?.[0]?.['NGUOI_GIAM_HO'], 'GUARD', 'Người giám hộ'],
  ];
  for (const [name, code, display] of family) {
    if (!name) continue;
    (patient.contact ??= []).push({
      relationship: [{ coding: [{ system: CodeSystem.v3RoleCode, code, display }], text: display }],
      name: personName(name),
    });
  }
}
