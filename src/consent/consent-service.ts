// Consent (C4): a clinician gets access to a resident's record by an OTP sent to the phone on
// the record, or by a share code the resident shows; each creates a FHIR Consent and a grant.
// Residents list and revoke; break-glass opens a record in an emergency, with a reason, for a
// few hours, flagged and shown to the resident and administrators. Every step is audited.
import { agentOf } from '../audit/audit-entry.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { residentPatientIds, type Actor, type ResidentActor, type StaffActor } from '../auth/actor.ts';
import type { AuthConfig } from '../auth/auth-config.ts';
import { AuthError } from '../auth/errors.ts';
import type { FhirWriter } from '../auth/fhir-writer.ts';
import { issueOtp, verifyOtp } from '../auth/otp.ts';
import type { PatientDirectory } from '../auth/patient-directory.ts';
import { hitRateLimit, rateKey } from '../auth/rate-limit.ts';
import { newId } from '../auth/secrets.ts';
import { maskPhone } from '../sms/phone.ts';
import type { SmsSender } from '../sms/sms-sender.ts';
import type { Queryable } from '../store/database.ts';
import { recordAccessRequest } from './access-request-store.ts';
import { buildConsent } from './consent-resource.ts';
import { activeGrantsOfUser, breakGlassGrants, findGrant, grantsForPatients, insertGrant, revokeGrant, type Grant } from './grants.ts';
import { residentKeyLookups } from './resident-key.ts';
import { consumeShareCode, storeShareCode } from './share-codes.ts';

export interface ConsentDeps {
  db: Queryable;
  config: AuthConfig;
  sms: SmsSender;
  patients: PatientDirectory;
  fhir: FhirWriter;
  audit: AuditLog;
}

/** Roles that may ask for consent: those who treat people (clinicians, commune health workers). */
const REQUESTERS = new Set(['clinician', 'commune-worker']);

function requireRequester(actor: Actor): StaffActor {
  if (actor.kind !== 'staff' || !REQUESTERS.has(actor.role)) throw new AuthError('forbidden');
  return actor;
}

function requireResident(actor: Actor): ResidentActor {
  if (actor.kind !== 'resident') throw new AuthError('forbidden');
  return actor;
}

function hoursWithin(requested: number | undefined, fallback: number, max: number): number {
  const hours = requested ?? fallback;
  if (!Number.isFinite(hours) || hours <= 0 || hours > max) throw new AuthError('invalid-request', `Thời hạn phải từ 1 đến ${max} giờ.`);
  return hours;
}

const consentMessage = (facility: string | undefined) => (code: string) =>
  `HSSK: Co so y te ${facility ?? ''} de nghi xem ho so suc khoe cua ban. Neu dong y, hay doc ma ${code} cho nhan vien y te (het han sau 5 phut).`;

/** Whom the clinician asks about: the record they see (its id) or a key they were told. */
export type ConsentSubject = { patientId: string } | { identifier: string };

/** OTP requests by key per staff user and window: enough for a day's patients, not for a sweep. */
const KEY_REQUESTS_PER_WINDOW = 30;

/** The clinician asks; the code goes to the phone on the resident's record. Returns the masked phone. */
export async function requestConsentOtp(deps: ConsentDeps, actor: Actor, patientId: string, ip: string | undefined): Promise<{ phone: string }> {
  const staff = requireRequester(actor);
  const patient = await deps.patients.byId(patientId);
  if (!patient) throw new AuthError('patient-not-found');
  const phone = patient.phones[0];
  if (!phone) throw new AuthError('no-phone');
  await issueOtp(deps, { purpose: 'consent', subject: `${patient.id}:${staff.userId}`, phone, ip, message: consentMessage(staff.facilityCode) });
  await recordAccessRequest(deps.db, staff, patient.id);
  return { phone: maskPhone(phone) };
}

/**
 * The clinician asks by CCCD, resident ID or BHYT card, for a resident whose record they cannot
 * see. The answer is the same whether or not such a record exists or has a phone: the limits are
 * counted before the lookup, and `done` (lookup and SMS) is not awaited by the HTTP route, so
 * neither the answer nor its timing tells the caller anything about the person.
 */
