// The health-book channel's scheduled job (QĐ 1551: a health check reaches the Ministry within 24
// hours): finds health-check Encounters not yet pushed, pushes each as a signed KHAMSUCKHOE file,
// and records the outcome in `healthbook_push` (migration 120). A record marked pushed is never
// pushed again; one run at a time per database (a session advisory lock), so two processes or two
// overlapping runs cannot push the same check twice. Each push is audited (a disclosure of
// personal data to the Ministry); logs carry counts and result codes only.
import type { Encounter, Observation, Patient } from '@medplum/fhirtypes';
import { insertAuditEntries } from '../../audit/audit-log.ts';
import { paramKey } from '../../fhir/search-parameters.ts';
import { ProgramSystem, VISIT_TYPES } from '../../programs/codes.ts';
import type { Database, Queryable } from '../../store/database.ts';
import type { PushAnswer } from './client.ts';
import { healthCheckFile, healthCheckRecordXml } from './record.ts';

const LOCK_KEY = 0x68_4b53_4b; // the job's advisory lock
const DAY_MS = 24 * 3600_000;

export interface HealthBookPusher {
  push(content: string, type: 'xml' | 'json'): Promise<PushAnswer>;
}

export interface PushRun {
  /** False when another run held the lock (nothing done). */
  ran: boolean;
  pushed: number;
  failed: number;
  /** Set when the receiver could not be reached: the run stopped there. */
  unreachable?: string;
}

/** Health-check Encounters (current, not deleted) that have not been pushed, oldest first. */
const PENDING_SQL = `
  SELECT r.id, r.content, r.compartment, r.source_facility, r.last_updated FROM resource r
  LEFT JOIN healthbook_push h ON h.encounter_id = r.id
  WHERE r.resource_type = 'Encounter' AND NOT r.deleted AND h.pushed_at IS NULL
    AND r.rid IN (SELECT rid FROM search_token WHERE p = $1 AND code = $2 AND system = $3)`;

function pendingParams(): unknown[] {
  return [paramKey('Encounter', 'type'), VISIT_TYPES.healthCheck.code, ProgramSystem.visitType];
}

export async function pushPendingHealthChecks(db: Database, pusher: HealthBookPusher, options: { facility: string; limit?: number; now?: () => Date }): Promise<PushRun> {
  const client = await db.pool.connect();
  try {
    const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LOCK_KEY]);
    if (!lock[0]!.ok) return { ran: false, pushed: 0, failed: 0 };
    try {
      return await runLocked(client, pusher, options);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

async function runLocked(db: Queryable, pusher: HealthBookPusher, options: { facility: string; limit?: number; now?: () => Date }): Promise<PushRun> {
  const now = options.now ?? (() => new Date());
  const { rows } = await db.query<{ id: string; content: string; compartment: string | null; source_facility: string | null }>(
    `${PENDING_SQL} ORDER BY r.last_updated LIMIT $4`,
    [...pendingParams(), options.limit ?? 200],
  );
  const run: PushRun = { ran: true, pushed: 0, failed: 0 };
  for (const row of rows) {
    const encounter = JSON.parse(row.content) as Encounter & { id: string };
    const patientId = row.compartment;
    const { rows: parts } = await db.query<{ resource_type: string; content: string }>(
      `SELECT resource_type, content FROM resource
        WHERE NOT deleted AND ((resource_type = 'Patient' AND id = $1)
          OR (resource_type = 'Observation' AND rid IN (SELECT rid FROM search_reference WHERE p = $2 AND target_type = 'Encounter' AND target_id = $3)))`,
      [patientId, paramKey('Observation', 'encounter'), encounter.id],
    );
    const patient = parts.find((p) => p.resource_type === 'Patient');
    const observations = parts.filter((p) => p.resource_type === 'Observation').map((p) => JSON.parse(p.content) as Observation);
    // MACSKCB: the facility that recorded the check (mã CSKCB), else the pushing facility's ID.
    const facility = row.source_facility ?? options.facility;
    const file = healthCheckFile(healthCheckRecordXml(encounter, patient ? (JSON.parse(patient.content) as Patient) : undefined, observations, facility), facility, now());
    let answer: PushAnswer;
    try {
      answer = await pusher.push(file, 'xml');
    } catch (err) {
      // Login refused or the receiver unreachable: every other check would fail the same way.
      run.unreachable = (err as Error).message.slice(0, 200);
      await recordAttempt(db, encounter.id, patientId, undefined, run.unreachable);
      break;
    }
    if (answer.ok) {
      await recordAttempt(db, encounter.id, patientId, answer.transactionId, null);
      await insertAuditEntries(db, [{
        action: 'export', outcome: '0', agentKind: 'system', entityType: 'Encounter', entityId: encounter.id,
        ...(patientId ? { patientId } : {}), detail: { healthbook: true, transactionId: answer.transactionId },
      }]);
      run.pushed++;
    } else {
      await recordAttempt(db, encounter.id, patientId, undefined, `${answer.status} ${answer.code ?? ''}`.trim());
      run.failed++;
    }
  }
  return run;
}

async function recordAttempt(db: Queryable, encounterId: string, patientId: string | null, transactionId: string | undefined, error: string | null): Promise<void> {
  await db.query(
    `INSERT INTO healthbook_push (encounter_id, patient_id, pushed_at, transaction_id, attempts, last_attempt_at, last_error)
     VALUES ($1, $2, CASE WHEN $3::text IS NULL THEN NULL ELSE now() END, $3, 1, now(), $4)
     ON CONFLICT (encounter_id) DO UPDATE SET pushed_at = EXCLUDED.pushed_at, transaction_id = EXCLUDED.transaction_id,
       attempts = healthbook_push.attempts + 1, last_attempt_at = now(), last_error = EXCLUDED.last_error`,
    [encounterId, patientId, transactionId ?? null, error],
  );
}

export interface HealthBookCounts {
  pending: number;
  /** Pending checks written more than 24 hours ago (QĐ 1551's limit passed). */
  overdue: number;
  pushed: number;
  /** Pending checks with at least one failed attempt. */
  failing: number;
  lastPushAt: string | null;
  lastError: string | null;
}

export async function healthBookCounts(db: Queryable, now = new Date()): Promise<HealthBookCounts> {
  const { rows } = await db.query<{ pending: string; overdue: string }>(
    `SELECT count(*) AS pending, count(*) FILTER (WHERE p.last_updated < $4) AS overdue FROM (${PENDING_SQL}) p`,
    [...pendingParams(), new Date(now.getTime() - DAY_MS)],
  );
  const { rows: h } = await db.query<{ pushed: string; failing: string; last_push: Date | null; last_error: string | null }>(
    `SELECT count(*) FILTER (WHERE pushed_at IS NOT NULL) AS pushed,
            count(*) FILTER (WHERE pushed_at IS NULL) AS failing,
            max(pushed_at) AS last_push,
            (SELECT last_error FROM healthbook_push WHERE pushed_at IS NULL ORDER BY last_attempt_at DESC LIMIT 1) AS last_error
     FROM healthbook_push`,
  );
  return {
    pending: Number(rows[0]!.pending),
    overdue: Number(rows[0]!.overdue),
    pushed: Number(h[0]!.pushed),
    failing: Number(h[0]!.failing),
    lastPushAt: h[0]!.last_push?.toISOString() ?? null,
    lastError: h[0]!.last_error,
  };
}
