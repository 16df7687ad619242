// Every current resource row in a Patient compartment carries the address communes of that
// Patient (current and old codes, the index of Patient.address-commune) in resource.communes, so
// that a commune health worker's access rule is one array test on the row it reads
// (src/auth/access-filter-sql.ts). The resource writer stamps what it writes (this module says
// with what); when a Patient's communes change — a move, a deletion, a merge — or a Patient is
// created after rows of its compartment, the rows already stored are stamped again in the same
// transaction. Concurrent writers are ordered by the SQL functions of migration 350.
import { paramKey } from '../fhir/search-parameters.ts';
import type { Queryable } from './database.ts';
import type { VersionToWrite } from './resource-writer.ts';

const COMMUNE_KEY = paramKey('Patient', 'address-commune');

/** A Patient version's communes, sorted and distinct; none for a deletion. */
export function patientCommunes(version: VersionToWrite): string[] {
  if (version.deleted || !version.index) return [];
  const codes = new Set<string>();
  for (const [p, , code] of version.index.token) if (p === COMMUNE_KEY && code) codes.add(code);
  return [...codes].sort();
}

/** How each version of a batch is stamped. */
export interface CommuneStamps {
  /** Per version: its communes, or null when read from its compartment's stored Patient. */
  known: (string[] | null)[];
  /** Compartments whose stored Patient is read (hssk_compartment_communes). */
  lookup: string[];
  /** New Patients with communes: rows of their compartment written before them are stamped again. */
  created: string[];
}

/**
 * Brand-new versions (one insert statement): a Patient carries its own communes; a resource
 * whose compartment's Patient is created in the same batch carries that Patient's; any other
 * resource in a compartment is stamped from the stored Patient.
 */
export function stampsForNew(versions: VersionToWrite[]): CommuneStamps {
  const ofPatient = new Map<string, string[]>();
  for (const v of versions) if (v.resourceType === 'Patient') ofPatient.set(v.id, patientCommunes(v));
  const lookup = new Set<string>();
  const known = versions.map((v): string[] | null => {
    if (v.resourceType === 'Patient') return ofPatient.get(v.id)!;
    if (v.deleted || !v.compartment) return [];
    const inBatch = ofPatient.get(v.compartment);
    if (inBatch) return inBatch;
    lookup.add(v.compartment);
    return null;
  });
  const created = [...ofPatient].filter(([, codes]) => codes.length > 0).map(([id]) => id);
  return { known, lookup: [...lookup], created };
}

/**
 * New versions of existing resources (one update statement): a Patient carries its own
 * communes; every other resource is stamped from the stored Patient — a Patient updated in the
 * same statement may still lose its version check, and when it wins with other communes its
 * compartment is stamped again afterwards anyway.
 */
export function stampsForExisting(versions: VersionToWrite[]): CommuneStamps {
  const lookup = new Set<string>();
  const known = versions.map((v): string[] | null => {
    if (v.resourceType === 'Patient') return patientCommunes(v);
    if (v.deleted || !v.compartment) return [];
    lookup.add(v.compartment);
    return null;
  });
  return { known, lookup: [...lookup], created: [] };
}

/**
 * Stamps the stored rows of these compartments with their Patient's communes. `changed`: their
 * communes changed (waits for writers that read the old ones); otherwise the Patients were just
 * created (waits for writers that found them absent).
 */
export async function restampCompartments(db: Queryable, patientIds: string[], changed: boolean): Promise<void> {
  if (patientIds.length === 0) return;
  await db.query('SELECT hssk_restamp_compartments($1::text[], $2)', [[...new Set(patientIds)].sort(), changed]);
}
