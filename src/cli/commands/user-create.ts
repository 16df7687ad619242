import { STAFF_ROLES, type StaffRole } from '../../auth/actor.ts';
import { AuthError } from '../../auth/errors.ts';
import type { FhirWriter } from '../../auth/fhir-writer.ts';
import { InvalidStaffSpec, createStaffUser } from '../../auth/staff-users.ts';
import { openDatabase, type Database } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags, readStdin, required } from './flags.ts';

/** With a writer factory, the command also creates the user's Practitioner and PractitionerRole. */
export function makeUserCreateCommand(fhirWriter?: (db: Database) => FhirWriter): Command {
  return {
    path: ['user', 'create'],
    summary: 'Tạo tài khoản cán bộ (create a staff account)',
    usage: [
      'hssk user create --username U --role ROLE --name "Họ tên" [--facility MA_CSKCB] [--commune MA_XA] [--practitioner ID] [--password-stdin]',
      '',
      `ROLE: ${STAFF_ROLES.join(', ')}. clinician and clerk need --facility; commune-worker needs --commune.`,
      'Prints JSON: the user id, the generated password (unless --password-stdin) and, for administrators,',
      'the otpauth:// URI to scan into an authenticator app (TOTP is required for administrators).',
    ].join('\n'),
    async run(args, { config, out }) {
      const flags = parseFlags(args, ['username', 'role', 'name', 'facility', 'commune', 'practitioner'], ['password-stdin']);
      const role = required(flags, 'role') as StaffRole;
      if (!STAFF_ROLES.includes(role)) throw new UsageError(`--role phải là một trong: ${STAFF_ROLES.join(', ')}`);
      const password = flags.get('password-stdin') ? await readStdin() : undefined;
      const facilityCode = optional(flags, 'facility');
      const communeCode = optional(flags, 'commune');
      const practitionerId = optional(flags, 'practitioner');
      const db = await openDatabase(config, { poolSize: 2 });
      try {
        const created = await createStaffUser(
          db.pool,
          {
            username: required(flags, 'username'),
            displayName: required(flags, 'name'),
            role,
            ...(facilityCode ? { facilityCode } : {}),
            ...(communeCode ? { communeCode } : {}),
            ...(practitionerId ? { practitionerId } : {}),
            ...(password !== undefined ? { password } : {}),
          },
          fhirWriter?.(db),
        );
        out(
          JSON.stringify(
            {
              user_id: created.user.id,
              username: created.user.username,
              role: created.user.role,
              ...(created.generatedPassword ? { password: created.generatedPassword } : {}),
              ...(created.totpUri ? { totp_uri: created.totpUri } : {}),
            },
            null,
            2,
          ),
        );
        return 0;
      } catch (err) {
        if (err instanceof InvalidStaffSpec || err instanceof AuthError) throw new UsageError(err.message);
        throw err;
      } finally {
        await db.close();
      }
    },
  };
}

export const userCreateCommand = makeUserCreateCommand();
