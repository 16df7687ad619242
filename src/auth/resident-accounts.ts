// Resident accounts (C1). Issued at a facility (staff start it; the activation code goes by SMS
// to the phone on the Patient record) or requested by the resident with CCCD + phone (the code
// goes only to a phone already on the record; the answer never says whether the CCCD exists).
// Sign-in by phone + password, or by a code sent by SMS.
import type { Queryable } from '../store/database.ts';
import { maskPhone, normalisePhone } from '../sms/phone.ts';
import type { SmsSender } from '../sms/sms-sender.ts';
import type { ResidentActor, StaffActor } from './actor.ts';
import type { AuthConfig } from './auth-config.ts';
import { AuthError } from './errors.ts';
import { isLocked, recordFailure, recordSuccess } from './lockout.ts';
import { issueOtp, verifyOtp } from './otp.ts';
import { checkPasswordStrength, hashPassword, verifyAgainstDummy, verifyPassword } from './password.ts';
import { CCCD_SYSTEM, type PatientDirectory } from './patient-directory.ts';
import { proxyPatientIds } from './proxies.ts';
import { hitRateLimit, rateKey } from './rate-limit.ts';
import { newId } from './secrets.ts';

export interface ResidentDeps {
  db: Queryable;
  config: AuthConfig;
  sms: SmsSender;
  patients: PatientDirectory;
}

export interface ResidentAccount {
  id: string;
  patientId: string;
  phone: string;
  status: 'pending' | 'active' | 'disabled';
}

// SMS texts without diacritics: GSM-7 fits 160 characters in one message, UCS-2 only 70.
const activationMessage = (code: string) =>
  `HSSK: Ma kich hoat tai khoan ho so suc khoe cua ban la ${code}, het han sau 5 phut. Khong chia se ma nay cho bat ky ai.`;
const loginMessage = (code: string) => `HSSK: Ma dang nhap cua ban la ${code}, het han sau 5 phut. Khong chia se ma nay cho bat ky ai.`;

async function accountBy(db: Queryable, column: 'id' | 'patient_id' | 'phone', value: string): Promise<(ResidentAccount & { passwordHash: string | null; lockedUntil: Date | null }) | undefined> {
  const { rows } = await db.query<{ id: string; patient_id: string; phone: string; status: ResidentAccount['status']; password_hash: string | null; locked_until: Date | null }>(
    `SELECT id, patient_id, phone, status, password_hash, locked_until FROM resident_account WHERE ${column} = $1`,
    [value],
  );
  const r = rows[0];
  return r && { id: r.id, patientId: r.patient_id, phone: r.phone, status: r.status, passwordHash: r.password_hash, lockedUntil: r.locked_until };
}

/** Creates (or re-sends the code of) a pending account for the patient, at the phone of the record. */
async function openAccount(deps: ResidentDeps, patientId: string, phone: string, createdBy: string, ip: string | undefined, rateLimited: boolean): Promise<ResidentAccount> {
  const existing = await accountBy(deps.db, 'patient_id', patientId);
  if (existing && existing.status !== 'pending') throw new AuthError('account-exists');
  const phoneOwner = await accountBy(deps.db, 'phone', phone);
  if (phoneOwner && phoneOwner.patientId !== patientId) throw new AuthError('phone-in-use');
  const account: ResidentAccount = existing ?? { id: newId(), patientId, phone, status: 'pending' };
  if (!existing) {
    await deps.db.query("INSERT INTO resident_account (id, patient_id, phone, status, created_by) VALUES ($1, $2, $3, 'pending', $4)", [
      account.id,
      patientId,
      phone,
      createdBy,
    ]);
  } else if (existing.phone !== phone) {
    await deps.db.query('UPDATE resident_account SET phone = $2 WHERE id = $1', [account.id, phone]);
    account.phone = phone;
  }
  await issueOtp(deps, { purpose: 'activation', subject: account.id, phone, ip, message: activationMessage, alreadyCounted: !rateLimited });
  return account;
}

/** Staff start an account at the facility; the code goes to the first phone of the record. */
export async function startResidentAccount(deps: ResidentDeps, staff: StaffActor, patientId: string, ip: string | undefined): Promise<{ accountId: string; phone: string }> {
  const patient = await deps.patients.byId(patientId);
  if (!patient) throw new AuthError('patient-not-found');
  const phone = patient.phones[0];
  if (!phone) throw new AuthError('no-phone');
  const account = await openAccount(deps, patient.id, phone, `staff:${staff.userId}`, ip, true);
  return { accountId: account.id, phone: maskPhone(phone) };
}

/**
 * A resident asks for an account with CCCD + phone. The limits are counted before anything is
 * looked up, and the caller answers the same way whatever happens: `done` settles when the
 * (possible) code has been sent, and is not awaited by the HTTP route (timing reveals nothing).
 */
