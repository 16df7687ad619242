// Staff accounts: creation (with their Practitioner and PractitionerRole), lookup, unlock.
import type { Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { IdentifierSystem } from '../fhir/systems.ts';
import { preparedQuery, type Queryable } from '../store/database.ts';
import { STAFF_ROLES, type StaffActor, type StaffRole } from './actor.ts';
import { AuthError } from './errors.ts';
import type { FhirWriter } from './fhir-writer.ts';
import { checkPasswordStrength, generatePassword, hashPassword } from './password.ts';
import { newId } from './secrets.ts';
import { generateTotpSecret, otpauthUri } from './totp.ts';

export interface StaffUser {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  facilityCode?: string;
  communeCode?: string;
  practitionerId?: string;
  practitionerRoleId?: string;
  totpEnabled: boolean;
  disabled: boolean;
  lockedUntil?: Date;
}

export interface NewStaffUser {
  username: string;
  displayName: string;
  role: StaffRole;
  facilityCode?: string;
  communeCode?: string;
  /** Link to an existing Practitioner instead of creating one. */
  practitionerId?: string;
  /** Generated when absent (and returned once). */
  password?: string;
}

export interface CreatedStaffUser {
  user: StaffUser;
  /** Set when the password was generated. */
  generatedPassword?: string;
  /** Administrators must use TOTP: the enrolment URI, shown once. */
  totpUri?: string;
}

export class InvalidStaffSpec extends Error {
  override name = 'InvalidStaffSpec';
}

const ROLE_CODES: Record<StaffRole, { code: string; display: string }> = {
  'admin': { code: 'admin', display: 'Quản trị (Sở Y tế)' },
  'manager': { code: 'manager', display: 'Quản lý' },
  'commune-worker': { code: 'commune-worker', display: 'Cán bộ y tế xã' },
  'clinician': { code: 'doctor', display: 'Bác sĩ / nhân viên lâm sàng' },
  'clerk': { code: 'clerk', display: 'Nhân viên hành chính' },
};

function validate(spec: NewStaffUser): void {
  if (!/^[a-zA-Z0-9._@-]{3,64}$/.test(spec.username)) throw new InvalidStaffSpec('username: 3–64 letters, digits, . _ @ -');
  if (!STAFF_ROLES.includes(spec.role)) throw new InvalidStaffSpec(`role must be one of ${STAFF_ROLES.join(', ')}`);
  if (spec.role === 'commune-worker' && !spec.communeCode) throw new InvalidStaffSpec('a commune worker needs --commune');
  if ((spec.role === 'clinician' || spec.role === 'clerk') && !spec.facilityCode) throw new InvalidStaffSpec(`a ${spec.role} needs --facility`);
  if (spec.displayName.trim().length === 0) throw new InvalidStaffSpec('name is required');
}

/** Creates the account; with a FhirWriter, also its Practitioner (unless linked) and PractitionerRole. */
export async function createStaffUser(db: Queryable, spec: NewStaffUser, fhir?: FhirWriter): Promise<CreatedStaffUser> {
  validate(spec);
  const generatedPassword = spec.password === undefined ? generatePassword() : undefined;
  const password = spec.password ?? generatedPassword!;
  checkPasswordStrength(password);
  const existing = await db.query('SELECT 1 FROM staff_user WHERE lower(username) = lower($1)', [spec.username]);
  if (existing.rowCount) throw new AuthError('username-taken');

  let practitionerId = spec.practitionerId;
  let practitionerRoleId: string | undefined;
  if (fhir) {
    if (!practitionerId) {
      const practitioner: Practitioner = { resourceType: 'Practitioner', active: true, name: [{ text: spec.displayName }] };
      practitionerId = (await fhir.create(practitioner)).id;
    }
    const role: PractitionerRole = {
      resourceType: 'PractitionerRole',
      active: true,
      practitioner: { reference: `Practitioner/${practitionerId}` },
      code: [{ coding: [{ system: 'http://fhir.hssk.vn/CodeSystem/vai-tro', ...ROLE_CODES[spec.role] }] }],
      ...(spec.facilityCode ? { organization: { identifier: { system: IdentifierSystem.facilityCode, value: spec.facilityCode } } } : {}),
    };
    practitionerRoleId = (await fhir.create(role)).id;
  }

  const totpSecret = spec.role === 'admin' ? generateTotpSecret() : undefined;
  const id = newId();
  await db.query(
    `INSERT INTO staff_user (id, username, display_name, role, facility_code, commune_code, practitioner_id, practitioner_role_id,
                             password_hash, totp_secret, totp_enabled)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      id,
      spec.username,
      spec.displayName,
      spec.role,
      spec.facilityCode ?? null,
      spec.communeCode ?? null,
      practitionerId ?? null,
      practitionerRoleId ?? null,
      await hashPassword(password),
      totpSecret ?? null,
      totpSecret !== undefined,
    ],
  );
  const user = (await findStaffUserById(db, id))!;
  return {
    user,
    ...(generatedPassword ? { generatedPassword } : {}),
    ...(totpSecret ? { totpUri: otpauthUri(totpSecret, spec.username) } : {}),
  };
}

export interface StaffRow {
  id: string;
  username: string;
  display_name: string;
  role: StaffRole;
  facility_code: string | null;
  commune_code: string | null;
  practitioner_id: string | null;
  practitioner_role_id: string | null;
  totp_enabled: boolean;
  disabled: boolean;
  locked_until: Date | null;
}

export const STAFF_USER_COLUMNS = 'id, username, display_name, role, facility_code, commune_code, practitioner_id, practitioner_role_id, totp_enabled, disabled, locked_until';

export function staffUserFromRow(row: StaffRow): StaffUser {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    totpEnabled: row.totp_enabled,
    disabled: row.disabled,
    ...(row.facility_code ? { facilityCode: row.facility_code } : {}),
    ...(row.commune_code ? { communeCode: row.commune_code } : {}),
    ...(row.practitioner_id ? { practitionerId: row.practitioner_id } : {}),
    ...(row.practitioner_role_id ? { practitionerRoleId: row.practitioner_role_id } : {}),
    ...(row.locked_until && row.locked_until > new Date() ? { lockedUntil: row.locked_until } : {}),
  };
}

export async function findStaffUserById(db: Queryable, id: string): Promise<StaffUser | undefined> {
  // Prepared once per connection: every request of a staff session reads the account.
  const { rows } = await db.query<StaffRow>(preparedQuery(`SELECT ${STAFF_USER_COLUMNS} FROM staff_user WHERE id = $1`, [id]));
  return rows[0] ? staffUserFromRow(rows[0]) : undefined;
}

export async function listStaffUsers(db: Queryable): Promise<StaffUser[]> {
  const { rows } = await db.query<StaffRow>(`SELECT ${STAFF_USER_COLUMNS} FROM staff_user ORDER BY username`);
  return rows.map(staffUserFromRow);
}

export async function unlockStaffUser(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query('UPDATE staff_user SET failed_logins = 0, locked_until = NULL WHERE id = $1', [id]);
  return result.rowCount === 1;
}

export function staffActor(user: StaffUser): StaffActor {
  return {
    kind: 'staff',
    userId: user.id,
    username: user.username,
    role: user.role,
    ...(user.facilityCode ? { facilityCode: user.facilityCode } : {}),
    ...(user.communeCode ? { communeCode: user.communeCode } : {}),
    ...(user.practitionerId ? { practitionerId: user.practitionerId } : {}),
    ...(user.practitionerRoleId ? { practitionerRoleId: user.practitionerRoleId } : {}),
  };
}
