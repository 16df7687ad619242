// Everything the auth, consent and audit routes (and the FHIR layer's authenticateRequest)
// share, built once per process.
import type { AuditLog } from '../audit/audit-log.ts';
import { SpooledAuditLog, type AuditSpoolOptions } from '../audit/audit-spool.ts';
import { createChainedAuditLog } from '../audit/chained-audit-log.ts';
import { createSmsSender } from '../sms/create-sms-sender.ts';
import type { SmsSender } from '../sms/sms-sender.ts';
import type { Database } from '../store/database.ts';
import type { AuthConfig } from './auth-config.ts';
import type { FhirWriter } from './fhir-writer.ts';
import { sqlPatientDirectory, type PatientDirectory } from './patient-directory.ts';
import { SessionCache } from './session-cache.ts';
import { createSigningKeys, type SigningKeys } from './signing-keys.ts';

export interface AuthServices {
  db: Database;
  config: AuthConfig;
  keys: SigningKeys;
  sms: SmsSender;
  patients: PatientDirectory;
  fhir: FhirWriter;
  /** The audit trail: `record` resolves once the entry is committed. */
  audit: AuditLog;
  /**
   * The trail of FHIR reads and searches: in `hssk serve`, the local spool (../audit/audit-spool.ts),
   * safe when `record` resolves and in PostgreSQL a few milliseconds later; else `audit` itself.
   */
  readAudit: AuditLog;
  /** The spool behind `readAudit`, when there is one (replayed at start-up, closed at shutdown). */
  auditSpool?: SpooledAuditLog;
  /** Portal sessions kept for the FHIR API's reads, checked in each of their statements (./session-cache.ts). */
  sessionCache: SessionCache;
}

export interface AuthServicesOptions {
  db: Database;
  config: AuthConfig;
  /** Writes Practitioner, PractitionerRole and Consent resources into the FHIR store as the system. */
  fhir: FhirWriter;
  sms?: SmsSender;
  patients?: PatientDirectory;
  audit?: AuditLog;
  /** Spool the entries of reads and searches here (`hssk serve`); not with `audit`. */
  auditSpool?: AuditSpoolOptions;
}

export function createAuthServices(options: AuthServicesOptions): AuthServices {
  if (options.audit && options.auditSpool) throw new Error('an audit spool feeds the chained log it creates: give one or the other');
  const chained = options.audit ? undefined : createChainedAuditLog(options.db.asyncCommitPool());
  const audit = options.audit ?? chained!;
  const auditSpool = options.auditSpool ? new SpooledAuditLog(chained!, options.auditSpool) : undefined;
  return {
    db: options.db,
    config: options.config,
    fhir: options.fhir,
    keys: createSigningKeys(options.db, options.config),
    sms: options.sms ?? createSmsSender(options.config.sms, options.db.pool),
    patients: options.patients ?? sqlPatientDirectory(options.db.pool),
    audit,
    readAudit: auditSpool ?? audit,
    ...(auditSpool ? { auditSpool } : {}),
    sessionCache: new SessionCache(),
  };
}
