// Builds response Bundles. Stored resources are spliced in as the JSON text they were stored
// as (no parse/serialise round trip on the hot path); only _elements/_summary parse them.
import { tryGetDataType } from '@medplum/core';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { loadFhirDefinitions } from '../../fhir/definitions.ts';
import type { ResourceRow } from '../../store/search/execute.ts';

export interface SearchBundleInput {
  baseUrl: string;
  resourceType?: string;
  matches: ResourceRow[];
  included: ResourceRow[];
  total?: number;
  links: { relation: string; url: string }[];
  outcome?: OperationOutcome;
  subset?: (content: string) => string;
}

function entryJson(baseUrl: string, row: ResourceRow, mode: 'match' | 'include', subset?: (c: string) => string): string {
  const fullUrl = JSON.stringify(`${baseUrl}/${row.resourceType}/${row.id}`);
  const resource = subset ? subset(row.content) : row.content;
  return `{"fullUrl":${fullUrl},"resource":${resource},"search":{"mode":"${mode}"}}`;
}

export function searchBundleJson(input: SearchBundleInput): string {
  const entries = [
    ...input.matches.map((r) => entryJson(input.baseUrl, r, 'match', input.subset)),
    ...input.included.map((r) => entryJson(input.baseUrl, r, 'include', input.subset)),
  ];
  if (input.outcome) {
    entries.push(`{"resource":${JSON.stringify(input.outcome)},"search":{"mode":"outcome"}}`);
  }
  const head: Record<string, unknown> = { resourceType: 'Bundle', type: 'searchset' };
  if (input.total !== undefined) head.total = input.total;
  head.link = input.links;
  const headJson = JSON.stringify(head);
  return `${headJson.slice(0, -1)},"entry":[${entries.join(',')}]}`;
}

/**
 * Top-level elements marked isSummary in the R4 StructureDefinitions, choice elements without
 * [x] — from @medplum/core's indexed schema rather than re-reading the definitions bundle.
 */
function summaryFor(resourceType: string): Set<string> {
  loadFhirDefinitions();
  return tryGetDataType(resourceType)?.summaryProperties ?? new Set();
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' };

function markSubsetted(resource: Record<string, unknown>): void {
  const meta = (resource.meta ?? {}) as { tag?: unknown[] };
  resource.meta = { ...meta, tag: [...(meta.tag ?? []), SUBSETTED] };
}

function keepKey(key: string, keep: (name: string) => boolean): boolean {
  if (key === 'resourceType' || key === 'id' || key === 'meta') return true;
  const base = key.replace(/^_/, '');
  if (keep(base)) return true;
  // Choice elements: `value` selects valueQuantity, valueString, …
  const choice = /^([a-z]+)[A-Z]/.exec(base)?.[1];
  return choice !== undefined && keep(choice);
}

/** A function that subsets stored JSON for _elements / _summary, or undefined when nothing is asked. */
export function subsetter(summary: string | undefined, elements: string[] | undefined): ((content: string) => string) | undefined {
  if (elements && elements.length > 0) {
    const wanted = new Set(elements.map((e) => e.split('.').pop()!));
    return (content) => {
      const r = JSON.parse(content) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (keepKey(k, (n) => wanted.has(n))) out[k] = v;
      markSubsetted(out);
      return JSON.stringify(out);
    };
  }
  if (summary === 'true') {
    return (content) => {
      const r = JSON.parse(content) as Record<string, unknown>;
      const allowed = summaryFor(String(r.resourceType));
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (keepKey(k, (n) => allowed.has(n))) out[k] = v;
      markSubsetted(out);
      return JSON.stringify(out);
    };
  }
  if (summary === 'text') {
    return (content) => {
      const r = JSON.parse(content) as Record<string, unknown>;
      const out: Record<string, unknown> = { resourceType: r.resourceType, id: r.id, meta: r.meta, text: r.text };
      markSubsetted(out);
      return JSON.stringify(out);
    };
  }
  if (summary === 'data') {
    return (content) => {
      const r = JSON.parse(content) as Record<string, unknown>;
      delete r.text;
      markSubsetted(r);
      return JSON.stringify(r);
    };
  }
  return undefined;
}
