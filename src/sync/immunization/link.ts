// The immunisation link (MISSION B10): doses from the national immunisation system (CSV or FHIR)
// reconciled with what HSSK holds, so that the same dose from two sources is one Immunization:
// same person + same vaccine + (date within one day, or the same dose number). A match that
// agrees is the same dose (missing lot or dose number filled in); a match that disagrees is a
// conflict listed for a person to resolve; no match is a new Immunization.
import type { Immunization } from '@medplum/fhirtypes';
import { paramKey } from '../../fhir/search-parameters.ts';
import { IdentifierSystem } from '../../fhir/systems.ts';
import { ProgramSystem } from '../../programs/codes.ts';
import type { Database, Queryable } from '../../store/database.ts';
import { Repository } from '../../store/repository.ts';
import type { DoseRow } from './csv.ts';

export type DoseOutcome = 'created' | 'same' | 'completed' | 'conflict' | 'unknown-person';

export interface LinkSummary {
  created: number;
  same: number;
  completed: number;
  conflict: number;
  unknownPerson: number;
}

const DAY = 86_400_000;

/** Patient ids by CCCD or resident ID (current, not deleted). */
async function findPatient(db: Queryable, row: DoseRow): Promise<string | undefined> {
  const keys: [string, string][] = [];
  if (row.residentId) keys.push([IdentifierSystem.residentId, row.residentId]);
  if (row.cccd) keys.push([IdentifierSystem.cccd, row.cccd]);
  for (const [system, code] of keys) {
    const { rows } = await db.query<{ id: string }>(
      `SELECT r.id FROM resource r WHERE r.resource_type = 'Patient' AND NOT r.deleted
          AND r.rid IN (SELECT rid FROM search_token WHERE p = $1 AND code = $2 AND system = $3) LIMIT 2`,
      [paramKey('Patient', 'identifier'), code, system],
    );
    if (rows.length === 1) return rows[0]!.id;
  }
  return undefined;
}

function vaccineOf(imm: Immunization): string | undefined {
  return imm.vaccineCode?.coding?.find((c) => c.system === ProgramSystem.vaccine)?.code;
}

function doseOf(imm: Immunization): number | undefined {
  return imm.protocolApplied?.[0]?.doseNumberPositiveInt;
}

function dateOf(imm: Immunization): string | undefined {
  return imm.occurrenceDateTime?.slice(0, 10);
}

function daysApart(a: string, b: string): number {
  return Math.abs(Date.parse(a) - Date.parse(b)) / DAY;
}

export function immunizationOf(row: DoseRow, patientId: string): Immunization {
  return {
    resourceType: 'Immunization',
    status: 'completed',
    vaccineCode: { coding: [{ system: ProgramSystem.vaccine, code: row.vaccineCode, ...(row.vaccineName ? { display: row.vaccineName } : {}) }], ...(row.vaccineName ? { text: row.vaccineName } : {}) },
    patient: { reference: `Patient/${patientId}` },
    occurrenceDateTime: row.date,
    ...(row.lot ? { lotNumber: row.lot } : {}),
    ...(row.facility ? { performer: [{ actor: { identifier: { system: IdentifierSystem.facilityCode, value: row.facility } } }] } : {}),
    ...(row.doseNumber ? { protocolApplied: [{ doseNumberPositiveInt: row.doseNumber }] } : {}),
  };
}

/** Why an existing dose and an incoming one that match are not simply the same (empty: they agree). */
export function disagreements(existing: Immunization, row: DoseRow): string[] {
  const reasons: string[] = [];
  const date = dateOf(existing);
  if (date && date !== row.date) reasons.push(`ngày tiêm khác: ${date} / ${row.date}`);
  const dose = doseOf(existing);
  if (dose !== undefined && row.doseNumber !== undefined && dose !== row.doseNumber) reasons.push(`mũi số khác: ${dose} / ${row.doseNumber}`);
  if (existing.lotNumber && row.lot && existing.lotNumber !== row.lot) reasons.push(`số lô khác: ${existing.lotNumber} / ${row.lot}`);
  return reasons;
}

export function matches(existing: Immunization, row: DoseRow): boolean {
  if (existing.status !== 'completed' || vaccineOf(existing) !== row.vaccineCode) return false;
  const date = dateOf(existing);
  if (date && daysApart(date, row.date) <= 1) return true;
  const dose = doseOf(existing);
  return dose !== undefined && dose === row.doseNumber;
}

