// Everything the auth, consent and audit routes (and the FHIR layer's authenticateRequest)
// share, built once per process.
import type { AuditLog } from '../audit/audit-log.ts';
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
  audit: AuditLog;
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
}

export function createAuthServices(options: AuthServicesOptions): AuthServices {
  return {
    db: options.db,
    config: options.config,
    fhir: options.fhir,
    keys: createSigningKeys(options.db, options.config),
    sms: options.sms ?? createSmsSender(options.config.sms, options.db.pool),
    patients: options.patients ?? sqlPatientDirectory(options.db.pool),
    audit: options.audit ?? createChainedAuditLog(options.db.asyncCommitPool()),
    sessionCache: new SessionCache(),
  };
}