export async function requestConsentOtpByKey(deps: ConsentDeps, actor: Actor, key: string, ip: string | undefined): Promise<{ done: Promise<void> }> {
  const staff = requireRequester(actor);
  const lookups = residentKeyLookups(key);
  if (!lookups) throw new AuthError('invalid-request', 'Hãy nhập số CCCD (12 chữ số), mã HSSK (HS + 12 ký tự) hoặc mã thẻ BHYT.');
  await hitRateLimit(deps.db, rateKey('consent-key', staff.userId), KEY_REQUESTS_PER_WINDOW, deps.config.otpWindowSeconds);
  if (ip) await hitRateLimit(deps.db, rateKey('otp-ip', ip), deps.config.otpPerIp, deps.config.otpWindowSeconds);
  const done = (async () => {
    const patient = await findByKey(deps, key);
    const phone = patient?.phones[0];
    if (!patient || !phone) return;
    await issueOtp(deps, { purpose: 'consent', subject: `${patient.id}:${staff.userId}`, phone, ip: undefined, message: consentMessage(staff.facilityCode) }).catch((err: unknown) => {
      // A phone past its limit gets no more codes; the caller is not told (it would reveal the record).
      if (!(err instanceof AuthError)) throw err;
    });
    await recordAccessRequest(deps.db, staff, patient.id);
  })();
  return { done };
}

async function findByKey(deps: Pick<ConsentDeps, 'patients'>, key: string) {
  for (const { system, value } of residentKeyLookups(key) ?? []) {
    const found = await deps.patients.byIdentifier(system, value);
    if (found) return found;
  }
  return undefined;
}

/** The record a consent request is about; a key that finds none fails like a wrong code. */
async function subjectPatientId(deps: ConsentDeps, subject: ConsentSubject): Promise<string | undefined> {
  if ('patientId' in subject) return subject.patientId;
  return (await findByKey(deps, subject.identifier))?.id;
}

/** Creates the FHIR Consent and the grant, audited; shared by the OTP, share code and in-app approval. */
export async function grantConsent(
  deps: ConsentDeps,
  staff: StaffActor,
  patientId: string,
  performerPatientId: string,
  method: 'otp' | 'share-code' | 'app',
  hours: number,
  ip: string | undefined,
): Promise<Grant> {
  const starts = new Date();
  const expires = new Date(starts.getTime() + hours * 3_600_000);
  const facts = {
    patientId,
    performerPatientId,
    granteeUserId: staff.userId,
    starts,
    expires,
    method,
    status: 'active' as const,
    ...(staff.practitionerId ? { practitionerId: staff.practitionerId } : {}),
    ...(staff.facilityCode ? { facilityCode: staff.facilityCode } : {}),
  };
  const { id: consentId } = await deps.fhir.create(buildConsent(facts));
  const grant = await insertGrant(deps.db, { id: newId(), kind: 'consent', consentId, ...facts });
  await deps.audit.record({
    action: 'consent-grant',
    outcome: '0',
    ...agentOf(staff),
    patientId,
    entityType: 'Consent',
    entityId: consentId,
    ...(ip ? { sourceIp: ip } : {}),
    detail: { method, hours },
  });
  return grant;
}

/** The clinician enters the code the resident read out (with the record id or the key they asked with). */
export async function verifyConsentOtp(deps: ConsentDeps, actor: Actor, request: ConsentSubject & { code: string; hours?: number }, ip: string | undefined): Promise<Grant> {
  const staff = requireRequester(actor);
  const hours = hoursWithin(request.hours, deps.config.consentHours, deps.config.consentMaxHours);
  const patientId = await subjectPatientId(deps, request);
  try {
    if (!patientId) throw new AuthError('invalid-otp');
    await verifyOtp(deps, 'consent', `${patientId}:${staff.userId}`, request.code);
  } catch (err) {
    await deps.audit.record({ action: 'consent-grant', outcome: '4', ...agentOf(staff), ...(patientId ? { patientId } : {}), ...(ip ? { sourceIp: ip } : {}), detail: { method: 'otp' } });
    throw err;
  }
  return grantConsent(deps, staff, patientId, patientId, 'otp', hours, ip);
}

/** The resident makes a share code for their own record or a proxy's. */
export async function createShareCode(deps: ConsentDeps, actor: Actor, request: { patientId?: string; minutes?: number; hours?: number }): Promise<{ code: string; expiresAt: Date; patientId: string }> {
  const resident = requireResident(actor);
  const patientId = request.patientId ?? resident.patientId;
  if (!residentPatientIds(resident).includes(patientId)) throw new AuthError('forbidden');
  const minutes = request.minutes ?? deps.config.shareCodeMinutes;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) throw new AuthError('invalid-request', 'Mã chia sẻ có hiệu lực từ 1 đến 60 phút.');
  const hours = hoursWithin(request.hours, deps.config.consentHours, deps.config.consentMaxHours);
  const created = await storeShareCode(deps.db, patientId, resident.patientId, minutes, hours);
  return { ...created, patientId };
}

/** The clinician enters (or scans) the share code. Guesses are limited per user. */
export async function redeemShareCode(deps: ConsentDeps, actor: Actor, code: string, ip: string | undefined): Promise<Grant> {
  const staff = requireRequester(actor);
  await hitRateLimit(deps.db, rateKey('share-code', staff.userId), 10, 900);
  let shared;
  try {
    shared = await consumeShareCode(deps.db, code);
  } catch (err) {
    await deps.audit.record({ action: 'consent-grant', outcome: '4', ...agentOf(staff), ...(ip ? { sourceIp: ip } : {}), detail: { method: 'share-code' } });
    throw err;
  }
  return grantConsent(deps, staff, shared.patientId, shared.createdBy, 'share-code', shared.hours, ip);
}

