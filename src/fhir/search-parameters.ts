// The search parameters HSSK supports for each resource type: the R4 definitions of type
// string, token, date, reference, quantity, number and uri (composite and special ones are not
// supported and not advertised), plus HSSK's own. Each gets a stable 32-bit key used by the
// index tables.
import { createHash } from 'node:crypto';
import { getSearchParameters, parseFhirPath, type FhirPathAtom } from '@medplum/core';
import type { SearchParameter } from '@medplum/fhirtypes';
import { loadFhirDefinitions, SUPPORTED_RESOURCE_TYPES } from './definitions.ts';

export type IndexedParamType = 'string' | 'token' | 'date' | 'reference' | 'quantity' | 'number' | 'uri';

export interface SearchParamDef {
  resourceType: string;
  code: string;
  type: IndexedParamType;
  expression: string;
  parsed: FhirPathAtom;
  /** Reference target types (reference parameters). */
  targets: string[];
  /** Key of this (resource type, parameter) in the index tables. */
  key: number;
  definition: SearchParameter;
  /**
   * Top-level elements the expression starts from (`Patient.telecom.where(…)` → telecom), or
   * undefined when that cannot be read off the expression. A resource without any of them has
   * no value for the parameter, so the indexer skips evaluating it.
   */
  roots?: string[];
  /**
   * Keys of the index rows that hold this parameter's values: its own first, then those of the
   * parameters that index parts of its values (Patient.name: family, given; Patient.address:
   * city, state, postalCode, country), whose values its own rows leave out (`partsIndexedApart`).
   */
  storedKeys: number[];
  /** Parts of each value that parameters of their own index (see storedKeys); absent: none. */
  partsIndexedApart?: string[];
  /**
   * A parameter that selects the values of another by system (Patient.phone is
   * `Patient.telecom.where(system='phone')`) has no rows of its own: its values are that
   * parameter's rows (storedKeys) with this system.
   */
  rowSystem?: string;
}

/** The first element after the type in every union branch, if every branch has one. */
export function expressionRoots(expression: string): string[] | undefined {
  const roots = new Set<string>();
  for (const part of expression.split(/\s*\|\s*/)) {
    const m = /^\(*\s*(?:[A-Z][A-Za-z]+)\.([a-z][A-Za-z0-9]*)/.exec(part.trim());
    if (!m) return undefined;
    roots.add(m[1]!);
  }
  return [...roots];
}

/** Parameters answered from the resource table's own columns, not from index tables. */
export const COLUMN_PARAMS = new Set(['_id', '_lastUpdated']);

const INDEXED_TYPES = new Set<string>(['string', 'token', 'date', 'reference', 'quantity', 'number', 'uri']);
// phonetic: R4 leaves the algorithm open and the folded name search already ignores diacritics.
const EXCLUDED_CODES = new Set(['_project', '_compartment', '_author', '_id', '_lastUpdated', 'phonetic']);

/** 32-bit signed key of "ResourceType.code" (first 4 bytes of MD5: stable across processes and versions). */
export function paramKey(resourceType: string, code: string): number {
  return createHash('md5').update(`${resourceType}.${code}`).digest().readInt32BE(0);
}

/** Extracts the part of a multi-type expression ("A.x | B.y") that applies to one resource type. */
function expressionFor(resourceType: string, expression: string): string | undefined {
  const parts = expression.split(/\s*\|\s*/).filter((part) => {
    const head = part.trim().replace(/^\(+/, '');
    return head.startsWith(`${resourceType}.`) || head === resourceType;
  });
  if (parts.length > 0) return parts.join(' | ');
  // Expressions on Resource-level elements (meta.tag, …) apply to every type.
  if (/^(Resource|DomainResource)\./.test(expression)) return expression;
  return undefined;
}

let registry: Map<string, Map<string, SearchParamDef>> | undefined;

function build(): Map<string, Map<string, SearchParamDef>> {
  loadFhirDefinitions();
  const result = new Map<string, Map<string, SearchParamDef>>();
  for (const resourceType of SUPPORTED_RESOURCE_TYPES) {
    const byCode = new Map<string, SearchParamDef>();
    const params = getSearchParameters(resourceType) ?? {};
    for (const [code, definition] of Object.entries(params)) {
      if (EXCLUDED_CODES.has(code) || !INDEXED_TYPES.has(definition.type ?? '') || !definition.expression) continue;
      const expression = expressionFor(resourceType, definition.expression);
      if (!expression) continue;
      let parsed: FhirPathAtom;
      try {
        parsed = parseFhirPath(expression);
      } catch {
        continue; // An expression the FHIRPath engine cannot parse is not advertised.
      }
      byCode.set(code, {
        resourceType,
        code,
        type: definition.type as IndexedParamType,
        expression,
        parsed,
        targets: ((definition.target ?? []) as string[]).filter((t) => t !== 'Resource'),
        key: paramKey(resourceType, code),
        definition,
        roots: expressionRoots(expression),
        storedKeys: [paramKey(resourceType, code)],
      });
    }
    linkPartParams(byCode);
    linkSystemSubsets(byCode);
    result.set(resourceType, byCode);
  }
  return result;
}

/**
 * A string parameter `T.e` and the string parameters `T.e.part` of the same type: the part's
 * rows hold those values already, so the whole's rows leave them out and its searches read both
 * (a Patient's name parts and address city and country were a third of its string rows, each a
 * heap row and two B-tree entries per write).
 */
function linkPartParams(byCode: Map<string, SearchParamDef>): void {
  const strings = [...byCode.values()].filter((d) => d.type === 'string');
  for (const whole of strings) {
    if (!/^[A-Z][A-Za-z]+\.[a-z][A-Za-z]*$/.test(whole.expression)) continue;
    for (const part of strings) {
      const m = /^[A-Z][A-Za-z]+\.[a-z][A-Za-z]*\.([a-z][A-Za-z]*)$/.exec(part.expression);
      if (!m || !part.expression.startsWith(`${whole.expression}.`)) continue;
      whole.storedKeys.push(part.key);
      (whole.partsIndexedApart ??= []).push(m[1]!);
    }
  }
}

/**
 * A token parameter `E.where(system='x')` beside a token parameter `E` of the same type: its rows
 * would repeat E's rows of system x (every phone number twice, under phone and telecom).
 */
function linkSystemSubsets(byCode: Map<string, SearchParamDef>): void {
  const tokens = [...byCode.values()].filter((d) => d.type === 'token');
  for (const subset of tokens) {
    const m = /^(.+)\.where\(system\s*=\s*'([a-z]+)'\)$/.exec(subset.expression);
    const whole = m && tokens.find((d) => d.expression === m[1]);
    if (!m || !whole) continue;
    subset.storedKeys = [whole.key];
    subset.rowSystem = m[2];
  }
}

function getRegistry(): Map<string, Map<string, SearchParamDef>> {
  registry ??= build();
  return registry;
}

export function getSearchParam(resourceType: string, code: string): SearchParamDef | undefined {
  return getRegistry().get(resourceType)?.get(code);
}

export function listSearchParams(resourceType: string): SearchParamDef[] {
  return [...(getRegistry().get(resourceType)?.values() ?? [])];
}
