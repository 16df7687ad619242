// What an actor may read and write, as data the store turns into SQL (./access-filter-sql.ts).
// The rules (docs/security.md): administrators everything; managers no personal data;
// commune health workers the residents of their commune plus consented records; clinicians
// and clerks what their facility wrote plus consented or break-glass records; residents their
// own record and their proxies'; a facility's client what the facility wrote; a provincial
// system client everything its scopes name.
import { residentPatientIds, type Actor, type StaffActor } from './actor.ts';
import { canAccess, type Interaction } from './scopes.ts';

/**
 * How reads are limited. `limited` is a union (OR) of the listed grants; a resource passes
 * when any one admits it.
 */
export type AccessPolicy =
  | { kind: 'all' }
  | { kind: 'none' }
  | {
      kind: 'limited';
      /** Resources outside every Patient compartment (Organization, Practitioner, …): not personal data. */
      publicResources: boolean;
      /** Resources whose current version this facility wrote (resource.source_facility). */
      facilityWritten?: string;
      /** Compartments of Patients with an address in this commune, current or old code (resource.communes). */
      communeCode?: string;
      /** These Patient compartments. */
      patientIds?: string[];
      /** Compartments for which this staff user holds an active consent or break-glass grant. */
      grantsForUser?: string;
    };

/** A staff user's consented compartments: as values when read with the session, else looked up in SQL. */
function grants(actor: StaffActor): { patientIds: string[] } | { grantsForUser: string } {
  return actor.grantedPatientIds ? { patientIds: actor.grantedPatientIds } : { grantsForUser: actor.userId };
}

export function readPolicy(actor: Actor): AccessPolicy {
  switch (actor.kind) {
    case 'system':
      return { kind: 'all' };
    case 'resident':
      return { kind: 'limited', publicResources: true, patientIds: residentPatientIds(actor) };
    case 'client':
      // Scopes limit the resource types (interactionAllowed); the facility limits the rows.
      return actor.facilityCode ? { kind: 'limited', publicResources: true, facilityWritten: actor.facilityCode } : { kind: 'all' };
    case 'staff':
      switch (actor.role) {
        case 'admin':
          return { kind: 'all' };
        case 'manager':
          return { kind: 'limited', publicResources: true };
        case 'commune-worker':
          return {
            kind: 'limited',
            publicResources: true,
            communeCode: actor.communeCode,
            ...(actor.facilityCode ? { facilityWritten: actor.facilityCode } : {}),
            ...grants(actor),
          };
        case 'clinician':
        case 'clerk':
          return { kind: 'limited', publicResources: true, facilityWritten: actor.facilityCode, ...grants(actor) };
      }
  }
}

/** Resource types a resident may write in their own (or a proxy's) compartment: measurements and their own statements (C5, C6). */
export const RESIDENT_WRITABLE_TYPES: ReadonlySet<string> = new Set(['Observation', 'Patient', 'AllergyIntolerance', 'FamilyMemberHistory']);

/** Whether the actor may perform `interaction` on `resourceType` at all (rows are then filtered by readPolicy). */
export function interactionAllowed(actor: Actor, resourceType: string, interaction: Interaction): boolean {
  switch (actor.kind) {
    case 'system':
      return true;
    case 'client':
      return canAccess(actor.scopes, resourceType, interaction);
    case 'resident':
      if (interaction === 'read' || interaction === 'search') return true;
      return interaction !== 'delete' && RESIDENT_WRITABLE_TYPES.has(resourceType);
    case 'staff':
      if (resourceType === 'AuditEvent') return actor.role === 'admin' && (interaction === 'read' || interaction === 'search');
      if (actor.role === 'manager') return interaction === 'read' || interaction === 'search';
      return true;
  }
}

/**
 * How the actor's writes are stamped and limited: `sourceFacility` is written to
 * resource.source_facility (a facility's staff and clients write only as that facility);
 * `patientIds`, when present, are the only compartments the actor may write into.
 */
export type WriteRule = { allowed: false } | { allowed: true; sourceFacility: string | undefined; patientIds?: string[] };

export function writeRule(actor: Actor): WriteRule {
  switch (actor.kind) {
    case 'system':
      return { allowed: true, sourceFacility: undefined };
    case 'client':
      return { allowed: true, sourceFacility: actor.facilityCode };
    case 'resident':
      return { allowed: true, sourceFacility: undefined, patientIds: residentPatientIds(actor) };
    case 'staff':
      if (actor.role === 'manager') return { allowed: false };
      return { allowed: true, sourceFacility: actor.facilityCode };
  }
}

/** Which audit entries the actor may read: all (administrators), some patients' (residents), or none. */
export function auditReadScope(actor: Actor): { kind: 'all' } | { kind: 'patients'; patientIds: string[] } | { kind: 'none' } {
  if (actor.kind === 'system' || (actor.kind === 'staff' && actor.role === 'admin')) return { kind: 'all' };
  if (actor.kind === 'resident') return { kind: 'patients', patientIds: residentPatientIds(actor) };
  return { kind: 'none' };
}

export { accessFilterSql } from './access-filter-sql.ts';
