// Turns the authenticated actor into what the FHIR layer enforces: which rows it may read (a SQL
// condition from the access policy), which interactions it may perform (roles and SMART
// scopes), and as which facility it writes (and into which compartments, for residents).
import type { Resource } from '@medplum/fhirtypes';
import { accessFilterSql, interactionAllowed, readPolicy, writeRule } from '../auth/access-policy.ts';
import type { Actor } from '../auth/actor.ts';
import type { Interaction as ScopeInteraction } from '../auth/scopes.ts';
import type { SessionGate } from '../auth/session-cache.ts';
import { FhirError, issue, outcome } from '../fhir/outcomes.ts';
import { extractIndex } from '../store/indexer.ts';
import { SqlParams } from '../store/search/conditions.ts';
import type { AccessCondition } from '../store/search/execute.ts';
import type { FhirCaller, Interaction } from './fhir/request.ts';

const SCOPE_OF: Record<Interaction, ScopeInteraction | undefined> = {
  read: 'read',
  vread: 'read',
  history: 'read',
  everything: 'read',
  search: 'search',
  create: 'create',
  update: 'update',
  patch: 'update',
  delete: 'delete',
  capabilities: undefined,
};

const WRITES = new Set<Interaction>(['create', 'update', 'patch', 'delete']);

function forbidden(text: string): FhirError {
  return new FhirError(403, outcome(issue('forbidden', text)));
}

export interface AuthorizedCaller extends FhirCaller {
  actor: Actor;
}

/** The read rule as a condition on a resource row; with a cached session, its check rides in it. */
function accessCondition(actor: Actor, gate: SessionGate | undefined): AccessCondition | undefined {
  const policy = readPolicy(actor);
  if (policy.kind === 'all') return undefined;
  const rows = (alias: string, sql: SqlParams): string => {
    const fragment = accessFilterSql(policy, alias, sql.values.length + 1);
    for (const p of fragment.params) sql.add(p);
    return fragment.sql;
  };
  if (!gate) return rows;
  // A gating qual (no column in it): PostgreSQL evaluates it once per statement, before any row,
  // and a statement that reads anything for this caller cannot complete if the session changed.
  // It tests what another process can change, the session's revocation and generation (the time
  // limits are the process's: SessionGate.validUntil). In a prepared statement (a read by id) it
  // is the session row's probe, an InitPlan; a probe filters and cannot raise, so a read that
  // finds nothing asks hssk_session_gate (`confirm`) whether the session changed or the row is
  // just not there. A search is planned on every execution and finds nothing often: it calls
  // the function, which raises HS401 itself (docs/benchmarks.md, "Authorisation and audit").
  const call = (sql: SqlParams): string => `hssk_session_gate(${sql.add(gate.tokenHash)}::bytea, ${sql.add(gate.generation)}::bigint)`;
  const condition: AccessCondition = (alias, sql) => `${call(sql)} AND ${rows(alias, sql)}`;
  condition.gate = call;
  condition.rows = rows;
  condition.probe = (sql) =>
    `EXISTS (SELECT 1 FROM user_session WHERE token_hash = ${sql.add(gate.tokenHash)}::bytea AND generation = ${sql.add(gate.generation)}::bigint AND revoked_at IS NULL)`;
  condition.confirm = async (db) => {
    const sql = new SqlParams();
    await db.query(`SELECT ${call(sql)}`, sql.values);
  };
  return condition;
}

/**
 * `gate`: the session came from memory (auth/session-cache.ts), so every statement that reads
 * for this caller checks it; only for callers whose reads are limited by a condition.
 */
export function callerFor(actor: Actor, gate?: SessionGate): AuthorizedCaller {
  const rule = writeRule(actor);
  const access = accessCondition(actor, gate);
  if (gate && !access) throw new Error('a cached session needs an access condition to carry its check');
  return {
    actor,
    ...(access ? { access } : {}),
    sourceFacility: rule.allowed ? (rule.sourceFacility ?? null) : null,
    ...(actor.kind === 'resident' ? { selfReporter: actor.patientId } : {}),
    authorize(interaction, resourceType, resource) {
      const scope = SCOPE_OF[interaction];
      if (!scope) return;
      if (resourceType && !interactionAllowed(actor, resourceType, scope)) {
        throw forbidden(`Không có quyền ${interaction} trên ${resourceType} (not allowed for this account or client)`);
      }
      if (!resourceType && actor.kind !== 'system' && !(actor.kind === 'staff' && actor.role === 'admin')) {
        throw forbidden('Chỉ quản trị viên mới được truy vấn toàn hệ thống (system-wide queries are for administrators)');
      }
      if (!WRITES.has(interaction)) return;
      if (!rule.allowed) throw forbidden('Tài khoản này chỉ được xem số liệu tổng hợp (this account may not write)');
      if (rule.patientIds && resource) {
        // Residents write only into their own (or their children's) record.
        const r = resource as Resource;
        const compartment = r.resourceType === 'Patient' ? r.id : extractIndex({ ...r, id: r.id ?? 'new' } as Resource).compartment;
        if (!compartment || !rule.patientIds.includes(compartment)) {
          throw forbidden('Chỉ được ghi vào hồ sơ của chính mình hoặc của con (only your own or your child’s record)');
        }
      }
    },
  };
}
