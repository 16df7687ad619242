// The PatientDirectory of auth and consent (phones for OTPs, commune) backed by the FHIR
// search index, so that finding a resident by CCCD is an index lookup at a million residents.
import type { Patient } from '@medplum/fhirtypes';
import { patientContact, type PatientContact, type PatientDirectory } from '../auth/patient-directory.ts';
import { paramKey } from '../fhir/search-parameters.ts';
import type { Queryable } from './database.ts';

const IDENTIFIER = paramKey('Patient', 'identifier');

export function indexedPatientDirectory(db: Queryable): PatientDirectory {
  const one = async (sql: string, params: unknown[]): Promise<PatientContact | undefined> => {
    const { rows } = await db.query<{ id: string; content: string }>(sql, params);
    // Two records with one CCCD are a duplicate for the identity review, not a login.
    if (rows.length !== 1) return undefined;
    return patientContact({ ...(JSON.parse(rows[0]!.content) as Patient), id: rows[0]!.id });
  };
  return {
    byId: (id) => one(`SELECT id, content FROM resource WHERE resource_type = 'Patient' AND id = $1 AND NOT deleted`, [id]),
    byIdentifier: (system, value) =>
      one(
        `SELECT r.id, r.content FROM search_token t JOIN resource r ON r.rid = t.rid
         WHERE t.p = $1 AND t.code = $2 AND t.system = $3 AND r.resource_type = 'Patient' AND NOT r.deleted LIMIT 2`,
        [IDENTIFIER, value, system],
      ),
  };
}
