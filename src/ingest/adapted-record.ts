// What every input channel's adapter produces for one unit of meaning (a household member, a
// treatment episode, a CDA document, a form): FHIR resources, not yet tied to a stored resident.
// The shared pipeline (validate → policy → identity → store → audit → outbox) takes it from here.
import type { Patient, Resource } from '@medplum/fhirtypes';

export interface AdaptedEntry {
  /** `urn:uuid:…`; other entries of the same record reference this entry by it. */
  fullUrl: string;
  resource: Resource;
}

export interface AdaptedRecord {
  /** Stable key of the unit for reports and idempotency, e.g. `xml/79001/MA_LK-123` or `household/H001/3`. */
  key: string;
  /** The subject as the input describes them. Identity resolution decides whether this is an existing
   *  resident (the stored record is updated with what is new) or a new one. No `id`. */
  patient: Patient;
  /** `urn:uuid:…` by which `entries` reference the patient. */
  patientFullUrl: string;
  /** Every other resource of the unit. Each carries an identifier that is stable across re-sends
   *  (e.g. `${MA_LK}/XML2/${STT}` in the facility's episode system) so a re-sent unit replaces,
   *  never duplicates. */
  entries: AdaptedEntry[];
  /** When set, this record replaces everything earlier stored under this identifier system and
   *  value prefix (a re-sent episode replaces the previous version atomically). */
  replaces?: { system: string; valuePrefix: string };
  /** Items dropped by the storage policy (MISSION B8), counted by category; never stored or logged. */
  excluded: Record<string, number>;
  /** Non-fatal remarks for the per-record report (in Vietnamese). */
  warnings: string[];
}

/** A field-level reason why a unit cannot be accepted (in Vietnamese, naming the field). */
export interface RejectionReason {
  field: string;
  message: string;
}

export type AdaptResult = { ok: true; record: AdaptedRecord } | { ok: false; key: string; reasons: RejectionReason[] };
