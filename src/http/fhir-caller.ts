// Turns the authenticated actor into what the FHIR layer enforces: which rows it may read (a SQL
// condition from the access policy), which interactions it may perform (roles and SMART
// scopes), and as which facility it writes (and into which compartments, for residents).
import type { Resource } from '@medplum/fhirtypes';
import { accessFilterSql, interactionAllowed, readPolicy, writeRule } from '../auth/access-policy.ts';
import type { Actor } from '../auth/actor.ts';
import type { Interaction as ScopeInteraction } from '../auth/scopes.ts';
import { FhirError, issue, outcome } from '../fhir/outcomes.ts';
import { extractIndex } from '../store/indexer.ts';
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

export function callerFor(actor: Actor): AuthorizedCaller {
  const policy = readPolicy(actor);
  const rule = writeRule(actor);
  return {
    actor,
    access:
      policy.kind === 'all'
        ? undefined
        : (alias, sql) => {
            const fragment = accessFilterSql(policy, alias, sql.values.length + 1);
            for (const p of fragment.params) sql.add(p);
            return fragment.sql;
          },
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
