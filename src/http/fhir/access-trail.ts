// What happens after a FHIR interaction besides the response: every access to personal data
// becomes an audit entry (written before the response leaves, so a crash loses none), refusals
// are recorded too, and Patient writes made through the REST API reach the master patient index
// so that later imports match them.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Patient } from '@medplum/fhirtypes';
import { agentOf, type AuditEntryInput } from '../../audit/audit-entry.ts';
import { insertAuditEntries } from '../../audit/audit-log.ts';
import type { Queryable } from '../../store/database.ts';
import type { Actor } from '../../auth/actor.ts';
import type { FhirError } from '../../fhir/outcomes.ts';
import { insertReviewPairs, upsertPersons, type PersonToWrite, type ReviewPair } from '../../identity/mpi/mpi-store.ts';
import type { AccessCondition } from '../../store/search/execute.ts';
import { PatientIdentity, reviewPairs, type CreateDecision, type IdentityMatching } from './patient-identity.ts';
import { insertNewResources, type VersionToWrite } from '../../store/resource-writer.ts';
import { extractIndex } from '../../store/indexer.ts';
import { withResidentId } from '../../pipeline/patient-data.ts';
import { personRow } from '../../identity/mpi/person-row.ts';
import type { AccessRecord } from './request.ts';

const WRITES = new Set(['create', 'update', 'delete']);

export function auditEntriesOf(accesses: AccessRecord[], actor: Actor | undefined, ip: string): AuditEntryInput[] {
  const agent = actor ? agentOf(actor) : { agentKind: 'system' };
  const entries: AuditEntryInput[] = [];
  for (const a of accesses) {
    const patients = [...new Set(a.patientIds.filter((p): p is string => typeof p === 'string' && p.length > 0))];
    // Reads of resources outside every patient record (organisations, value sets) are not
    // personal data; writes are always kept.
    if (patients.length === 0 && !WRITES.has(a.action)) continue;
    const base: AuditEntryInput = {
      action: a.action,
      outcome: '0',
      ...agent,
      ...(a.entityType ? { entityType: a.entityType } : {}),
      ...(a.entityId ? { entityId: a.entityId } : {}),
      ...(a.query ? { query: a.query } : {}),
      sourceIp: ip,
    };
    if (patients.length === 0) entries.push(base);
    for (const patientId of patients) entries.push({ ...base, patientId });
  }
  return entries;
}


async function syncPatientIndex(db: Queryable, accesses: AccessRecord[]): Promise<void> {
  const ids = [...new Set(accesses.filter((a) => a.entityType === 'Patient' && (a.action === 'create' || a.action === 'update') && a.entityId && !a.indexed).map((a) => a.entityId!))];
  if (ids.length === 0) return;
  const { rows } = await db.query<{ id: string; content: string }>(
    `SELECT id, content FROM resource WHERE resource_type = 'Patient' AND id = ANY($1::text[]) AND NOT deleted`,
    [ids],
  );
  await upsertPersons(db, rows.map((r) => personRow(r.id, JSON.parse(r.content) as Patient)));
}

/** A plain create's writes — its version, audit entries and patient index row — committed as one unit. */
export interface CreateUnit {
  versions: VersionToWrite[];
  audit: AuditEntryInput[];
  persons: PersonToWrite[];
  /**
   * A Patient create to be matched (patient-identity.ts) in the transaction that writes it,
   * under the identity locks; `decision` is what the last attempt decided and `stored`, when it
   * created a new person, the Patient JSON as written (with the resident ID it was given).
   */
  identity?: {
    patient: Patient;
    access: AccessCondition | undefined;
    matchAudit: (record: AccessRecord) => AuditEntryInput[];
    decision?: CreateDecision;
    stored?: string;
  };
}

export function createUnitOf(versions: VersionToWrite[], accesses: AccessRecord[], actor: Actor | undefined, ip: string, match?: { access: AccessCondition | undefined }): CreateUnit {
  const recordedAt = new Date();
  // Built from the versions themselves (no re-read), each Patient parsed once.
  const patients = versions.filter((v) => v.resourceType === 'Patient' && v.content).map((v) => ({ id: v.id, resource: JSON.parse(v.content!) as Patient }));
  return {
    versions,
    audit: auditEntriesOf(accesses, actor, ip).map((e) => ({ ...e, recordedAt })),
    persons: patients.map((p) => personRow(p.id, p.resource, true)),
    ...(match && patients[0] && versions.length === 1
      ? { identity: { patient: patients[0].resource, access: match.access, matchAudit: (r: AccessRecord) => auditEntriesOf([r], actor, ip).map((e) => ({ ...e, recordedAt })) } }
      : {}),
  };
}

