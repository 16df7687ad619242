// Runs a parsed search: one SQL query for the page (keyset paging, so links stay correct while
// data changes), optional counts, and _include/_revinclude lookups. The caller's access rule is
// a condition inside every one of these queries, so paging, counts and includes never reveal
// a resource the caller may not see.
import { badRequest } from '../../fhir/outcomes.ts';
import { listSearchParams } from '../../fhir/search-parameters.ts';
import type { Queryable } from '../database.ts';
import { filterCondition, sortExpression, SqlParams, stringCandidatesSql } from './conditions.ts';
import type { Filter, IncludeTarget, ParsedSearch } from './parse.ts';

/** The caller's access rule as a SQL condition on a resource row alias; undefined = unrestricted. */
export interface AccessCondition {
  /** The caller's read rule over the resource row `alias` (with the session check, if any). */
  (alias: string, sql: SqlParams): string | undefined;
  /**
   * A portal session served from memory: the check that it is unchanged (hssk_session_gate),
   * to state once at the top of a statement, and the rule without it (`rows`) for the places
   * that statement would otherwise repeat it (once per row of a lateral join, inside an OR).
   * It raises (HS401) when the session changed.
   */
  gate?: (sql: SqlParams) => string;
  rows?: (alias: string, sql: SqlParams) => string | undefined;
  /**
   * The same check as a filter, for a named prepared statement (a read by id), where it is
   * cheaper to run: it lets no row through when the session changed, and cannot raise — so a
   * statement that finds nothing calls `confirm`, which raises as the gate does if the session
   * changed and returns if it did not (the row is simply not there, or not visible).
   */
  probe?: (sql: SqlParams) => string;
  confirm?: (db: Queryable) => Promise<void>;
}

export interface ResourceRow {
  rid: number;
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  content: string;
  /** The Patient compartment (for the audit trail: whose record was read). */
  compartment?: string | null;
}

export interface SearchOutcome {
  matches: ResourceRow[];
  included: ResourceRow[];
  total?: number;
  next?: string;
  previous?: string;
}

interface Cursor {
  /** Sort key values of the anchor row, then its rid. */
  v: (string | number | null)[];
  r: number;
  /** 'n': rows after the anchor; 'p': rows before it. */
  d: 'n' | 'p';
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (!Array.isArray(c.v) || typeof c.r !== 'number' || (c.d !== 'n' && c.d !== 'p')) throw new Error('shape');
    return c;
  } catch {
    throw badRequest('Con trỏ phân trang (_cursor) không hợp lệ (invalid paging cursor)', '_cursor');
  }
}

function subqueryBuilder(access: AccessCondition | undefined) {
  const build = (targetType: string, filter: Filter, sql: SqlParams): string => {
    const alias = `t${sql.values.length}`;
    const conds = [
      `${alias}.resource_type = ${sql.add(targetType)}`,
      `NOT ${alias}.deleted`,
      filterCondition(filter, alias, sql, build),
    ];
    const acc = access?.(alias, sql);
    if (acc) conds.push(acc);
    return `SELECT ${alias}.rid FROM resource ${alias} WHERE ${conds.join(' AND ')}`;
  };
  return build;
}

function whereClause(search: ParsedSearch, sql: SqlParams, access: AccessCondition | undefined): string {
  const conds = [`r.resource_type = ${sql.add(search.resourceType)}`, 'NOT r.deleted'];
  const sub = subqueryBuilder(access);
  for (const filter of search.filters) conds.push(filterCondition(filter, 'r', sql, sub));
  const acc = access?.('r', sql);
  if (acc) conds.push(acc);
  return conds.join('\n  AND ');
}

/** Keyset condition: rows strictly after (forward) or before (backward) the anchor in sort order. */
function keysetCondition(
  keys: { expr: string; descending: boolean }[],
  cursor: Cursor,
  sql: SqlParams,
): string {
  const forward = cursor.d === 'n';
  const build = (i: number): string => {
    if (i === keys.length) return `q.rid ${forward ? '>' : '<'} ${sql.add(cursor.r)}`;
    const { descending } = keys[i]!;
    const col = `q.s${i}`;
    const v = cursor.v[i];
    const rest = build(i + 1);
    // Sort order is ASC/DESC with NULLS LAST; "after" follows it, "before" reverses it.
    if (v === null || v === undefined) {
      return forward ? `(${col} IS NULL AND ${rest})` : `(${col} IS NOT NULL OR (${col} IS NULL AND ${rest}))`;
    }
    const p = sql.add(v);
    const after = descending ? '<' : '>';
    const before = descending ? '>' : '<';
    return forward
      ? `(${col} ${after} ${p} OR ${col} IS NULL OR (${col} = ${p} AND ${rest}))`
      : `(${col} ${before} ${p} OR (${col} = ${p} AND ${rest}))`;
  };
  return build(0);
}

