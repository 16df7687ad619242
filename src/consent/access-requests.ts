// In-app approval (C4): a clinician's request to see a record, which the resident (or the parent
// of a child) approves or declines in the residents' app instead of reading out the SMS code.
// Approval makes the same Consent and grant as a correct OTP (method 'app'), audited as such;
// a decline ends the request and is audited too. Only the record's resident or proxy decides.
import { agentOf } from '../audit/audit-entry.ts';
import { residentPatientIds, type Actor, type ResidentActor } from '../auth/actor.ts';
import { AuthError } from '../auth/errors.ts';
import { findStaffUserById, staffActor } from '../auth/staff-users.ts';
import { decideAccessRequest, findAccessRequest, linkGrant, pendingRequestsFor, undoApproval, type AccessRequest } from './access-request-store.ts';
import { grantConsent, type ConsentDeps } from './consent-service.ts';
import type { Grant } from './grants.ts';

/** Roles whose requests can be approved: the same as those who may ask (consent-service REQUESTERS). */
const REQUESTERS = new Set(['clinician', 'commune-worker']);

function requireResident(actor: Actor): ResidentActor {
  if (actor.kind !== 'resident') throw new AuthError('forbidden');
  return actor;
}

/** The pending requests on the resident's own record and their proxies' records. */
export async function listAccessRequests(deps: Pick<ConsentDeps, 'db'>, actor: Actor): Promise<AccessRequest[]> {
  return pendingRequestsFor(deps.db, residentPatientIds(requireResident(actor)));
}

/** A request on a record this resident may decide for; another resident's looks like none. */
async function ownRequest(deps: Pick<ConsentDeps, 'db'>, resident: ResidentActor, id: string): Promise<AccessRequest> {
  const request = await findAccessRequest(deps.db, id);
  if (!request || !residentPatientIds(resident).includes(request.patientId)) throw new AuthError('consent-not-found');
  return request;
}

function hoursWithin(requested: number | undefined, fallback: number, max: number): number {
  const hours = requested ?? fallback;
  if (!Number.isFinite(hours) || hours <= 0 || hours > max) throw new AuthError('invalid-request', `Thời hạn phải từ 1 đến ${max} giờ.`);
  return hours;
}

export async function approveAccessRequest(deps: ConsentDeps, actor: Actor, id: string, request: { hours?: number }, ip: string | undefined): Promise<{ request: AccessRequest; grant: Grant }> {
  const resident = requireResident(actor);
  const hours = hoursWithin(request.hours, deps.config.consentHours, deps.config.consentMaxHours);
  const asked = await ownRequest(deps, resident, id);
  // The grant goes to the clinician as they are now: a disabled account or a changed role gets nothing.
  const user = await findStaffUserById(deps.db, asked.requesterUserId);
  if (!user || user.disabled || !REQUESTERS.has(user.role)) throw new AuthError('request-closed');
  const decided = await decideAccessRequest(deps.db, id, 'approved', resident.patientId);
  if (!decided) throw new AuthError('request-closed');
  try {
    const grant = await grantConsent(deps, staffActor(user), decided.patientId, resident.patientId, 'app', hours, ip);
    await linkGrant(deps.db, id, grant.id);
    return { request: { ...decided, grantId: grant.id }, grant };
  } catch (err) {
    await undoApproval(deps.db, id);
    throw err;
  }
}

export async function declineAccessRequest(deps: ConsentDeps, actor: Actor, id: string, ip: string | undefined): Promise<AccessRequest> {
  const resident = requireResident(actor);
  await ownRequest(deps, resident, id);
  const decided = await decideAccessRequest(deps.db, id, 'declined', resident.patientId);
  if (!decided) throw new AuthError('request-closed');
  await deps.audit.record({
    action: 'consent-revoke',
    outcome: '0',
    ...agentOf(resident),
    patientId: decided.patientId,
    entityType: 'ConsentRequest',
    entityId: decided.id,
    ...(ip ? { sourceIp: ip } : {}),
    detail: { request: 'declined', requester: decided.requesterUserId },
  });
  return decided;
}
