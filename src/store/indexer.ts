// Extracts the search index rows of a resource at write time: every supported search parameter's
// FHIRPath expression is evaluated once, and its values become rows of the index tables
// (search_token, search_string, …), so that every search is an index lookup.
import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import { parseDateRange } from '../fhir/dates.ts';
import type { Resource } from '@medplum/fhirtypes';
import { foldVietnamese, normalizePhone } from '../fhir/fold.ts';
import { listSearchParams, type SearchParamDef } from '../fhir/search-parameters.ts';
import { patientCompartmentParams } from '../fhir/compartment.ts';
import { compilePath, evaluatePath, type CompiledPath } from './index-paths.ts';

export interface IndexRows {
  token: [p: number, system: string | null, code: string | null, display: string | null][];
  string: [p: number, value: string, raw: string][];
  date: [p: number, low: string | null, high: string | null][];
  number: [p: number, value: number][];
  quantity: [p: number, value: number, system: string | null, code: string | null, unit: string | null][];
  reference: [p: number, targetType: string | null, targetId: string][];
  uri: [p: number, value: string][];
}

export function emptyIndexRows(): IndexRows {
  return { token: [], string: [], date: [], number: [], quantity: [], reference: [], uri: [] };
}

const MAX_STRING = 512;

interface TokenValue {
  system?: string;
  code?: string;
  display?: string;
}

function tokenValues(tv: TypedValue): TokenValue[] {
  const v = tv.value as Record<string, unknown> | string | number | boolean | undefined | null;
  if (v === undefined || v === null) return [];
  switch (tv.type) {
    case 'CodeableConcept': {
      const cc = v as { coding?: { system?: string; code?: string; display?: string }[]; text?: string };
      const out: TokenValue[] = (cc.coding ?? []).map((c) => ({
        system: c.system,
        code: c.code,
        display: c.display ?? cc.text,
      }));
      if (out.length === 0 && cc.text) out.push({ display: cc.text });
      return out;
    }
    case 'Coding': {
      const c = v as { system?: string; code?: string; display?: string };
      return [{ system: c.system, code: c.code, display: c.display }];
    }
    case 'Identifier': {
      const id = v as { system?: string; value?: string; type?: { text?: string } };
      return [{ system: id.system, code: id.value, display: id.type?.text }];
    }
    case 'ContactPoint': {
      const cp = v as { system?: string; value?: string };
      if (!cp.value) return [];
      const code = cp.system === 'phone' || cp.system === 'sms' ? normalizePhone(cp.value) : cp.value;
      return [{ system: cp.system, code }];
    }
    case 'Reference': {
      const ref = v as { identifier?: { system?: string; value?: string } };
      return ref.identifier ? [{ system: ref.identifier.system, code: ref.identifier.value }] : [];
    }
    default:
      if (typeof v === 'object') return [];
      return [{ code: String(v) }];
  }
}

function stringValues(tv: TypedValue): string[] {
  const v = tv.value as Record<string, unknown> | string | undefined;
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (tv.type === 'HumanName') {
    const name = v as { text?: string; family?: string; given?: string[]; prefix?: string[]; suffix?: string[] };
    const given = name.given ?? [];
    // Vietnamese order is family name first: "Nguyễn Văn An". Both orders are indexed so that
    // foreign names entered given-first are found too.
    const full = [name.family, ...given].filter(Boolean).join(' ');
    const reversed = [...given, name.family].filter(Boolean).join(' ');
    return [name.text, full, reversed, name.family, ...given, given.join(' '), ...(name.prefix ?? []), ...(name.suffix ?? [])].filter(
      (s): s is string => typeof s === 'string' && s.length > 0,
    );
  }
  if (tv.type === 'Address') {
    const a = v as Record<string, string | string[] | undefined>;
    const parts = [a.line, a.city, a.district, a.state, a.postalCode, a.country].flat().filter((s): s is string => !!s);
    return [a.text as string | undefined, parts.join(', '), ...parts].filter((s): s is string => !!s);
  }
  if (typeof v === 'object') {
    const text = (v as { text?: string; display?: string }).text ?? (v as { display?: string }).display;
    return text ? [text] : [];
  }
  return [String(v)];
}

