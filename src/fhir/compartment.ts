// The Patient compartment (R4 CompartmentDefinition "patient"): which search parameters of each
// resource type link it to a patient. The first one that points at a Patient decides the
// resource's compartment column (its owner for access control and $everything).
import type { CompartmentDefinition } from '@medplum/fhirtypes';
import { readDefinitionFile } from './definitions.ts';
import { getSearchParam } from './search-parameters.ts';

let byType: Map<string, number[]> | undefined;

// Params listed by the definition in an order where a performer or author could win over the
// subject; the subject-like parameters are tried first.
const PREFERRED = ['patient', 'subject', 'beneficiary', 'member'];

function load(): Map<string, number[]> {
  const definition = readDefinitionFile<CompartmentDefinition>('compartmentdefinition-patient.json');
  const result = new Map<string, number[]>();
  for (const entry of definition.resource ?? []) {
    const params = [...(entry.param ?? [])].sort((a, b) => {
      const ia = PREFERRED.indexOf(a);
      const ib = PREFERRED.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    });
    const keys = params
      .map((code) => getSearchParam(entry.code!, code)?.key)
      .filter((k): k is number => k !== undefined);
    if (keys.length > 0) result.set(entry.code!, keys);
  }
  return result;
}

/** Index keys of the parameters linking a resource type to the Patient compartment, preferred first. */
export function patientCompartmentParams(resourceType: string): number[] {
  byType ??= load();
  return byType.get(resourceType) ?? [];
}

/** Resource types that can belong to a Patient compartment. */
export function patientCompartmentTypes(): string[] {
  byType ??= load();
  return [...byType.keys()];
}
