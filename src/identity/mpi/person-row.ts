// The master patient index row of a Patient as written: its matching facts, blocking keys and
// resident ID. Every writer of Patients (imports, the FHIR API, merges, numbering, the demo)
// indexes them through this one function, so a record is found the same way whoever wrote it.
import type { Patient } from '@medplum/fhirtypes';
import type { PersonToWrite } from './mpi-store.ts';
import { exactIdentifiersOf, factsFromPatient, residentIdOf } from './person-facts.ts';
import { identityKeys } from './resolve.ts';

/** `isNew`: created in this transaction (no earlier keys to remove). */
export function personRow(patientId: string, patient: Patient, isNew = false): PersonToWrite {
  const facts = factsFromPatient(patient);
  return { patientId, residentId: residentIdOf(patient) ?? null, facts, keys: identityKeys(facts, exactIdentifiersOf(patient)).stored, isNew };
}