function toRow(r: { rid: number; resource_type: string; id: string; version_id: number; last_updated: Date; content: string; compartment?: string | null }): ResourceRow {
  return { rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, content: r.content, compartment: r.compartment };
}

function sortValue(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return v;
  return String(v);
}

/**
 * A search by one string filter alone (`Patient?name=nguyen thi hoa`), in the default order:
 * the page is cut from the filter's rids before any resource row is read. The general query
 * reads every matching resource and then sorts them — at 1,000,000 Patients a common name
 * matches over a thousand, 12 ms of PostgreSQL CPU and far more from a cold disk, for a page
 * of 20. Here the rids come sorted from the index alone and resources are fetched (type,
 * deletion and access checked on each) only until the page is full. Same rows, same order
 * (by rid), same keyset cursor as the general query.
 */
function pageFromCandidates(search: ParsedSearch, access: AccessCondition | undefined, cursor: Cursor | undefined, forward: boolean): { text: string; values: unknown[] } | undefined {
  if (search.sort.length > 0 || search.filters.length !== 1) return undefined;
  const sql = new SqlParams();
  const candidates = stringCandidatesSql(search.filters[0]!, sql);
  if (!candidates) return undefined;
  const bound = cursor ? ` AND x.rid ${forward ? '>' : '<'} ${sql.add(cursor.r)}` : '';
  const direction = forward ? 'ASC' : 'DESC';
  const conds = [`r.rid = c.rid`, `r.resource_type = ${sql.add(search.resourceType)}`, 'NOT r.deleted'];
  // A cached session's check once for the statement, not once per candidate of the lateral join.
  const gate = access?.gate?.(sql);
  const acc = access && (access.rows ?? access)('r', sql);
  if (acc) conds.push(acc);
  const text =
    `SELECT r.* FROM (SELECT DISTINCT x.rid FROM (${candidates}${bound}) x ORDER BY x.rid ${direction}) c` +
    ` CROSS JOIN LATERAL (SELECT r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.content, r.compartment FROM resource r WHERE ${conds.join(' AND ')}) r` +
    `${gate ? ` WHERE ${gate}` : ''} ORDER BY c.rid ${direction} LIMIT ${sql.add(search.count + 1)}`;
  return { text, values: sql.values };
}

