// Where a saved QĐ 831 form leads, read from the server's transaction-response (Form831Page).
import type { Bundle, Patient } from '@medplum/fhirtypes';

/** Where a saved form leads: the record written or found, and whether the user may open it. */
export type SavedRecord =
  | { kind: 'written'; patientId: string }
  /** A new form of someone registered whose record the user may read: it opens, with a notice. */
  | { kind: 'existing'; patientId: string }
  /** Someone registered whose record the user may not read: only its id, behind their consent. */
  | { kind: 'existing-hidden'; patientId: string }
  | { kind: 'unknown' };

/**
 * Reads the transaction-response of `toTransaction`: its first entry answers for the Patient —
 * `201` a new record, `200` with the Patient an existing record the user may read, `200` with an
 * OperationOutcome `duplicate` and no resource a record they may not (docs/identity.md).
 */
export function savedRecord(result: Bundle, existing: Patient | undefined): SavedRecord {
  if (existing?.id) return { kind: 'written', patientId: existing.id };
  const first = result.entry?.[0];
  const patientId = /Patient\/([^/?#]+)/.exec(first?.response?.location ?? '')?.[1] ?? (first?.resource?.resourceType === 'Patient' ? first.resource.id : undefined);
  if (!patientId) return { kind: 'unknown' };
  if (first?.response?.status?.startsWith('201')) return { kind: 'written', patientId };
  const hidden = first?.resource === undefined && first?.response?.outcome?.issue?.some((i) => i.code === 'duplicate');
  return { kind: hidden ? 'existing-hidden' : 'existing', patientId };
}
