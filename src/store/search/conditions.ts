// Turns parsed search filters into SQL conditions on the resource table, each an index lookup
// on one of the search_* tables. Values always travel as bind parameters, never pasted into SQL.
import { parseDateRange } from '../../fhir/dates.ts';
import { foldVietnamese, normalizePhone } from '../../fhir/fold.ts';
import { badRequest } from '../../fhir/outcomes.ts';
import type { SearchParamDef } from '../../fhir/search-parameters.ts';
import type { ColumnParam, Filter, FilterValue, Prefix } from './parse.ts';

/** Collects bind parameters while SQL text is built. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function isColumn(param: SearchParamDef | ColumnParam): param is ColumnParam {
  return param.code === '_id' || param.code === '_lastUpdated';
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** Removes the backslash escapes of R4 §3.1.1.1.7 from one value. */
function unescapeValue(raw: string): string {
  return raw.replace(/\\([,$|\\])/g, '$1');
}

/** Splits `system|code` on the first unescaped pipe. */
function splitToken(raw: string): { system?: string; code?: string } {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\') {
      i++;
      continue;
    }
    if (raw[i] === '|') return { system: unescapeValue(raw.slice(0, i)), code: unescapeValue(raw.slice(i + 1)) || undefined };
  }
  return { code: unescapeValue(raw) };
}

