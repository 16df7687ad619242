// How a resident's own statements are marked (mirrors src/fhir/self-reported.ts): a meta.tag on
// the resource, an extension on each phone or address the resident added to their Patient.
import type { Address, ContactPoint, Resource } from '@medplum/fhirtypes';

const HSSK = 'http://fhir.hssk.vn';
export const SELF_REPORTED_TAG = { system: `${HSSK}/CodeSystem/tag`, code: 'self-reported' } as const;
export const SELF_REPORTED_EXTENSION = `${HSSK}/StructureDefinition/self-reported`;

export function isSelfReported(resource: Resource): boolean {
  return (resource.meta?.tag ?? []).some((t) => t.system === SELF_REPORTED_TAG.system && t.code === SELF_REPORTED_TAG.code);
}

export function isSelfReportedEntry(entry: ContactPoint | Address): boolean {
  return (entry.extension ?? []).some((e) => e.url === SELF_REPORTED_EXTENSION);
}
