// Validation of every write against the R4 StructureDefinitions: structure, cardinality and
// types as @medplum/core's validator checks them (structure-validator.ts finds the same errors
// faster), plus the required code bindings (which that validator leaves to a terminology server)
// from the R4 value sets. Failures become an OperationOutcome
// whose issues name the element by FHIRPath.
import { getDataType, tryGetDataType, type InternalTypeSchema } from '@medplum/core';
import type { Bundle, CodeSystem, OperationOutcomeIssue, Resource, ValueSet } from '@medplum/fhirtypes';
import { loadFhirDefinitions, readDefinitionFile, SUPPORTED_RESOURCE_TYPES } from './definitions.ts';
import { FhirError, issue, outcome } from './outcomes.ts';
import { structureErrors } from './structure-validator.ts';

interface RequiredBinding {
  path: string;
  /** The path's elements after the resource type, split once. */
  segments: string[];
  valueSet: string;
  codes: Set<string>;
}

let requiredBindings: Map<string, RequiredBinding[]> | undefined;

function resourcesOf<T>(bundle: Bundle): T[] {
  return (bundle.entry ?? []).map((e) => e.resource as T).filter(Boolean);
}

/** Expands the value sets that are plain code lists (all the R4 required ones on code elements). */
function expandValueSets(): Map<string, Set<string>> {
  const codeSystems = new Map<string, CodeSystem>();
  const valueSets = new Map<string, ValueSet>();
  for (const file of ['valuesets.json', 'v3-codesystems.json']) {
    for (const r of resourcesOf<CodeSystem | ValueSet>(readDefinitionFile<Bundle>(file))) {
      if (r.resourceType === 'CodeSystem' && r.url) codeSystems.set(r.url, r);
      if (r.resourceType === 'ValueSet' && r.url) valueSets.set(r.url, r);
    }
  }
  const flatten = (concepts: CodeSystem['concept'], into: Set<string>) => {
    for (const c of concepts ?? []) {
      if (c.code) into.add(c.code);
      flatten(c.concept, into);
    }
  };
  const expanded = new Map<string, Set<string>>();
  for (const [url, vs] of valueSets) {
    const codes = new Set<string>();
    let complete = true;
    for (const include of vs.compose?.include ?? []) {
      if (include.filter?.length || include.valueSet?.length) complete = false;
      if (include.concept?.length) include.concept.forEach((c) => codes.add(c.code!));
      else if (include.system) {
        const cs = codeSystems.get(include.system);
        if (cs?.concept?.length) flatten(cs.concept, codes);
        else complete = false;
      }
    }
    if (vs.compose?.exclude?.length) complete = false;
    if (complete && codes.size > 0) expanded.set(url, codes);
  }
  return expanded;
}

/**
 * The required bindings on code elements of a type, from @medplum/core's already indexed schema
 * (re-reading the 35 MB StructureDefinition bundle here cost seconds at every start): every
 * level of the type's backbone elements, and one level into the data types it uses
 * (HumanName.use, ContactPoint.system, Narrative.status, …).
 */
function bindingsFor(schema: InternalTypeSchema, expanded: Map<string, Set<string>>, prefix?: string): RequiredBinding[] {
  const out: RequiredBinding[] = [];
  const inner = new Map<string, InternalTypeSchema>();
  const collect = (s: InternalTypeSchema) => s.innerTypes.forEach((t) => inner.has(t.name) || (inner.set(t.name, t), collect(t)));
  collect(schema);
  const visited = new Set<string>();
  const walk = (s: InternalTypeSchema) => {
    if (visited.has(s.name)) return; // Questionnaire.item.item and other recursive backbones
    visited.add(s.name);
    for (const [key, el] of Object.entries(s.elements)) {
      if (key.includes('[x]')) continue;
      const path = prefix ? `${prefix}.${el.path.split('.').slice(1).join('.')}` : el.path;
      const binding = el.binding;
      if (binding?.strength === 'required' && binding.valueSet && el.type.every((t) => t.code === 'code')) {
        const url = binding.valueSet.split('|')[0]!;
        const codes = expanded.get(url);
        if (codes) out.push({ path, segments: path.split('.').slice(1), valueSet: url, codes });
      }
      if (el.type.length !== 1) continue;
      const typeName = el.type[0]!.code;
      const backbone = inner.get(typeName);
      if (backbone) walk(backbone);
      else if (!prefix) {
        const dataType = tryGetDataType(typeName);
        if (dataType?.kind === 'complex-type') out.push(...bindingsFor(dataType, expanded, path));
      }
    }
  };
  walk(schema);
  return out;
}

function loadRequiredBindings(): Map<string, RequiredBinding[]> {
  loadFhirDefinitions();
  const expanded = expandValueSets();
  const result = new Map<string, RequiredBinding[]>();
  for (const type of SUPPORTED_RESOURCE_TYPES) result.set(type, bindingsFor(getDataType(type), expanded));
  return result;
}

/**
 * The values at a dotted element path, each with its FHIRPath including array indices
 * (`Patient.contact[1].gender`), so that an issue points at the one offending element.
 */
function valuesAt(resource: unknown, path: string): [string, unknown][] {
  const [root, ...segments] = path.split('.');
  let current: [string, unknown][] = [[root!, resource]];
  for (const segment of segments) {
    const next: [string, unknown][] = [];
    for (const [at, value] of current) {
      if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
      const child = (value as Record<string, unknown>)[segment];
      if (Array.isArray(child)) child.forEach((c, i) => next.push([`${at}.${segment}[${i}]`, c]));
      else if (child !== undefined) next.push([`${at}.${segment}`, child]);
    }
    current = next;
  }
  return current;
}

/**
 * Whether a string at the segments below `value` is not one of the codes: the check of
 * valuesAt's values, without building their paths (a record's resources have hundreds of coded
 * values and almost never a wrong one).
 */
function holdsInvalidCode(value: unknown, segments: string[], from: number, codes: Set<string>): boolean {
  if (from === segments.length) return typeof value === 'string' && !codes.has(value);
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const child = (value as Record<string, unknown>)[segments[from]!];
  if (Array.isArray(child)) {
    for (const c of child) if (holdsInvalidCode(c, segments, from + 1, codes)) return true;
    return false;
  }
  return child !== undefined && holdsInvalidCode(child, segments, from + 1, codes);
}

function checkRequiredBindings(resource: Resource): OperationOutcomeIssue[] {
  requiredBindings ??= loadRequiredBindings();
  const issues: OperationOutcomeIssue[] = [];
  for (const binding of requiredBindings.get(resource.resourceType) ?? []) {
    if (!holdsInvalidCode(resource, binding.segments, 0, binding.codes)) continue;
    for (const [at, value] of valuesAt(resource, binding.path)) {
      if (typeof value === 'string' && !binding.codes.has(value)) {
        issues.push(
          issue(
            'code-invalid',
            `Mã "${value}" không thuộc tập giá trị bắt buộc ${binding.valueSet} (value not in the required value set)`,
            at,
          ),
        );
      }
    }
  }
  return issues;
}

/** Throws a 400 FhirError listing every problem of the resource; returns quietly when valid. */
export function assertValidResource(resource: Resource): void {
  loadFhirDefinitions();
  const issues = structureErrors(resource);
  issues.push(...checkRequiredBindings(resource));
  if (issues.length > 0) {
    throw new FhirError(
      400,
      outcome(
        ...issues.map((i) => ({
          ...i,
          details: { text: i.details?.text ?? i.diagnostics ?? 'Dữ liệu không hợp lệ (invalid)' },
        })),
      ),
    );
  }
}
