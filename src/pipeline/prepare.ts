// The stages before identity, without the database: the storage policy (MISSION B8) drops
// excluded entries whole and counts them, references to them are removed, and every resource
// is validated against the R4 definitions. A record that fails gets field-level reasons.
import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../fhir/outcomes.ts';
import { assertValidResource } from '../fhir/validation.ts';
import type { AdaptedEntry, AdaptedRecord, RejectionReason } from '../ingest/adapted-record.ts';
import { classifyResource } from '../policy/sensitive-data.ts';
import { copyJson, pruneReferences } from './references.ts';

export interface PreparedRecord {
  record: AdaptedRecord;
  /** Entries kept by the policy, deep copies (the record itself is never changed). */
  entries: AdaptedEntry[];
  excluded: Record<string, number>;
}

export type Prepared = { ok: true; value: PreparedRecord } | { ok: false; reasons: RejectionReason[]; excluded: Record<string, number> };

/** A record and the result of `prepareRecord` on it, made before the batch (e.g. in a worker thread). */
export interface RecordToIngest {
  record: AdaptedRecord;
  prepared: Prepared;
}

/** Field-level reasons from a validation failure. */
export function reasonsOf(err: unknown, prefix: string): RejectionReason[] {
  if (err instanceof FhirError) {
    return (err.outcome.issue ?? []).map((i) => ({
      field: `${prefix}${i.expression?.[0] ? ` ${i.expression[0]}` : ''}`,
      message: i.details?.text ?? i.diagnostics ?? 'Dữ liệu không hợp lệ.',
    }));
  }
  throw err;
}

function validate(resource: Resource, label: string): RejectionReason[] {
  // The validator wants an id on stored resources only; a placeholder keeps the check the same.
  try {
    assertValidResource({ ...resource, id: resource.id ?? 'x' } as Resource);
    return [];
  } catch (err) {
    return reasonsOf(err, label);
  }
}

export function prepareRecord(record: AdaptedRecord, options: { validate?: boolean } = {}): Prepared {
  const excluded: Record<string, number> = { ...record.excluded };
  const kept: AdaptedEntry[] = [];
  const dropped = new Set<string>();
  for (const entry of record.entries) {
    const category = classifyResource(entry.resource);
    if (category !== undefined) {
      excluded[category] = (excluded[category] ?? 0) + 1;
      dropped.add(entry.fullUrl);
    } else {
      kept.push({ fullUrl: entry.fullUrl, resource: copyJson(entry.resource) });
    }
  }
  for (const e of kept) pruneReferences(e.resource, dropped);
  if (options.validate !== false) {
    const reasons = [
      ...validate(record.patient, 'Patient'),
      ...kept.flatMap((e, i) => validate(e.resource, `${e.resource.resourceType}[${i}]`)),
    ];
    if (reasons.length) return { ok: false, reasons, excluded };
  }
  return { ok: true, value: { record, entries: kept, excluded } };
}
