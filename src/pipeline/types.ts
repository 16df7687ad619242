// The shared ingest pipeline's inputs and results (docs/architecture.md: adapter → validate →
// policy → identity → store → audit).
import type { Resource } from '@medplum/fhirtypes';
import type { Actor } from '../auth/actor.ts';
import type { PopulationRuleMode } from '../identity/mpi/population-rule.ts';
import type { RejectionReason } from '../ingest/adapted-record.ts';
import type { Database } from '../store/database.ts';

export interface PipelineContext {
  db: Database;
  /** Who writes: recorded in the audit trail. */
  actor: Actor;
  /** The deployment's province (2025 code): prefix of new resident IDs. */
  province: string;
  /** The day resident groups (A4) are computed for; default today. */
  asOf?: string;
  /** HSSK_IDENTITY_POPULATION_RULE (docs/identity.md, rule 5); default `auto`. */
  populationRule?: PopulationRuleMode;
}

export interface IngestOptions {
  /** Input channel for the audit trail ('household', 'xml', 'cda', 'fhir', 'form'). */
  channel: string;
  /** Facility (mã CSKCB) the data comes from, stamped on what is written. */
  sourceFacility?: string | null;
  /**
   * How an existing resident's Patient takes what is new: 'fill' adds identifiers, contacts and
   * addresses not yet present and fills blanks (clinics, hospitals); 'registry' also replaces
   * name, birth date, sex, address and extensions with the (non-blank) values given — the
   * household registry is the authority on them.
   */
  patientUpdate?: 'fill' | 'registry';
  /**
   * The records are the household registry's own rows: the population rule never applies to
   * them. A row is how a person becomes registered, so a newcomer to a covered commune who is a
   * namesake of a registered resident is not yet a candidate of their own.
   */
  registration?: boolean;
  /** Validate every resource against the R4 definitions (default true). */
  validate?: boolean;
  /**
   * Plan the batch (identity, versions, index rows, statements) before taking the identity lock
   * and check the plan under it, so that batches written one after the other are planned while
   * the previous one writes (bulk imports; a single record gains nothing from it).
   */
  planAhead?: boolean;
}

export type IngestOutcome = 'created' | 'updated' | 'matched' | 'review' | 'rejected';

export interface IngestResult {
  key: string;
  /**
   * created: a new resident; review: a new resident and a review item (it may be someone already
   * registered); updated: an existing resident whose Patient changed; matched: an existing
   * resident whose Patient did not change; rejected: nothing stored (see reasons).
   */
  outcome: IngestOutcome;
  patientId?: string;
  /** `Type/id` of every resource of the record as stored (written or unchanged). */
  resourceIds: string[];
  /** New resource versions written (0 when everything was already stored as is). */
  written: number;
  /** Resources deleted because a re-sent record no longer contains them. */
  deleted: number;
  excluded: Record<string, number>;
  warnings: string[];
  reasons?: RejectionReason[];
  /** For review: the existing records it may be. */
  reviewCandidates?: string[];
}

/** Resources built after identity is known (e.g. a household Group): real references, a stable identifier. */
export type ExtraResources = (patientIds: readonly (string | undefined)[]) => Resource[];

/** A unit the pipeline refuses as a whole (errors as types). */
export class RecordRejected extends Error {
  readonly reasons: RejectionReason[];
  constructor(reasons: RejectionReason[]) {
    super(reasons.map((r) => `${r.field}: ${r.message}`).join('; '));
    this.name = 'RecordRejected';
    this.reasons = reasons;
  }
}

/** Another writer changed a resource this batch read: the transaction is retried. */
export class ConcurrentWrite extends Error {
  readonly code = '40001';
  constructor() {
    super('concurrent write; retrying');
    this.name = 'ConcurrentWrite';
  }
}