/**
 * Writes many creates' units in a few statements (the group commit of single creates). Patient
 * units are matched first, together, under their identity locks: a unit that is someone's record
 * writes nothing but the audit entry of the match; the others their version, MPI row and pairs.
 * A unit that is the same person as an earlier unit of the batch is decided in a next round,
 * once that one is written — as if the two had come one after the other.
 */
export async function writeCreateUnits(tx: Queryable, units: CreateUnit[], matching?: IdentityMatching): Promise<void> {
  let round = units;
  while (round.length > 0) {
    const matched = matching ? round.filter((u) => u.identity) : [];
    const existing = new Set<CreateUnit>();
    const later: CreateUnit[] = [];
    const pairs: ReviewPair[] = [];
    const numbered: CreateUnit[] = [];
    if (matched.length > 0) {
      const identity = await PatientIdentity.begin(tx, matching!, matched.map((u) => u.identity!.patient), undefined, true);
      for (const u of matched) {
        const id = u.versions[0]!.id;
        delete u.identity!.stored;
        const decision = await identity.decideCreate(u.identity!.patient, undefined, u.identity!.access);
        if (decision.kind === 'existing' && identity.createdHere(decision.patientId)) {
          later.push(u);
          continue;
        }
        u.identity!.decision = decision;
        if (decision.kind === 'existing') {
          existing.add(u);
          continue;
        }
        identity.add(id, u.identity!.patient);
        pairs.push(...reviewPairs(id, decision.reviews));
        numbered.push(u);
      }
      await identity.reserveResidentIds(numbered.length);
      for (const u of numbered) numberNewPerson(u, await identity.newResidentId());
    }
    const written = round.filter((u) => !existing.has(u) && !later.includes(u));
    await insertNewResources(tx, written.flatMap((u) => u.versions));
    await insertAuditEntries(tx, [
      ...written.flatMap((u) => u.audit),
      ...[...existing].flatMap((u) => {
        const d = u.identity!.decision as Extract<CreateDecision, { kind: 'existing' }>;
        return u.identity!.matchAudit({ action: d.visible ? 'read' : 'search', entityType: 'Patient', entityId: d.patientId, query: 'identity-match', patientIds: [d.patientId] });
      }),
    ]);
    await upsertPersons(tx, written.flatMap((u) => u.persons));
    await insertReviewPairs(tx, pairs);
    round = later;
  }
}

/**
 * A new person of the group commit gets its resident ID here, in the transaction that writes it:
 * its version (JSON and index rows) and MPI row are made again from the Patient as the request
 * prepared it, so that a unit retried alone after its batch failed is numbered afresh.
 */
function numberNewPerson(u: CreateUnit, residentId: string): void {
  const version = u.versions[0]!;
  const patient = withResidentId(u.identity!.patient, residentId);
  const content = JSON.stringify(patient);
  const { rows, compartment } = extractIndex(patient);
  u.versions = [{ ...version, content, index: rows, compartment: compartment ?? null }];
  u.persons = [personRow(version.id, patient, true)];
  u.identity!.stored = content;
}

/** After a read or a batch: audit entries go to the reads' trail (spooled in `hssk serve`, then packed with others). */
export async function afterSuccess(app: FastifyInstance, accesses: AccessRecord[], actor: Actor | undefined, ip: string): Promise<void> {
  const entries = auditEntriesOf(accesses, actor, ip);
  await Promise.all([entries.length > 0 ? app.services.readAudit.recordMany(entries) : undefined, syncPatientIndex(app.db.pool, accesses)]);
}

/** Inside the transaction of a write: its audit entries and patient index changes commit with it. */
export async function afterWrite(tx: Queryable, accesses: AccessRecord[], actor: Actor | undefined, ip: string): Promise<void> {
  const entries = auditEntriesOf(accesses, actor, ip);
  if (entries.length > 0) await insertAuditEntries(tx, entries.map((e) => ({ ...e, recordedAt: new Date() })));
  await syncPatientIndex(tx, accesses);
}

const ACTION_OF: Record<string, AuditEntryInput['action']> = { GET: 'read', HEAD: 'read', POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };

/** A refused request (not signed in, not allowed) is recorded: attempts matter as much as accesses. */
export async function recordRefusal(app: FastifyInstance, err: FhirError, req: FastifyRequest, path: string, actor: Actor | undefined): Promise<void> {
  if (err.status !== 401 && err.status !== 403) return;
  const [entityType, entityId] = path.split('/');
  await app.services.audit.record({
    action: ACTION_OF[req.method] ?? 'read',
    outcome: '4',
    ...(actor ? agentOf(actor) : { agentKind: 'anonymous' }),
    ...(entityType ? { entityType } : {}),
    ...(entityId && !entityId.startsWith('_') && !entityId.startsWith('$') ? { entityId } : {}),
    sourceIp: req.ip,
    detail: { status: err.status },
  });
}
