// Parses a FHIR search query (R4 §3.1.1) into a typed request: filters (AND across parameters,
// OR across comma-separated values), chains, modifiers and prefixes, and the result
// parameters (_sort, _count, _include, …). Unknown or unsupported parameters are collected so
// the caller can reject them (Prefer: handling=strict) or report them (lenient).
import { getSearchParam, listSearchParams, type SearchParamDef } from '../../fhir/search-parameters.ts';
import { isSupportedResourceType } from '../../fhir/definitions.ts';
import { badRequest } from '../../fhir/outcomes.ts';

export type Prefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb' | 'ap';
const PREFIXES = new Set<string>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/** A parameter answered from the resource table itself. */
export interface ColumnParam {
  resourceType: string;
  code: '_id' | '_lastUpdated';
  type: 'token' | 'date';
}

export interface FilterValue {
  prefix: Prefix;
  raw: string;
}

export interface Filter {
  param: SearchParamDef | ColumnParam;
  modifier?: string;
  values: FilterValue[];
  /** For chained parameters (`patient.identifier=…`): the filter applied to the referenced resource. */
  chain?: { targetType: string; filter: Filter };
}

export interface SortKey {
  param: SearchParamDef | ColumnParam;
  descending: boolean;
}

export interface IncludeTarget {
  /** '*' only with param '*': `_include=*`, every reference of whatever was found. */
  sourceType: string;
  param: SearchParamDef | '*';
  targetType?: string;
  iterate: boolean;
}

export interface ParsedSearch {
  resourceType: string;
  filters: Filter[];
  sort: SortKey[];
  count: number;
  cursor?: string;
  total: 'none' | 'estimate' | 'accurate';
  summary?: 'true' | 'text' | 'data' | 'count' | 'false';
  elements?: string[];
  include: IncludeTarget[];
  revinclude: IncludeTarget[];
  /** Parameters that were not understood, with the reason (Vietnamese). */
  unknown: { name: string; reason: string }[];
}

export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 1000;

/** Result parameters that are not filters. */
const RESULT_PARAMS = new Set([
  '_sort', '_count', '_total', '_summary', '_elements', '_include', '_revinclude', '_cursor', '_format', '_pretty',
]);

/** `_include:iterate` (R4) and `_include:recurse` (its STU3 name) follow included resources too. */
const INCLUDE_PARAM = /^_(rev)?include(?::(iterate|recurse))?$/;

const MODIFIERS: Record<string, Set<string>> = {
  string: new Set(['exact', 'contains', 'missing']),
  token: new Set(['not', 'text', 'missing']),
  date: new Set(['missing']),
  number: new Set(['missing']),
  quantity: new Set(['missing']),
  reference: new Set(['missing']),
  uri: new Set(['below', 'missing']),
};

function columnParam(resourceType: string, code: string): ColumnParam | undefined {
  if (code === '_id') return { resourceType, code, type: 'token' };
  if (code === '_lastUpdated') return { resourceType, code, type: 'date' };
  return undefined;
}

export function lookupParam(resourceType: string, code: string): SearchParamDef | ColumnParam | undefined {
  return columnParam(resourceType, code) ?? getSearchParam(resourceType, code);
}

/** Splits on commas that are not escaped with a backslash (R4 §3.1.1.1.7). */
function splitValues(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length && ',$|\\'.includes(raw[i + 1]!)) {
      current += ch + raw[i + 1];
      i++;
    } else if (ch === ',') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

function valueOf(type: string, raw: string): FilterValue {
  if ((type === 'date' || type === 'number' || type === 'quantity') && raw.length > 2 && PREFIXES.has(raw.slice(0, 2)) && !/^\d/.test(raw.slice(0, 2))) {
    return { prefix: raw.slice(0, 2) as Prefix, raw: raw.slice(2) };
  }
  return { prefix: 'eq', raw };
}

class UnknownParam extends Error {}

function parseFilter(resourceType: string, name: string, raw: string, depth = 0): Filter {
  const dot = name.indexOf('.');
  const head = dot >= 0 ? name.slice(0, dot) : name;
  const [code, modifier] = head.split(':') as [string, string | undefined];
  const param = lookupParam(resourceType, code);
  if (!param) throw new UnknownParam(`Tham số "${code}" không được hỗ trợ cho ${resourceType} (unknown search parameter)`);

  if (dot >= 0) {
    if (param.type !== 'reference' || !('targets' in param)) {
      throw new UnknownParam(`Chỉ tham số kiểu reference mới được nối chuỗi: "${head}" (only reference parameters can be chained)`);
    }
    if (depth >= 2) throw new UnknownParam('Chuỗi tham số quá dài (chains are limited to 3 levels)');
    const rest = name.slice(dot + 1);
    const restCode = rest.split(/[.:]/)[0]!;
    let targetType = modifier;
    if (targetType && !param.targets.includes(targetType)) {
      throw new UnknownParam(`"${code}" không trỏ tới ${targetType} (not a target type of ${code})`);
    }
    if (!targetType) {
      const candidates = param.targets.filter((t) => isSupportedResourceType(t) && lookupParam(t, restCode));
      if (candidates.length !== 1) {
        throw new UnknownParam(
          `Cần chỉ rõ loại tài nguyên cho chuỗi "${name}", ví dụ ${code}:${candidates[0] ?? 'Patient'}.${rest} (ambiguous chain)`,
        );
      }
      targetType = candidates[0]!;
    }
    return { param, values: [], chain: { targetType, filter: parseFilter(targetType, rest, raw, depth + 1) } };
  }

  if (modifier !== undefined) {
    const isTypeModifier = param.type === 'reference' && 'targets' in param && param.targets.includes(modifier);
    if (!isTypeModifier && !MODIFIERS[param.type]?.has(modifier)) {
      throw new UnknownParam(`Bộ bổ nghĩa ":${modifier}" không được hỗ trợ cho "${code}" (unsupported modifier)`);
    }
  }
  if (modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') throw badRequest(`:missing nhận true hoặc false, không phải "${raw}"`, name);
    return { param, modifier, values: [{ prefix: 'eq', raw }] };
  }
  const values = splitValues(raw).filter((v) => v !== '').map((v) => valueOf(param.type, v));
  if (values.length === 0) throw badRequest(`Tham số "${name}" không có giá trị (empty search value)`, name);
  return { param, modifier, values };
}