function dateRange(raw: string, name: string): { low: string; high: string } {
  // An unencoded "+07:00" in a query string arrives as " 07:00" (form decoding turns + into a space).
  const range = parseDateRange(raw.replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (!range) throw badRequest(`Ngày "${raw}" không hợp lệ cho "${name}" (invalid date; use yyyy, yyyy-mm, yyyy-mm-dd or a dateTime)`, name);
  return { low: range.low.toISOString(), high: range.high.toISOString() };
}

/** Date comparison per R4 §3.1.1.4.5, between the value's range [low, high] and the search range. */
function dateCondition(prefix: Prefix, lowCol: string, highCol: string, low: string, high: string, sql: SqlParams): string {
  // Bind only the bounds a prefix uses: PostgreSQL refuses a statement with an unreferenced
  // parameter ("could not determine data type of parameter $n").
  const l = () => sql.add(low);
  const h = () => sql.add(high);
  switch (prefix) {
    case 'eq': return `(${lowCol} >= ${l()}::timestamptz AND ${highCol} <= ${h()}::timestamptz)`;
    case 'ne': return `NOT (${lowCol} >= ${l()}::timestamptz AND ${highCol} <= ${h()}::timestamptz)`;
    case 'gt': return `${highCol} > ${h()}::timestamptz`;
    case 'lt': return `${lowCol} < ${l()}::timestamptz`;
    case 'ge': return `${highCol} >= ${l()}::timestamptz`;
    case 'le': return `${lowCol} <= ${h()}::timestamptz`;
    case 'sa': return `${lowCol} > ${h()}::timestamptz`;
    case 'eb': return `${highCol} < ${l()}::timestamptz`;
    case 'ap': {
      // Approximately: within 10% of the distance between the value and now (R4 leaves the width to the server).
      const margin = Math.max(86_400_000, Math.abs(Date.now() - Date.parse(low)) * 0.1);
      const al = sql.add(new Date(Date.parse(low) - margin).toISOString());
      const ah = sql.add(new Date(Date.parse(high) + margin).toISOString());
      return `(${lowCol} <= ${ah}::timestamptz AND ${highCol} >= ${al}::timestamptz)`;
    }
  }
}

/** The implicit range of a number written with a given precision: "100" → [99.5, 100.5). */
function numberRange(raw: string, name: string): { value: number; low: number; high: number } {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw badRequest(`"${raw}" không phải là số (not a number)`, name);
  const value = Number(raw);
  const decimals = /\.(\d+)/.exec(raw)?.[1]?.length ?? 0;
  const half = 0.5 * 10 ** -decimals;
  return { value, low: value - half, high: value + half };
}

function numberCondition(prefix: Prefix, col: string, raw: string, name: string, sql: SqlParams): string {
  const { value, low, high } = numberRange(raw, name);
  const v = () => sql.add(value); // bound only where used, as in dateCondition
  switch (prefix) {
    case 'eq': return `(${col} >= ${sql.add(low)} AND ${col} < ${sql.add(high)})`;
    case 'ne': return `NOT (${col} >= ${sql.add(low)} AND ${col} < ${sql.add(high)})`;
    case 'gt': case 'sa': return `${col} > ${v()}`;
    case 'lt': case 'eb': return `${col} < ${v()}`;
    case 'ge': return `${col} >= ${v()}`;
    case 'le': return `${col} <= ${v()}`;
    case 'ap': return `(${col} >= ${sql.add(value - Math.abs(value) * 0.1)} AND ${col} <= ${sql.add(value + Math.abs(value) * 0.1)})`;
  }
}

/** One value's condition on the rows of an index table aliased `x`. */
function valueCondition(param: SearchParamDef, modifier: string | undefined, v: FilterValue, sql: SqlParams): string {
  const name = param.code;
  switch (param.type) {
    case 'string': {
      // Both sides NFC (see indexer): precomposed and decomposed Vietnamese compare equal.
      if (modifier === 'exact') return `x.raw = ${sql.add(unescapeValue(v.raw).normalize('NFC'))}`;
      const folded = escapeLike(foldVietnamese(unescapeValue(v.raw)));
      if (modifier === 'contains') {
        // Matching distinct values by trigram first (see migration 002), then their rows.
        return `x.value IN (SELECT v.value FROM search_string_value v WHERE v.value LIKE ${sql.add(`%${folded}%`)})`;
      }
      return `x.value LIKE ${sql.add(`${folded}%`)}`;
    }
    case 'token': {
      if (modifier === 'text') return `x.display LIKE ${sql.add(`%${escapeLike(foldVietnamese(unescapeValue(v.raw)))}%`)}`;
      const { system, code } = splitToken(v.raw);
      const normalised = code && (name === 'phone' || name === 'telecom') ? normalizePhone(code) : code;
      const parts: string[] = [];
      if (normalised !== undefined) parts.push(`x.code = ${sql.add(normalised)}`);
      if (system !== undefined) parts.push(system === '' ? 'x.system IS NULL' : `x.system = ${sql.add(system)}`);
      if (parts.length === 0) throw badRequest(`Giá trị "${v.raw}" không hợp lệ cho "${name}"`, name);
      return parts.join(' AND ');
    }
    case 'date': {
      const { low, high } = dateRange(v.raw, name);
      return dateCondition(v.prefix, 'x.low', 'x.high', low, high, sql);
    }
    case 'number':
      return numberCondition(v.prefix, 'x.value', v.raw, name, sql);
    case 'quantity': {
      const [num, system, code] = v.raw.split('|');
      const parts = [numberCondition(v.prefix, 'x.value', num ?? '', name, sql)];
      if (system) parts.push(`x.system = ${sql.add(system)}`);
      if (code) parts.push(`(x.code = ${sql.add(code)} OR x.unit = ${sql.add(code)})`);
      return parts.join(' AND ');
    }
    case 'reference': {
      const value = unescapeValue(v.raw);
      const typed = /^(?:https?:\/\/[^?#]*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(value);
      if (typed) {
        return `x.target_type = ${sql.add(typed[1])} AND x.target_id = ${sql.add(typed[2])}`;
      }
      if (modifier && /^[A-Z]/.test(modifier)) {
        return `x.target_type = ${sql.add(modifier)} AND x.target_id = ${sql.add(value)}`;
      }
      return `x.target_id = ${sql.add(value)}`;
    }
    case 'uri': {
      const value = unescapeValue(v.raw);
      if (modifier === 'below') return `x.value LIKE ${sql.add(`${escapeLike(value)}%`)}`;
      return `x.value = ${sql.add(value)}`;
    }
  }
}

function columnCondition(param: ColumnParam, filter: Filter, alias: string, sql: SqlParams): string {
  if (param.code === '_id') {
    const ids = filter.values.map((v) => unescapeValue(v.raw));
    return `${alias}.id = ANY(${sql.add(ids)}::text[])`;
  }
  const ors = filter.values.map((v) => {
    const { low, high } = dateRange(v.raw, '_lastUpdated');
    return dateCondition(v.prefix, `${alias}.last_updated`, `${alias}.last_updated`, low, high, sql);
  });
  return ors.length === 1 ? ors[0]! : `(${ors.join(' OR ')})`;
}

export type SubqueryBuilder = (targetType: string, filter: Filter, sql: SqlParams) => string;

/** The SQL condition of one filter on the resource row aliased `alias`. */
export function filterCondition(filter: Filter, alias: string, sql: SqlParams, subquery: SubqueryBuilder): string {
  const { param } = filter;
  if (isColumn(param)) return columnCondition(param, filter, alias, sql);
  const table = `search_${param.type}`;

  if (filter.chain) {
    const inner = subquery(filter.chain.targetType, filter.chain.filter, sql);
    return `${alias}.rid IN (SELECT x.rid FROM search_reference x JOIN resource t ON t.resource_type = x.target_type AND t.id = x.target_id
      WHERE x.p = ${sql.add(param.key)} AND x.target_type = ${sql.add(filter.chain.targetType)} AND t.rid IN (${inner}))`;
  }
  const key = storedUnder(param, sql);
  if (filter.modifier === 'missing') {
    const exists = `EXISTS (SELECT 1 FROM ${table} x WHERE x.rid = ${alias}.rid AND x.p ${key})`;
    return filter.values[0]!.raw === 'true' ? `NOT ${exists}` : exists;
  }
  if (filter.modifier === 'not') {
    // :not — resources that have no value matching any of the given ones (including those with no value).
    const ors = filter.values.map((v) => `(${valueCondition(param, undefined, v, sql)})`).join(' OR ');
    return `NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.rid = ${alias}.rid AND x.p ${key} AND (${ors}))`;
  }
  // "ne" on dates and numbers: the resource has a value, and none of its values equals the
  // search value. Unlike :not, a resource without any value is not a match (it is not "≠ x").
  if (filter.values.every((v) => v.prefix === 'ne')) {
    const ors = filter.values.map((v) => `(${valueCondition(param, filter.modifier, { ...v, prefix: 'eq' }, sql)})`).join(' OR ');
    return `(EXISTS (SELECT 1 FROM ${table} x WHERE x.rid = ${alias}.rid AND x.p ${key})
      AND NOT EXISTS (SELECT 1 FROM ${table} x WHERE x.rid = ${alias}.rid AND x.p ${key} AND (${ors})))`;
  }
  const ors = filter.values.map((v) => `(${valueCondition(param, filter.modifier, v, sql)})`).join(' OR ');
  return `${alias}.rid IN (SELECT x.rid FROM ${table} x WHERE x.p ${key} AND (${ors}))`;
}

/**
 * The test of an index row's key (`x.p …`) for a parameter: its own key, or with a parameter
 * whose value parts are indexed apart (a name's family and given names), those parts' keys too;
 * for a parameter selecting another's values by system (phone), that one's key and the system.
 */
function storedUnder(param: SearchParamDef, sql: SqlParams): string {
  const keys = param.storedKeys;
  if (param.rowSystem !== undefined) return `= ${sql.add(keys[0])} AND x.system = ${sql.add(param.rowSystem)}`;
  return keys.length === 1 ? `= ${sql.add(keys[0])}` : `IN (${keys.map((k) => sql.add(k)).join(', ')})`;
}

/**
 * The rows of a plain string filter (name, address, … as a prefix or `:exact`) as a set of
 * rids, for a search that takes its page from them (executeSearch): undefined for any other
 * filter. The index (p, value) INCLUDE (rid) answers it without touching the table.
 */
export function stringCandidatesSql(filter: Filter, sql: SqlParams): string | undefined {
  const { param } = filter;
  if (isColumn(param) || param.type !== 'string' || filter.chain) return undefined;
  if (filter.modifier !== undefined && filter.modifier !== 'exact') return undefined;
  if (filter.values.some((v) => v.prefix === 'ne')) return undefined;
  const key = storedUnder(param, sql);
  const ors = filter.values.map((v) => `(${valueCondition(param, filter.modifier, v, sql)})`).join(' OR ');
  return `SELECT x.rid FROM search_string x WHERE x.p ${key} AND (${ors})`;
}

/** Key used by _sort on a parameter: the smallest value ascending, the largest descending. */
export function sortExpression(param: SearchParamDef | ColumnParam, descending: boolean, alias: string, sql: SqlParams): string {
  if (isColumn(param)) return param.code === '_id' ? `${alias}.id` : `${alias}.last_updated`;
  const agg = descending ? 'max' : 'min';
  const column: Record<string, string> = {
    string: 'value', token: 'code', date: descending ? 'high' : 'low', number: 'value', quantity: 'value', reference: 'target_id', uri: 'value',
  };
  return `(SELECT ${agg}(x.${column[param.type]}) FROM search_${param.type} x WHERE x.rid = ${alias}.rid AND x.p ${storedUnder(param, sql)})`;
}
