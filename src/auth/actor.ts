// Who is making a request. Every request has exactly one actor (deny by default: no actor,
// no data). Built by authenticateRequest (./authenticate.ts) from a bearer token or a session.

export const STAFF_ROLES = ['admin', 'manager', 'commune-worker', 'clinician', 'clerk'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffActor {
  kind: 'staff';
  userId: string;
  username: string;
  role: StaffRole;
  /** Mã CSKCB of the facility a clinician or clerk works at (commune workers: their station). */
  facilityCode?: string;
  /** Commune (2025 code) whose residents a commune health worker looks after. */
  communeCode?: string;
  practitionerId?: string;
  practitionerRoleId?: string;
  /**
   * Compartments this user holds an active consent or break-glass grant for, read with the
   * session — at the start of the request, or earlier for a session kept in memory, whose
   * statements then check that no grant changed since (auth/session-cache.ts).
   * Absent when not read (an actor built elsewhere): the access rule then reads consent_grant.
   */
  grantedPatientIds?: string[];
}

export interface ResidentActor {
  kind: 'resident';
  userId: string;
  patientId: string;
  /** The children (or others) this resident acts for. */
  proxyPatientIds: string[];
}

export interface ClientActor {
  kind: 'client';
  clientId: string;
  /** A facility's client writes only as that facility; none: a provincial system client. */
  facilityCode?: string;
  scopes: string[];
}

export interface SystemActor {
  kind: 'system';
  /** What runs (e.g. 'cli:import', 'job:reminders'): recorded in the audit trail. */
  name: string;
}

export type Actor = StaffActor | ResidentActor | ClientActor | SystemActor;

/** The patients a resident may act for: themselves first, then their proxies. */
export function residentPatientIds(actor: ResidentActor): string[] {
  return [actor.patientId, ...actor.proxyPatientIds.filter((id) => id !== actor.patientId)];
}

/** The id the audit trail records as the agent. */
export function actorId(actor: Actor): string {
  switch (actor.kind) {
    case 'staff':
    case 'resident':
      return actor.userId;
    case 'client':
      return actor.clientId;
    case 'system':
      return actor.name;
  }
}

export function actorRole(actor: Actor): string {
  return actor.kind === 'staff' ? actor.role : actor.kind;
}

export function actorFacility(actor: Actor): string | undefined {
  return actor.kind === 'staff' || actor.kind === 'client' ? actor.facilityCode : undefined;
}

export { authenticateRequest, type AuthenticateDeps } from './authenticate.ts';