/** A resident's consents and break-glass accesses on their own and their proxies' records; a staff user's active grants. */
export async function listConsents(deps: Pick<ConsentDeps, 'db'>, actor: Actor): Promise<Grant[]> {
  if (actor.kind === 'resident') return grantsForPatients(deps.db, residentPatientIds(actor));
  if (actor.kind === 'staff') return activeGrantsOfUser(deps.db, actor.userId);
  throw new AuthError('forbidden');
}

/** The resident (or an administrator) ends a consent; the next request of the clinician is refused. */
export async function revokeConsent(deps: ConsentDeps, actor: Actor, grantId: string, ip: string | undefined): Promise<Grant> {
  const grant = await findGrant(deps.db, grantId);
  const allowed =
    grant !== undefined &&
    ((actor.kind === 'resident' && residentPatientIds(actor).includes(grant.patientId)) || (actor.kind === 'staff' && actor.role === 'admin'));
  if (!grant || !allowed) throw new AuthError('consent-not-found');
  const by = actor.kind === 'resident' || actor.kind === 'staff' ? actor.userId : 'system';
  if (await revokeGrant(deps.db, grant.id, by)) {
    if (grant.consentId && grant.kind === 'consent') {
      const consent = buildConsent({
        patientId: grant.patientId,
        performerPatientId: grant.performerPatientId ?? grant.patientId,
        granteeUserId: grant.granteeUserId,
        starts: grant.starts,
        expires: grant.expires,
        method: grant.method === 'break-glass' ? 'otp' : grant.method,
        status: 'inactive',
        ...(grant.practitionerId ? { practitionerId: grant.practitionerId } : {}),
        ...(grant.facilityCode ? { facilityCode: grant.facilityCode } : {}),
      });
      await deps.fhir.update({ ...consent, id: grant.consentId });
    }
    await deps.audit.record({
      action: 'consent-revoke',
      outcome: '0',
      ...agentOf(actor),
      patientId: grant.patientId,
      ...(grant.consentId ? { entityType: 'Consent', entityId: grant.consentId } : {}),
      ...(ip ? { sourceIp: ip } : {}),
    });
  }
  return (await findGrant(deps.db, grant.id))!;
}

const breakGlassMessage = (facility: string | undefined) =>
  `HSSK: Ho so suc khoe cua ban vua duoc co so y te ${facility ?? ''} truy cap khan cap. Xem chi tiet trong muc "Ai da xem ho so" cua tai khoan.`;

/** Emergency access: a clinician, a stated reason, at most breakGlassHours. */
export async function breakGlass(deps: ConsentDeps, actor: Actor, request: { patientId: string; reason: string; hours?: number }, ip: string | undefined): Promise<Grant> {
  if (actor.kind !== 'staff' || actor.role !== 'clinician') throw new AuthError('forbidden');
  const reason = request.reason.trim();
  if (reason.length < 10) throw new AuthError('reason-required');
  const hours = hoursWithin(request.hours, deps.config.breakGlassHours, deps.config.breakGlassHours);
  const patient = await deps.patients.byId(request.patientId);
  if (!patient) throw new AuthError('patient-not-found');
  const starts = new Date();
  const grant = await insertGrant(deps.db, {
    id: newId(),
    patientId: patient.id,
    granteeUserId: actor.userId,
    starts,
    expires: new Date(starts.getTime() + hours * 3_600_000),
    kind: 'break-glass',
    method: 'break-glass',
    reason,
    ...(actor.facilityCode ? { facilityCode: actor.facilityCode } : {}),
    ...(actor.practitionerId ? { practitionerId: actor.practitionerId } : {}),
  });
  await deps.audit.record({ action: 'break-glass', outcome: '0', ...agentOf(actor), patientId: patient.id, reason, ...(ip ? { sourceIp: ip } : {}), detail: { hours } });
  // The notice is a courtesy; the access stands (and is audited) even if the SMS fails.
  if (patient.phones[0]) await deps.sms.send(patient.phones[0], breakGlassMessage(actor.facilityCode)).catch(() => undefined);
  return grant;
}

/** Administrators review break-glass accesses. */
export async function listBreakGlass(deps: Pick<ConsentDeps, 'db'>, actor: Actor, since: Date): Promise<Grant[]> {
  if (!(actor.kind === 'system' || (actor.kind === 'staff' && actor.role === 'admin'))) throw new AuthError('forbidden');
  return breakGlassGrants(deps.db, since);
}