function parseSort(resourceType: string, raw: string): SortKey[] {
  return raw.split(',').filter(Boolean).map((key) => {
    const descending = key.startsWith('-');
    const code = descending ? key.slice(1) : key;
    const param = lookupParam(resourceType, code);
    if (!param) throw badRequest(`Không thể sắp xếp theo "${code}" (unknown sort parameter)`, '_sort');
    return { param, descending };
  });
}

function parseInclude(raw: string, reverse: boolean, iterateModifier: boolean): IncludeTarget {
  const parts = raw.split(':');
  const iterate = iterateModifier || parts[parts.length - 1] === 'iterate';
  if (parts[parts.length - 1] === 'iterate') parts.pop();
  const label = reverse ? '_revinclude' : '_include';
  // `_include=*`: every reference of every resource (R4 §3.1.1.5.4).
  if (!reverse && parts.length === 1 && parts[0] === '*') return { sourceType: '*', param: '*', iterate };
  const [sourceType, code, targetType] = parts;
  if (!sourceType || !code || !isSupportedResourceType(sourceType)) {
    throw badRequest(`${label}="${raw}" phải có dạng Loại:tham-số[:Đích] (must be Type:param[:Target])`, label);
  }
  if (code === '*') return { sourceType, param: '*', targetType, iterate };
  const param = getSearchParam(sourceType, code);
  if (!param || param.type !== 'reference') {
    throw badRequest(`${label}: "${sourceType}:${code}" không phải tham số tham chiếu (not a reference parameter)`, label);
  }
  return { sourceType, param, targetType, iterate };
}

function single(query: Record<string, string[]>, name: string): string | undefined {
  const v = query[name];
  return v && v.length > 0 ? v[v.length - 1] : undefined;
}

export function parseSearch(resourceType: string, query: Record<string, string[]>): ParsedSearch {
  const result: ParsedSearch = {
    resourceType,
    filters: [],
    sort: [],
    count: DEFAULT_COUNT,
    total: 'none',
    include: [],
    revinclude: [],
    unknown: [],
  };
  for (const [name, values] of Object.entries(query)) {
    if (RESULT_PARAMS.has(name) || INCLUDE_PARAM.test(name)) continue;
    for (const raw of values) {
      try {
        result.filters.push(parseFilter(resourceType, name, raw));
      } catch (err) {
        if (err instanceof UnknownParam) result.unknown.push({ name, reason: err.message });
        else throw err;
      }
    }
  }
  const count = single(query, '_count');
  if (count !== undefined) {
    if (!/^\d+$/.test(count)) throw badRequest(`_count phải là số nguyên không âm, không phải "${count}"`, '_count');
    result.count = Math.min(Number(count), MAX_COUNT);
  }
  const sort = single(query, '_sort');
  if (sort) result.sort = parseSort(resourceType, sort);
  const total = single(query, '_total');
  if (total !== undefined) {
    if (!['none', 'estimate', 'accurate'].includes(total)) throw badRequest(`_total="${total}" không hợp lệ (none | estimate | accurate)`, '_total');
    result.total = total as ParsedSearch['total'];
  }
  const summary = single(query, '_summary');
  if (summary !== undefined) {
    if (!['true', 'text', 'data', 'count', 'false'].includes(summary)) throw badRequest(`_summary="${summary}" không hợp lệ`, '_summary');
    result.summary = summary as ParsedSearch['summary'];
  }
  const elements = single(query, '_elements');
  if (elements) result.elements = elements.split(',').map((e) => e.trim()).filter(Boolean);
  result.cursor = single(query, '_cursor');
  for (const [name, values] of Object.entries(query)) {
    const m = INCLUDE_PARAM.exec(name);
    if (!m) continue;
    const reverse = m[1] === 'rev';
    for (const raw of values) (reverse ? result.revinclude : result.include).push(parseInclude(raw, reverse, m[2] !== undefined));
  }
  return result;
}

/** Every parameter a client may use on a type (for the CapabilityStatement). */
export function supportedParams(resourceType: string): SearchParamDef[] {
  return listSearchParams(resourceType);
}
