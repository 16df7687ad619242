// What auth and consent need to know about a Patient: its phone numbers (where OTPs go) and
// its commune. The default reads the `resource` table directly; finding by CCCD scans the
// Patient rows' JSON, so at province scale the FHIR store should provide an implementation
// on its identifier index (same interface).
import type { Patient } from '@medplum/fhirtypes';
import { isSelfReportedEntry } from '../fhir/self-reported.ts';
import { Extension, IdentifierSystem } from '../fhir/systems.ts';
import { normalisePhone } from '../sms/phone.ts';
import type { Queryable } from '../store/database.ts';

export interface PatientContact {
  id: string;
  /** Normalised (+84…) phone numbers of the record, mobile first. */
  phones: string[];
  communeCode?: string;
}

export interface PatientDirectory {
  byId(id: string): Promise<PatientContact | undefined>;
  byIdentifier(system: string, value: string): Promise<PatientContact | undefined>;
}

export function patientContact(patient: Patient & { id: string }): PatientContact {
  // One-time codes go only to numbers a facility recorded, never to one the resident added (C5).
  const telecoms = (patient.telecom ?? []).filter((t) => (t.system === 'phone' || t.system === 'sms') && t.value && !t.period?.end && !isSelfReportedEntry(t));
  telecoms.sort((a, b) => Number(b.use === 'mobile') - Number(a.use === 'mobile'));
  const phones = [...new Set(telecoms.flatMap((t) => normalisePhone(t.value!) ?? []))];
  const recorded = (patient.address ?? []).filter((a) => !isSelfReportedEntry(a));
  const address = recorded.find((a) => a.use !== 'old' && !a.period?.end) ?? recorded[0];
  const commune = address?.extension?.find((e) => e.url === Extension.addressCommune);
  const communeCode = commune?.valueCode ?? commune?.valueString ?? commune?.valueCoding?.code;
  return { id: patient.id, phones, ...(communeCode ? { communeCode } : {}) };
}

export function sqlPatientDirectory(db: Queryable): PatientDirectory {
  async function one(where: string, params: unknown[]): Promise<PatientContact | undefined> {
    const { rows } = await db.query<{ id: string; content: string }>(
      `SELECT id, content FROM resource WHERE resource_type = 'Patient' AND NOT deleted AND ${where} LIMIT 2`,
      params,
    );
    // Two records with one CCCD are a duplicate for the identity team, not a login.
    if (rows.length !== 1) return undefined;
    return patientContact({ ...(JSON.parse(rows[0]!.content) as Patient), id: rows[0]!.id });
  }
  return {
    byId: (id) => one('id = $1', [id]),
    byIdentifier: (system, value) => one('content::jsonb @> $1::jsonb', [JSON.stringify({ identifier: [{ system, value }] })]),
  };
}

export const CCCD_SYSTEM = IdentifierSystem.cccd;
