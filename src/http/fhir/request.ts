// The FHIR interaction as HSSK handles it, independent of HTTP framing: the same request shape
// serves top-level HTTP calls and the entries of batch and transaction Bundles.
import type { AccessCondition } from '../../store/search/execute.ts';
import type { CreateDecision, IdentityMatching, PatientIdentity } from './patient-identity.ts';

export interface FhirRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** Path after the FHIR base, without leading slash: `Patient`, `Patient/1/_history/2`, `` (system). */
  path: string;
  query: Record<string, string[]>;
  body?: unknown;
  ifMatch?: string;
  ifNoneExist?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
  prefer: Prefer;
  /** Absolute base URL of the FHIR endpoint (for links and Location). */
  baseUrl: string;
  /**
   * For a create inside a transaction: the id decided before the entry runs, so that other
   * entries' urn:uuid references to it can be rewritten. Never taken from the client.
   */
  presetId?: string;
  /**
   * For a Patient create inside a transaction: the identity decided before the entry runs, with
   * the Bundle's other persons (patient-identity.ts). Never taken from the client.
   */
  patientDecision?: CreateDecision;
  /** Inside a transaction: its identity decisions (the Bundle's Patients' keys locked, its new persons known). */
  patientIdentity?: PatientIdentity;
  /**
   * A plain Patient create written by the group commit, which matches it in its transaction
   * (access-trail.ts writeCreateUnits): the interaction only validates and prepares the version.
   */
  matchAtCommit?: boolean;
}

export interface Prefer {
  return?: 'minimal' | 'representation' | 'OperationOutcome';
  handling?: 'strict' | 'lenient';
  respondAsync?: boolean;
}

export interface FhirResponse {
  status: number;
  /** A JSON string (fast path for stored resources) or a value to serialise. */
  body?: string | object;
  headers?: Record<string, string>;
}

/** What an interaction touched, for the audit trail: whose records, which resource or query. */
export interface AccessRecord {
  action: 'read' | 'vread' | 'search' | 'history' | 'create' | 'update' | 'delete';
  entityType?: string;
  entityId?: string;
  /** The search as typed (kept in the audit database, never logged). */
  query?: string;
  /** Patient compartments whose data was returned or written. */
  patientIds: (string | null | undefined)[];
  /** A Patient write whose MPI row the interaction wrote itself (the access trail need not). */
  indexed?: boolean;
}

/**
 * The rows of types the caller may read: included and $everything resources of other types pass
 * the same role/scope check as a direct read (a client scoped to Patient.read gets no Observation
 * through _revinclude).
 */
export function readableRows<T extends { resourceType: string }>(caller: FhirCaller, rows: T[]): T[] {
  const allowed = new Map<string, boolean>();
  return rows.filter((row) => {
    let ok = allowed.get(row.resourceType);
    if (ok === undefined) {
      try {
        caller.authorize('read', row.resourceType);
        ok = true;
      } catch {
        ok = false;
      }
      allowed.set(row.resourceType, ok);
    }
    return ok;
  });
}

/** What the interaction layer needs to know about the caller. */
export interface FhirCaller {
  /** Condition restricting what the caller may read; undefined = everything. */
  access?: AccessCondition;
  /** Facility the caller writes as (mã CSKCB), stamped on what it writes. */
  sourceFacility?: string | null;
  /**
   * For a resident: their own Patient id. Their writes are then self-reported statements
   * (auth/resident-writes.ts), and they may add a phone or address with Patient/$add-contact.
   */
  selfReporter?: string;
  /**
   * Patient creates and identifier changes go through the identity matcher with these settings
   * (patient-identity.ts). Absent on the national hub and for the public caller.
   */
  matching?: IdentityMatching;
  /** Throws a 403 FhirError if the caller may not perform `interaction` on `resourceType`. */
  authorize(interaction: Interaction, resourceType: string | undefined, resource?: unknown): void;
  /** Receives what each interaction touched (top-level and Bundle entries alike). */
  onAccess?(record: AccessRecord): void;
}

export type Interaction =
  | 'read'
  | 'vread'
  | 'search'
  | 'history'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'everything'
  | 'capabilities';

export function parsePrefer(header: string | undefined): Prefer {
  const prefer: Prefer = {};
  for (const part of (header ?? '').split(',')) {
    const [key, value] = part.trim().split('=').map((s) => s?.trim());
    if (key === 'return' && (value === 'minimal' || value === 'representation' || value === 'OperationOutcome')) prefer.return = value;
    if (key === 'handling' && (value === 'strict' || value === 'lenient')) prefer.handling = value;
    if (key === 'respond-async') prefer.respondAsync = true;
  }
  return prefer;
}

/** `W/"3"` → 3; also accepts a bare `3` or `"3"`. Undefined when absent or malformed. */
export function parseETag(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(header.trim());
  return m ? Number(m[1]) : Number.NaN;
}