/** [low, high] of a date-like value; open ends of a Period are ±infinity. */
function dateRangeOf(tv: TypedValue): [string, string] | undefined {
  const v = tv.value as string | { start?: string; end?: string; event?: string[] } | undefined;
  if (typeof v === 'string') {
    const r = parseDateRange(v);
    return r ? [r.low.toISOString(), r.high.toISOString()] : undefined;
  }
  if (v && typeof v === 'object') {
    if (tv.type === 'Period' || 'start' in v || 'end' in v) {
      const start = v.start ? parseDateRange(v.start) : undefined;
      const end = v.end ? parseDateRange(v.end) : undefined;
      if (!start && !end) return undefined;
      return [start ? start.low.toISOString() : '-infinity', end ? end.high.toISOString() : 'infinity'];
    }
    if (tv.type === 'Timing' && v.event?.length) {
      const ranges = v.event.map(parseDateRange).filter((r): r is NonNullable<typeof r> => !!r);
      if (ranges.length === 0) return undefined;
      const low = Math.min(...ranges.map((r) => r.low.getTime()));
      const high = Math.max(...ranges.map((r) => r.high.getTime()));
      return [new Date(low).toISOString(), new Date(high).toISOString()];
    }
  }
  return undefined;
}

function referenceTarget(reference: string): [string | null, string] | undefined {
  if (reference.startsWith('#')) return undefined; // contained
  const relative = /^(?:.*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(reference);
  if (relative) return [relative[1]!, relative[2]!];
  return [null, reference];
}

/**
 * Folded text by input: names, places and code displays repeat from one resource to the next
 * (a household import folds the same commune and family names thousands of times), and folding
 * (NFD, several regular expressions) was a tenth of index extraction. Cleared when large, so
 * memory stays bounded.
 */
const foldedCache = new Map<string, string>();
function foldCached(text: string): string {
  let folded = foldedCache.get(text);
  if (folded === undefined) {
    if (foldedCache.size >= 50_000) foldedCache.clear();
    folded = foldVietnamese(text);
    foldedCache.set(text, folded);
  }
  return folded;
}

/** What a string index row holds of a value: folded, and as written (trimmed, NFC). */
function stringRow(raw: string): [folded: string, trimmed: string] {
  // NFC: Vietnamese typed in "Unicode tổ hợp" (decomposed) must still match :exact.
  const trimmed = raw.slice(0, MAX_STRING).normalize('NFC');
  return [foldCached(trimmed), trimmed];
}

function addValues(rows: IndexRows, param: SearchParamDef, values: TypedValue[]): void {
  const p = param.key;
  switch (param.type) {
    case 'token': {
      const first = rows.token.length;
      for (const tv of values) {
        for (const t of tokenValues(tv)) {
          if (t.code === undefined && t.system === undefined && t.display === undefined) continue;
          rows.token.push([p, t.system ?? null, t.code ?? null, t.display ? foldCached(t.display).slice(0, MAX_STRING) : null]);
        }
      }
      // The same token twice (an Appointment's participants all 'accepted', a repeated coding)
      // is one index row: a search matches the resource once either way.
      if (rows.token.length - first > 1) dedupeTokens(rows.token, first);
      break;
    }
    case 'string': {
      const seen = new Set<string>();
      const parts = param.partsIndexedApart;
      for (const tv of values) {
        // Parts that parameters of their own index (a name's family and given names): their
        // rows answer this parameter's searches too (storedKeys), so a value equal to one of
        // them adds nothing here.
        if (parts && tv.value && typeof tv.value === 'object') {
          for (const part of parts) {
            for (const raw of [(tv.value as Record<string, unknown>)[part]].flat()) {
              if (typeof raw !== 'string' || raw.length === 0) continue;
              const [folded, trimmed] = stringRow(raw);
              seen.add(`${folded}\u0000${trimmed}`);
            }
          }
        }
        for (const raw of stringValues(tv)) {
          const [folded, trimmed] = stringRow(raw);
          const key = `${folded}\u0000${trimmed}`;
          if (folded.length === 0 || seen.has(key)) continue;
          seen.add(key);
          rows.string.push([p, folded, trimmed]);
        }
      }
      break;
    }
    case 'date':
      for (const tv of values) {
        const range = dateRangeOf(tv);
        if (range) rows.date.push([p, range[0], range[1]]);
      }
      break;
    case 'number':
      for (const tv of values) {
        const n = typeof tv.value === 'number' ? tv.value : Number((tv.value as { value?: number })?.value);
        if (Number.isFinite(n)) rows.number.push([p, n]);
      }
      break;
    case 'quantity':
      for (const tv of values) {
        const q = tv.value as { value?: number; system?: string; code?: string; unit?: string };
        if (typeof q?.value === 'number') rows.quantity.push([p, q.value, q.system ?? null, q.code ?? null, q.unit ?? null]);
      }
      break;
    case 'reference':
      for (const tv of values) {
        const ref = (tv.value as { reference?: string })?.reference ?? (typeof tv.value === 'string' ? tv.value : undefined);
        if (!ref) continue;
        const target = referenceTarget(ref);
        if (target) rows.reference.push([p, target[0], target[1]]);
      }
      break;
    case 'uri':
      for (const tv of values) {
        if (typeof tv.value === 'string') rows.uri.push([p, tv.value.slice(0, MAX_STRING)]);
      }
      break;
  }
}

/** Removes the repeated rows among rows[from…] (one parameter's), keeping the first of each. */
function dedupeTokens(rows: IndexRows['token'], from: number): void {
  const seen = new Set<string>();
  let to = from;
  for (let i = from; i < rows.length; i++) {
    const [, system, code, display] = rows[i]!;
    const key = `${system ?? '\u0001'}\u0000${code ?? '\u0001'}\u0000${display ?? '\u0001'}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows[to++] = rows[i]!;
  }
  rows.length = to;
}

export interface ExtractedIndex {
  rows: IndexRows;
  /** The Patient compartment this resource belongs to, if any. */
  compartment: string | undefined;
}

/** Whether the resource has the element, directly or as a choice type (`deceased` → deceasedBoolean). */
function hasRoot(resource: Resource, keys: string[], root: string): boolean {
  if (root in resource) return true;
  return keys.some((k) => k.length > root.length && k.startsWith(root) && k.charCodeAt(root.length) >= 65 && k.charCodeAt(root.length) <= 90);
}

/** Each parameter's compiled path (null: the FHIRPath engine evaluates it), by parameter key. */
const compiled = new Map<number, CompiledPath | null>();
function compiledPath(param: SearchParamDef): CompiledPath | null {
  let path = compiled.get(param.key);
  if (path === undefined) compiled.set(param.key, (path = compilePath(param.resourceType, param.expression) ?? null));
  return path;
}

function valuesOf(resource: Resource, param: SearchParamDef, input: () => TypedValue[], usePaths: boolean): TypedValue[] {
  const path = usePaths ? compiledPath(param) : null;
  if (path) return evaluatePath(path, resource);
  try {
    return evalFhirPathTyped(param.parsed, input());
  } catch {
    return []; // A parameter whose expression does not apply to this instance has no value.
  }
}

/**
 * The index rows of a resource. `usePaths: false` evaluates every expression with the FHIRPath
 * engine: the reference the compiled paths are tested against.
 */
export function extractIndex(resource: Resource, { usePaths = true }: { usePaths?: boolean } = {}): ExtractedIndex {
  const rows = emptyIndexRows();
  let typed: TypedValue[] | undefined;
  const input = () => (typed ??= [toTypedValue(resource)]);
  const keys = Object.keys(resource);
  for (const param of listSearchParams(resource.resourceType)) {
    // Its values are another parameter's rows (phone: telecom's of system phone).
    if (param.rowSystem !== undefined) continue;
    if (param.roots && !param.roots.some((root) => hasRoot(resource, keys, root))) continue;
    const values = valuesOf(resource, param, input, usePaths);
    if (values.length > 0) addValues(rows, param, values);
  }
  return { rows, compartment: compartmentOf(resource, rows) };
}

function compartmentOf(resource: Resource, rows: IndexRows): string | undefined {
  if (resource.resourceType === 'Patient') return resource.id;
  const params = patientCompartmentParams(resource.resourceType);
  if (params.length === 0) return undefined;
  for (const paramKey of params) {
    const hit = rows.reference.find(([p, type]) => p === paramKey && type === 'Patient');
    if (hit) return hit[2];
  }
  return undefined;
}