export async function linkDose(db: Database, row: DoseRow, source: string): Promise<DoseOutcome> {
  const patientId = await findPatient(db.pool, row);
  if (!patientId) return 'unknown-person';
  const repo = new Repository(db);
  const { rows } = await db.pool.query<{ content: string }>(
    `SELECT content FROM resource WHERE resource_type = 'Immunization' AND compartment = $1 AND NOT deleted ORDER BY id`,
    [patientId],
  );
  const candidates = rows.map((r) => JSON.parse(r.content) as Immunization & { id: string }).filter((imm) => matches(imm, row));
  if (candidates.length === 0) {
    await repo.create(immunizationOf(row, patientId));
    return 'created';
  }
  const exact = candidates.find((c) => disagreements(c, row).length === 0);
  if (exact) {
    const fill = { ...(row.lot && !exact.lotNumber ? { lotNumber: row.lot } : {}), ...(row.doseNumber && doseOf(exact) === undefined ? { protocolApplied: [{ doseNumberPositiveInt: row.doseNumber }] } : {}) };
    if (Object.keys(fill).length === 0) return 'same';
    await repo.update({ ...exact, ...fill });
    return 'completed';
  }
  const existing = candidates[0]!;
  const reasons = candidates.length > 1 ? ['khớp với nhiều mũi tiêm đã có', ...disagreements(existing, row)] : disagreements(existing, row);
  await db.pool.query(
    `INSERT INTO immunization_conflict (patient_id, existing_id, source, incoming, reasons) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [patientId, existing.id, source, JSON.stringify(row), reasons],
  );
  return 'conflict';
}

export async function linkDoses(db: Database, rows: DoseRow[], source: string): Promise<LinkSummary> {
  const s: LinkSummary = { created: 0, same: 0, completed: 0, conflict: 0, unknownPerson: 0 };
  for (const row of rows) {
    const o = await linkDose(db, row, source);
    if (o === 'unknown-person') s.unknownPerson++;
    else s[o]++;
  }
  return s;
}

/** A FHIR Immunization from another system → a dose row (the patient named by identifier). */
export function doseRowOfFhir(imm: Immunization, patientIdentifiers: { system?: string; value?: string }[]): DoseRow | undefined {
  const vaccine = vaccineOf(imm);
  const date = dateOf(imm);
  const cccd = patientIdentifiers.find((i) => i.system === IdentifierSystem.cccd)?.value;
  const residentId = patientIdentifiers.find((i) => i.system === IdentifierSystem.residentId)?.value;
  if (!vaccine || !date || (!cccd && !residentId)) return undefined;
  const facility = imm.performer?.map((p) => p.actor.identifier).find((i) => i?.system === IdentifierSystem.facilityCode)?.value;
  const name = imm.vaccineCode?.coding?.find((c) => c.system === ProgramSystem.vaccine)?.display ?? imm.vaccineCode?.text;
  const dose = doseOf(imm);
  return {
    ...(residentId ? { residentId } : {}),
    ...(cccd ? { cccd } : {}),
    vaccineCode: vaccine,
    ...(name ? { vaccineName: name } : {}),
    ...(dose ? { doseNumber: dose } : {}),
    date,
    ...(facility ? { facility } : {}),
    ...(imm.lotNumber ? { lot: imm.lotNumber } : {}),
  };
}

/** Every completed Immunization as a dose row with its resident's identifiers (for the CSV). */
export async function exportDoseRows(db: Queryable): Promise<DoseRow[]> {
  const { rows } = await db.query<{ imm: string; patient: string | null }>(
    `SELECT i.content AS imm, p.content AS patient FROM resource i
       LEFT JOIN resource p ON p.resource_type = 'Patient' AND p.id = i.compartment AND NOT p.deleted
      WHERE i.resource_type = 'Immunization' AND NOT i.deleted ORDER BY i.compartment, i.id`,
  );
  const out: DoseRow[] = [];
  for (const r of rows) {
    const imm = JSON.parse(r.imm) as Immunization;
    const ids = r.patient ? ((JSON.parse(r.patient) as { identifier?: { system?: string; value?: string }[] }).identifier ?? []) : [];
    const row = doseRowOfFhir(imm, ids);
    if (row) out.push(row);
  }
  return out;
}

export interface ImmunizationConflict {
  id: number;
  patientId: string;
  existingId: string;
  source: string;
  incoming: DoseRow;
  reasons: string[];
  createdAt: Date;
}

export async function pendingConflicts(db: Queryable, limit = 100): Promise<ImmunizationConflict[]> {
  const { rows } = await db.query<{ id: string; patient_id: string; existing_id: string; source: string; incoming: DoseRow; reasons: string[]; created_at: Date }>(
    `SELECT id, patient_id, existing_id, source, incoming, reasons, created_at FROM immunization_conflict WHERE status = 'pending' ORDER BY created_at, id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ id: Number(r.id), patientId: r.patient_id, existingId: r.existing_id, source: r.source, incoming: r.incoming, reasons: r.reasons, createdAt: r.created_at }));
}

/** A person's decision: keep the recorded dose, or take the incoming values onto it. */
export async function resolveConflict(db: Database, id: number, decision: 'kept-existing' | 'took-incoming', by: string): Promise<boolean> {
  const { rows } = await db.pool.query<{ existing_id: string; patient_id: string; incoming: DoseRow }>(
    `UPDATE immunization_conflict SET status = $2, resolved_by = $3, resolved_at = now() WHERE id = $1 AND status = 'pending' RETURNING existing_id, patient_id, incoming`,
    [id, decision, by],
  );
  const c = rows[0];
  if (!c) return false;
  if (decision === 'took-incoming') {
    const repo = new Repository(db);
    const current = JSON.parse((await repo.read('Immunization', c.existing_id)).content!) as Immunization & { id: string };
    const next = immunizationOf(c.incoming, c.patient_id);
    await repo.update({ ...current, ...next, id: current.id });
  }
  return true;
}
