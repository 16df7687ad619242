// Section entries → FHIR through @medplum/ccda, one entry at a time. Converting entry by entry
// (a one-entry copy of the document) tells exactly which resources came from which clinical
// statement, so that the storage policy can drop a statement with everything converted from it
// (a result organizer and its members, a problem and its observations), and so that an entry
// the converter cannot read costs a warning, not the document.
import { convertCcdaToFhir, CCDA_NARRATIVE_REFERENCE_URL, type Ccda } from '@medplum/ccda';
import type { Resource } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import { ATC_SYSTEM, Oid, SECTION_ALIASES } from './cda-systems.ts';
import { asList, asTree, type Tree } from './header.ts';

/** What HSSK keeps from the converter: the clinical content. Practitioners, organisations,
 *  care teams and related persons are not resident data and have no stable identity in a CDA
 *  document; references to them become display-only. */
const KEPT_TYPES = new Set([
  'Condition', 'MedicationRequest', 'AllergyIntolerance', 'Immunization', 'Observation', 'Encounter', 'Procedure', 'CarePlan', 'Goal',
]);

/** The statement elements a CDA entry holds (exactly one in a conformant document). */
export const ENTRY_STATEMENTS = ['act', 'substanceAdministration', 'organizer', 'observation', 'encounter', 'procedure', 'supply'] as const;

export type EntryConversion = { ok: true; resources: Resource[]; patientReference: string | undefined } | { ok: false };

/** The section as @medplum/ccda should see it: an equivalent template first, wrapped statements unwrapped. */
export function prepareSection(section: Tree): Tree {
  const templates = asList(section['templateId']);
  const alias = templates.map((t) => SECTION_ALIASES[String(t['@_root'] ?? '')]).find((a) => a !== undefined);
  // The converter reads templateId[0] and fails without one; 'unknown' makes it skip the entries.
  const templateId = alias ? [{ '@_root': alias.as }, ...templates] : templates.length > 0 ? templates : [{ '@_root': 'unknown' }];
  let entries = asList(section['entry']);
  if (alias?.unwrap === 'substanceAdministration') {
    entries = entries.map((entry) => {
      const wrapped = asList(entry['act']).flatMap((act) =>
        asList(act['entryRelationship']).flatMap((rel) => asList(rel['substanceAdministration'])),
      );
      return wrapped.length > 0 ? { substanceAdministration: wrapped } : entry;
    });
  }
  return { ...section, templateId, entry: entries };
}

/** The document without its body and without header parts that would only produce discarded resources. */
export function headerOnly(ccda: Tree): Tree {
  const { component: _body, participant: _participants, author: _authors, custodian: _custodian, documentationOf: _event, ...header } = ccda;
  return header;
}

/** OIDs @medplum/ccda leaves as `urn:oid:` (ICD-10, ActCode, ATC) as the URIs HSSK uses. */
function fixCodeSystems(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) fixCodeSystems(item);
    return;
  }
  const tree = asTree(node);
  if (tree === undefined) return;
  if (tree['system'] === `urn:oid:${Oid.icd10}`) tree['system'] = CodeSystem.icd10;
  if (tree['system'] === `urn:oid:${Oid.actCode}`) tree['system'] = CodeSystem.v3ActCode;
  if (tree['system'] === `urn:oid:${Oid.atc}`) tree['system'] = ATC_SYSTEM;
  for (const value of Object.values(tree)) if (typeof value === 'object') fixCodeSystems(value);
}

/** The converter writes every medication dose in "[IU]"; put back the unit the document gave. */
function fixDoseUnits(resources: Resource[], entry: Tree): void {
  const dose = asTree(asList(entry['substanceAdministration'])[0]?.['doseQuantity']);
  const unit = typeof dose?.['@_unit'] === 'string' ? dose['@_unit'] : undefined;
  for (const resource of resources) {
    if (resource.resourceType !== 'MedicationRequest') continue;
    for (const dosage of resource.dosageInstruction ?? []) {
      for (const rate of dosage.doseAndRate ?? []) {
        if (rate.doseQuantity === undefined) continue;
        rate.doseQuantity =
          unit === undefined
            ? { value: rate.doseQuantity.value }
            : { value: rate.doseQuantity.value, unit, system: 'http://unitsofmeasure.org', code: unit };
      }
    }
  }
}

/** Allergy intolerance type (SNOMED CT, C-CDA allergy observation value) → FHIR category. The
 *  converter marks every allergy as a food allergy. */
