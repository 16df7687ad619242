// Resident IDs (MISSION A1) for the Patients that have none: records a channel wrote before it
// numbered its new persons (the FHIR API until issue 3's fix). Each is written as a new version
// with a number from the never-reused sequence, in batches of one transaction each, under the
// identity lock stripes of the person (the order of every Patient writer: keys, then the row),
// its MPI row updated and the write audited. Deleted records and the records merged away into
// another are left as they are. `hssk identity number-residents` runs it.
import type { Patient } from '@medplum/fhirtypes';
import { agentOf, type AuditEntryInput } from '../audit/audit-entry.ts';
import { insertAuditEntries } from '../audit/audit-log.ts';
import { FhirError } from '../fhir/outcomes.ts';
import { paramKey } from '../fhir/search-parameters.ts';
import { IdentifierSystem } from '../fhir/systems.ts';
import { allocateResidentIds, lockKeys, upsertPersons, type PersonToWrite } from '../identity/mpi/mpi-store.ts';
import { exactIdentifiersOf, factsFromPatient } from '../identity/mpi/person-facts.ts';
import { personRow } from '../identity/mpi/person-row.ts';
import { identityKeys } from '../identity/mpi/resolve.ts';
import { Repository } from '../store/repository.ts';
import { withResidentId } from './patient-data.ts';
import type { PipelineContext } from './types.ts';

export interface NumberingReport {
  /** Patients given a resident ID. */
  numbered: number;
  /** Patients changed by someone else meanwhile: left for the next run. */
  skipped: number;
}

const IDENTIFIER_PARAM = paramKey('Patient', 'identifier');

const mergedAway = (p: Patient) => p.active === false && (p.link ?? []).some((l) => l.type === 'replaced-by');

function keysOf(patient: Patient): string[] {
  return identityKeys(factsFromPatient(patient), exactIdentifiersOf(patient)).stored;
}

/** Numbers every current Patient without a resident ID; `batch` records per transaction. */
export async function numberUnnumberedResidents(ctx: PipelineContext, options: { batch?: number; progress?: (r: NumberingReport) => void } = {}): Promise<NumberingReport> {
  const batch = options.batch ?? 500;
  const report: NumberingReport = { numbered: 0, skipped: 0 };
  let after = 0;
  for (;;) {
    const { rows } = await ctx.db.pool.query<{ rid: string; id: string; version_id: number; source_facility: string | null; content: string }>(
      `SELECT r.rid::text AS rid, r.id, r.version_id, r.source_facility, r.content FROM resource r
        WHERE r.resource_type = 'Patient' AND NOT r.deleted AND r.rid > $1
          AND NOT EXISTS (SELECT 1 FROM search_token t WHERE t.rid = r.rid AND t.p = $2 AND t.system = $3)
        ORDER BY r.rid LIMIT $4`,
      [after, IDENTIFIER_PARAM, IdentifierSystem.residentId, batch],
    );
    if (rows.length === 0) return report;
    after = Number(rows[rows.length - 1]!.rid);
    const todo = rows.map((r) => ({ ...r, patient: JSON.parse(r.content) as Patient })).filter((r) => !mergedAway(r.patient));
    await new Repository(ctx.db).transaction(async (tx) => {
      await lockKeys(tx.queryable, todo.flatMap((r) => keysOf(r.patient)));
      const residentIds = await allocateResidentIds(tx.queryable, ctx.province, todo.length);
      const persons: PersonToWrite[] = [];
      const audit: AuditEntryInput[] = [];
      for (const [i, r] of todo.entries()) {
        let written: Patient;
        try {
          // The version read, and the facility that wrote it (its access rule), are kept.
          const result = await tx.update(withResidentId(r.patient, residentIds[i]!), { ifMatch: r.version_id, sourceFacility: r.source_facility });
          written = result.resource as Patient;
        } catch (err) {
          if (err instanceof FhirError && (err.status === 412 || err.status === 410)) {
            report.skipped++;
            continue;
          }
          throw err;
        }
        persons.push(personRow(r.id, written));
        audit.push({ action: 'update', outcome: '0', ...agentOf(ctx.actor), patientId: r.id, entityType: 'Patient', entityId: r.id, reason: 'resident-id' });
      }
      await upsertPersons(tx.queryable, persons);
      await insertAuditEntries(tx.queryable, audit);
      report.numbered += persons.length;
    });
    options.progress?.(report);
  }
}