export async function executeSearch(db: Queryable, search: ParsedSearch, access?: AccessCondition): Promise<SearchOutcome> {
  const result: SearchOutcome = { matches: [], included: [] };
  const countOnly = search.summary === 'count' || search.count === 0;

  if (search.total === 'accurate' || countOnly) {
    const sql = new SqlParams();
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM resource r WHERE ${whereClause(search, sql, access)}`, sql.values);
    result.total = rows[0]?.n ?? 0;
  } else if (search.total === 'estimate') {
    const sql = new SqlParams();
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Plan Rows': number } }] }>(
      `EXPLAIN (FORMAT JSON) SELECT 1 FROM resource r WHERE ${whereClause(search, sql, access)}`,
      sql.values,
    );
    result.total = Math.round(rows[0]?.['QUERY PLAN'][0].Plan['Plan Rows'] ?? 0);
  }
  if (countOnly) return result;

  const sql = new SqlParams();
  const where = whereClause(search, sql, access);
  const keys = search.sort.map((s) => ({ expr: sortExpression(s.param, s.descending, 'r', sql), descending: s.descending }));
  const cursor = search.cursor ? decodeCursor(search.cursor) : undefined;
  if (cursor && cursor.v.length !== keys.length) throw badRequest('Con trỏ phân trang không khớp với _sort (cursor does not match _sort)', '_cursor');
  const forward = !cursor || cursor.d === 'n';
  const order = [
    ...keys.map((k, i) => {
      const desc = forward ? k.descending : !k.descending;
      return `q.s${i} ${desc ? 'DESC' : 'ASC'} NULLS ${forward ? 'LAST' : 'FIRST'}`;
    }),
    `q.rid ${forward ? 'ASC' : 'DESC'}`,
  ].join(', ');
  const select = ['r.rid', 'r.resource_type', 'r.id', 'r.version_id', 'r.last_updated', 'r.content', 'r.compartment', ...keys.map((k, i) => `${k.expr} AS s${i}`)];
  const query = pageFromCandidates(search, access, cursor, forward) ?? (() => {
    const keyset = cursor ? `WHERE ${keysetCondition(keys, cursor, sql)}` : '';
    const limit = sql.add(search.count + 1);
    return { text: `SELECT * FROM (SELECT ${select.join(', ')} FROM resource r WHERE ${where}) q ${keyset} ORDER BY ${order} LIMIT ${limit}`, values: sql.values };
  })();
  const { rows } = await db.query(query.text, query.values);
  const more = rows.length > search.count;
  const page = rows.slice(0, search.count);
  if (!forward) page.reverse();
  result.matches = page.map(toRow);

  const anchor = (row: Record<string, unknown>, d: 'n' | 'p'): string =>
    encodeCursor({ v: keys.map((_, i) => sortValue(row[`s${i}`])), r: Number(row.rid), d });
  if (page.length > 0) {
    const first = page[0]!;
    const last = page[page.length - 1]!;
    if (forward) {
      if (more) result.next = anchor(last, 'n');
      if (cursor) result.previous = anchor(first, 'p');
    } else {
      result.next = anchor(last, 'n');
      if (more) result.previous = anchor(first, 'p');
    }
  }
  if (search.total === 'none' && !cursor && !more) result.total = page.length;

  if (search.include.length > 0 || search.revinclude.length > 0) {
    result.included = await fetchIncludes(db, search, result.matches, access);
  }
  return result;
}

const MAX_ITERATIONS = 3;
const MAX_INCLUDED = 1000;

async function fetchIncludes(
  db: Queryable,
  search: ParsedSearch,
  matches: ResourceRow[],
  access: AccessCondition | undefined,
): Promise<ResourceRow[]> {
  const seen = new Set(matches.map((m) => m.rid));
  const included: ResourceRow[] = [];
  let frontier = matches;
  for (let depth = 0; depth < MAX_ITERATIONS && frontier.length > 0; depth++) {
    const found: ResourceRow[] = [];
    for (const target of search.include) {
      if (depth > 0 && !target.iterate) continue;
      found.push(...(await includeForward(db, target, frontier, access)));
    }
    for (const target of search.revinclude) {
      if (depth > 0 && !target.iterate) continue;
      found.push(...(await includeReverse(db, target, frontier, access)));
    }
    frontier = [];
    for (const row of found) {
      if (seen.has(row.rid)) continue;
      seen.add(row.rid);
      included.push(row);
      frontier.push(row);
      if (included.length >= MAX_INCLUDED) return included;
    }
  }
  return included;
}

function includeKeys(target: IncludeTarget, sourceTypes: string[]): number[] {
  if (target.param !== '*') return [target.param.key];
  return sourceTypes.flatMap((type) => listSearchParams(type).filter((p) => p.type === 'reference').map((p) => p.key));
}

const ROW_COLUMNS = 't.rid, t.resource_type, t.id, t.version_id, t.last_updated, t.content, t.compartment';

async function includeForward(db: Queryable, target: IncludeTarget, from: ResourceRow[], access: AccessCondition | undefined): Promise<ResourceRow[]> {
  const sources = from.filter((r) => target.sourceType === '*' || r.resourceType === target.sourceType);
  if (sources.length === 0) return [];
  const sql = new SqlParams();
  const conds = [
    `x.rid = ANY(${sql.add(sources.map((r) => r.rid))}::bigint[])`,
    `x.p = ANY(${sql.add(includeKeys(target, [...new Set(sources.map((r) => r.resourceType))]))}::int[])`,
    'NOT t.deleted',
  ];
  if (target.targetType) conds.push(`x.target_type = ${sql.add(target.targetType)}`);
  const acc = access?.('t', sql);
  if (acc) conds.push(acc);
  const { rows } = await db.query(
    `SELECT DISTINCT ${ROW_COLUMNS} FROM search_reference x JOIN resource t ON t.resource_type = x.target_type AND t.id = x.target_id WHERE ${conds.join(' AND ')} LIMIT ${MAX_INCLUDED}`,
    sql.values,
  );
  return rows.map(toRow);
}

async function includeReverse(db: Queryable, target: IncludeTarget, to: ResourceRow[], access: AccessCondition | undefined): Promise<ResourceRow[]> {
  const byType = new Map<string, string[]>();
  for (const r of to) byType.set(r.resourceType, [...(byType.get(r.resourceType) ?? []), r.id]);
  const out: ResourceRow[] = [];
  for (const [type, ids] of byType) {
    const sql = new SqlParams();
    const conds = [
      `x.p = ANY(${sql.add(includeKeys(target, [target.sourceType]))}::int[])`,
      `x.target_type = ${sql.add(type)}`,
      `x.target_id = ANY(${sql.add(ids)}::text[])`,
      `t.resource_type = ${sql.add(target.sourceType)}`,
      'NOT t.deleted',
    ];
    const acc = access?.('t', sql);
    if (acc) conds.push(acc);
    const { rows } = await db.query(
      `SELECT DISTINCT ${ROW_COLUMNS} FROM search_reference x JOIN resource t ON t.rid = x.rid WHERE ${conds.join(' AND ')} LIMIT ${MAX_INCLUDED}`,
      sql.values,
    );
    out.push(...rows.map(toRow));
  }
  return out;
}