const ALLERGY_CATEGORY: Readonly<Record<string, 'food' | 'medication' | 'environment' | 'biologic'>> = {
  '416098002': 'medication', // drug allergy
  '419511003': 'medication', // propensity to adverse reactions to drug
  '59037007': 'medication', // drug intolerance
  '414285001': 'food', // food allergy
  '235719002': 'food', // food intolerance
  '418471000': 'food', // propensity to adverse reactions to food
  '426232007': 'environment', // environmental allergy
  '232347008': 'environment', // dander allergy
  '418038007': 'biologic', // propensity to adverse reactions to substance
};

function fixAllergyCategory(resources: Resource[], entry: Tree): void {
  const observation = asList(asList(entry['act'])[0]?.['entryRelationship']).flatMap((rel) => asList(rel['observation']))[0];
  const code = asTree(observation?.['value'])?.['@_code'];
  const category = typeof code === 'string' ? ALLERGY_CATEGORY[code] : undefined;
  for (const resource of resources) {
    if (resource.resourceType !== 'AllergyIntolerance') continue;
    if (category === undefined) delete resource.category;
    else resource.category = [category];
  }
}

/** Converts one entry of one (prepared) section. */
export function convertEntry(header: Tree, section: Tree, entry: Tree): EntryConversion {
  const oneEntry = {
    ...header,
    component: { structuredBody: { component: [{ section: [{ ...section, entry: [entry] }] }] } },
  };
  let bundleEntries;
  try {
    bundleEntries = convertCcdaToFhir(oneEntry as unknown as Ccda, { ignoreUnsupportedSections: true }).entry ?? [];
  } catch {
    // The converter throws on entries it cannot read (missing templateId, unexpected shapes).
    return { ok: false };
  }
  const all = bundleEntries.map((e) => e.resource).filter((r): r is Resource => r !== undefined);
  const patient = all.find((r) => r.resourceType === 'Patient');
  const resources = all.filter((r) => KEPT_TYPES.has(r.resourceType));
  fixCodeSystems(resources);
  fixDoseUnits(resources, entry);
  fixAllergyCategory(resources, entry);
  return { ok: true, resources, patientReference: patient?.id ? `Patient/${patient.id}` : undefined };
}

/**
 * Turns converter output into what the pipeline stores: no server ids or US Core profiles, no
 * links into the CDA narrative, references rewritten to the record's `urn:uuid:` full URLs
 * (`targets`); references to resources HSSK does not keep keep only their display.
 */
export function finishResource(resource: Resource, targets: ReadonlyMap<string, string>): Resource {
  const copy = structuredClone(resource) as unknown as Tree;
  delete copy['id'];
  delete copy['meta'];
  return prune(rewrite(copy, targets)) as unknown as Resource;
}

function rewrite(node: unknown, targets: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => rewrite(item, targets));
  const tree = asTree(node);
  if (tree === undefined) return node;
  if (tree['url'] === CCDA_NARRATIVE_REFERENCE_URL) return undefined;
  const reference = tree['reference'];
  if (typeof reference === 'string' && !reference.startsWith('#')) {
    const target = targets.get(reference);
    if (target !== undefined) return { reference: target };
    const display = tree['display'];
    return typeof display === 'string' && !/^[A-Za-z]+\/[^\s]+$/.test(display) ? { display } : undefined;
  }
  const out: Tree = {};
  for (const [key, value] of Object.entries(tree)) {
    // Element ids the converter invents (random UUIDs) change on every run; contained resources
    // keep theirs, which `#…` references use.
    if (key === 'id' && !('resourceType' in tree)) continue;
    out[key] = rewrite(value, targets);
  }
  return out;
}

/** Removes what rewriting emptied: undefined values, empty arrays and objects, identifiers
 *  without a value. */
function prune(node: unknown): unknown {
  if (Array.isArray(node)) {
    const items = node.map(prune).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  const tree = asTree(node);
  if (tree === undefined) return node === '' ? undefined : node;
  const out: Tree = {};
  for (const [key, value] of Object.entries(tree)) {
    const pruned = prune(value);
    if (pruned !== undefined) out[key] = pruned;
  }
  if ('system' in out && !('value' in out) && !('code' in out) && Object.keys(out).length === 1) return undefined;
  return Object.keys(out).length > 0 ? out : undefined;
}
