// Marks Patients verified against the population database (MISSION A6): the
// populationVerification extension (date, result) shown as "đã xác thực ngày …". A CCCD that
// the database knows with other data is marked "không khớp" so a clerk can look.
import type { Patient } from '@medplum/fhirtypes';
import { agentOf } from '../../../audit/audit-entry.ts';
import { insertAuditEntries } from '../../../audit/audit-log.ts';
import type { Actor } from '../../../auth/actor.ts';
import { Extension, IdentifierSystem } from '../../../fhir/systems.ts';
import { getSearchParam } from '../../../fhir/search-parameters.ts';
import { VersionPlan } from '../../../pipeline/versions.ts';
import type { CurrentRow } from '../../../pipeline/stored.ts';
import type { Database } from '../../../store/database.ts';
import { insertNewResources, updateExistingResources } from '../../../store/resource-writer.ts';
import { matchPersons } from '../../matcher.ts';
import { factsFromPatient } from '../person-facts.ts';
import type { PopulationDatabaseAdapter, PopulationRecord } from './population-adapter.ts';

export interface VerificationReport {
  records: number;
  verified: number;
  mismatched: number;
  notFound: number;
  unknownCccd: number;
}

const RESULT_TEXT: Record<PopulationRecord['result'], string> = { match: 'Đã xác thực', mismatch: 'Không khớp', 'not-found': 'Không tồn tại trong CSDL dân cư' };

/** "đã xác thực ngày 05/03/2026" from the extension, for the record's header. */
export function verificationLabel(patient: Patient): string | undefined {
  const ext = patient.extension?.find((e) => e.url === Extension.populationVerification);
  const date = ext?.extension?.find((e) => e.url === 'date')?.valueDate;
  const result = ext?.extension?.find((e) => e.url === 'result')?.valueCode;
  if (!date) return undefined;
  const [y, m, d] = date.split('-');
  return result === 'match' ? `đã xác thực ngày ${d}/${m}/${y}` : `xác thực ngày ${d}/${m}/${y}: ${RESULT_TEXT[result as PopulationRecord['result']] ?? result}`;
}

function withVerification(patient: Patient, rec: PopulationRecord, result: PopulationRecord['result']): Patient {
  const others = (patient.extension ?? []).filter((e) => e.url !== Extension.populationVerification);
  return {
    ...patient,
    extension: [
      ...others,
      { url: Extension.populationVerification, extension: [{ url: 'date', valueDate: rec.verifiedOn }, { url: 'result', valueCode: result }] },
    ],
  };
}

export async function verifyPopulation(db: Database, adapter: PopulationDatabaseAdapter, actor: Actor, batchSize = 500): Promise<VerificationReport> {
  const report: VerificationReport = { records: 0, verified: 0, mismatched: 0, notFound: 0, unknownCccd: 0 };
  const p = getSearchParam('Patient', 'identifier')!.key;
  let batch: PopulationRecord[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch;
    batch = [];
    await db.transaction(async (client) => {
      const { rows } = await client.query(
        `SELECT r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.content, t.code
           FROM search_token t JOIN resource r ON r.rid = t.rid AND NOT r.deleted AND r.resource_type = 'Patient'
          WHERE t.p = $1 AND t.system = $2 AND t.code = ANY($3::text[])`,
        [p, IdentifierSystem.cccd, items.map((i) => i.cccd)],
      );
      const byCccd = new Map<string, CurrentRow[]>();
      for (const r of rows) {
        const list = byCccd.get(r.code) ?? [];
        list.push({ rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, content: r.content });
        byCccd.set(r.code, list);
      }
      const plan = new VersionPlan(null);
      const audited: string[] = [];
      for (const rec of items) {
        const found = byCccd.get(rec.cccd);
        if (!found) {
          report.unknownCccd++;
          continue;
        }
        for (const row of found) {
          const patient = JSON.parse(row.content) as Patient & { id: string };
          if (patient.active === false) continue;
          let result = rec.result;
          if (result === 'match' && (rec.fullName || rec.birthDate)) {
            // The database's name and birth date must be the record's (a typo is a mismatch to fix).
            const m = matchPersons(factsFromPatient(patient), { fullName: rec.fullName, birthDate: rec.birthDate, sex: rec.sex, cccd: rec.cccd });
            if (m.decision !== 'link') result = 'mismatch';
          }
          if (result === 'match') report.verified++;
          else if (result === 'mismatch') report.mismatched++;
          else report.notFound++;
          if (plan.write(withVerification(patient, rec, result) as Patient & { id: string }, row)) audited.push(patient.id);
        }
      }
      await insertNewResources(client, plan.inserts);
      await updateExistingResources(client, plan.updates);
      await insertAuditEntries(client, audited.map((id) => ({ action: 'update' as const, outcome: '0' as const, ...agentOf(actor), patientId: id, entityType: 'Patient', entityId: id, reason: 'population-verification' })));
    });
  };
  for await (const rec of adapter.records()) {
    report.records++;
    batch.push(rec);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return report;
}
