// How auth and consent create FHIR resources (Practitioner, PractitionerRole, Consent) without
// depending on the store: the caller passes a writer bound to the FHIR store and an actor.
import type { Resource } from '@medplum/fhirtypes';

export interface FhirWriter {
  create<T extends Resource>(resource: T): Promise<{ id: string }>;
  /** Replaces a resource (used to set a revoked Consent's status to inactive). */
  update<T extends Resource>(resource: T & { id: string }): Promise<void>;
}