export async function requestResidentAccount(deps: ResidentDeps, request: { cccd: string; phone: string }, ip: string | undefined): Promise<{ done: Promise<void> }> {
  const phone = normalisePhone(request.phone);
  if (ip) await hitRateLimit(deps.db, rateKey('otp-ip', ip), deps.config.otpPerIp, deps.config.otpWindowSeconds);
  if (phone) await hitRateLimit(deps.db, rateKey('otp-phone', phone), deps.config.otpPerPhone, deps.config.otpWindowSeconds);
  const done = (async () => {
    if (!phone || !/^\d{12}$/.test(request.cccd)) return;
    const patient = await deps.patients.byIdentifier(CCCD_SYSTEM, request.cccd);
    if (!patient || !patient.phones.includes(phone)) return;
    await openAccount(deps, patient.id, phone, 'self', ip, false).catch((err: unknown) => {
      if (!(err instanceof AuthError)) throw err;
    });
  })();
  return { done };
}

/** The resident enters the code and chooses a password. */
export async function activateResidentAccount(deps: Omit<ResidentDeps, 'sms' | 'patients'>, request: { phone: string; code: string; password: string }): Promise<ResidentAccount> {
  checkPasswordStrength(request.password);
  const phone = normalisePhone(request.phone);
  const account = phone ? await accountBy(deps.db, 'phone', phone) : undefined;
  if (!account || account.status !== 'pending') throw new AuthError('invalid-otp');
  await verifyOtp(deps, 'activation', account.id, request.code);
  await deps.db.query("UPDATE resident_account SET password_hash = $2, status = 'active', activated_at = now() WHERE id = $1", [
    account.id,
    await hashPassword(request.password),
  ]);
  return { id: account.id, patientId: account.patientId, phone: account.phone, status: 'active' };
}

export async function loginResident(deps: Omit<ResidentDeps, 'sms' | 'patients'>, request: { phone: string; password: string }): Promise<ResidentAccount> {
  const phone = normalisePhone(request.phone);
  const account = phone ? await accountBy(deps.db, 'phone', phone) : undefined;
  if (!account || !account.passwordHash) {
    await verifyAgainstDummy(request.password);
    throw new AuthError('invalid-credentials');
  }
  if (isLocked(account.lockedUntil)) throw new AuthError('account-locked');
  if (!(await verifyPassword(account.passwordHash, request.password))) {
    const locked = await recordFailure(deps.db, deps.config, 'resident_account', account.id);
    throw new AuthError(locked ? 'account-locked' : 'invalid-credentials');
  }
  if (account.status !== 'active') throw new AuthError(account.status === 'pending' ? 'account-pending' : 'account-disabled');
  await recordSuccess(deps.db, 'resident_account', account.id);
  return account;
}

/** Sends a sign-in code when the phone has an active account; answers the same either way. */
export async function requestResidentLoginOtp(deps: ResidentDeps, rawPhone: string, ip: string | undefined): Promise<{ done: Promise<void> }> {
  const phone = normalisePhone(rawPhone);
  if (ip) await hitRateLimit(deps.db, rateKey('otp-ip', ip), deps.config.otpPerIp, deps.config.otpWindowSeconds);
  if (phone) await hitRateLimit(deps.db, rateKey('otp-phone', phone), deps.config.otpPerPhone, deps.config.otpWindowSeconds);
  const done = (async () => {
    const account = phone ? await accountBy(deps.db, 'phone', phone) : undefined;
    if (!account || account.status !== 'active') return;
    await issueOtp(deps, { purpose: 'resident-login', subject: account.phone, phone: account.phone, ip, message: loginMessage, alreadyCounted: true });
  })();
  return { done };
}

export async function loginResidentWithOtp(deps: Omit<ResidentDeps, 'sms' | 'patients'>, request: { phone: string; code: string }): Promise<ResidentAccount> {
  const phone = normalisePhone(request.phone);
  if (!phone) throw new AuthError('invalid-otp');
  await verifyOtp(deps, 'resident-login', phone, request.code);
  const account = await accountBy(deps.db, 'phone', phone);
  if (!account || account.status !== 'active') throw new AuthError('invalid-otp');
  await recordSuccess(deps.db, 'resident_account', account.id);
  return account;
}

/** The actor of a signed-in resident: their record plus the records they act for. */
export async function residentActor(db: Queryable, accountId: string): Promise<ResidentActor | undefined> {
  const account = await accountBy(db, 'id', accountId);
  if (!account || account.status !== 'active') return undefined;
  return { kind: 'resident', userId: account.id, patientId: account.patientId, proxyPatientIds: await proxyPatientIds(db, account.patientId) };
}
