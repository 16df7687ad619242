// The FHIR resource repository: create, read, vread, update, patch, delete, history and search
// with R4 semantics (versions, If-Match, conditional operations), on PostgreSQL. One instance
// works either on the pool (each call atomic on its own) or inside a transaction.
import { randomUUID } from 'node:crypto';
import { applyPatch, type Operation } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { isSupportedResourceType } from '../fhir/definitions.ts';
import {
  badRequest,
  conflict,
  FhirError,
  gone,
  issue,
  notFound,
  outcome,
  preconditionFailed,
  unprocessable,
} from '../fhir/outcomes.ts';
import { assertValidResource } from '../fhir/validation.ts';
import { preparedQuery, type Database, type Queryable } from './database.ts';
import { extractIndex } from './indexer.ts';
import { insertNewResources, updateExistingResources, type VersionToWrite } from './resource-writer.ts';
import { SqlParams } from './search/conditions.ts';
import { executeSearch, type AccessCondition, type SearchOutcome } from './search/execute.ts';
import { parseSearch, type ParsedSearch } from './search/parse.ts';
import type { PoolClient } from 'pg';

export interface StoredVersion {
  rid: number;
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: Date;
  deleted: boolean;
  /** The resource JSON as stored (null for a deletion). */
  content: string | null;
  /** The Patient compartment the resource belongs to. */
  compartment?: string | null;
}

export interface WriteResult {
  resource: Resource & { id: string };
  /** The JSON as stored: what a read returns. */
  content: string;
  versionId: number;
  lastUpdated: string;
  /** True when this write created the resource (201), false for an update (200). */
  created: boolean;
  /** The Patient compartment the resource belongs to. */
  compartment: string | null;
}

export interface WriteOptions {
  /** Facility code (mã CSKCB) the write is made on behalf of. */
  sourceFacility?: string | null;
  /** Expected current version (If-Match); a different current version fails with 412. */
  ifMatch?: number;
  /**
   * Runs on the final resource just before it is stored (after a patch is applied) and throws to
   * refuse it: how the layers above apply the storage policy (MISSION B8) without the store
   * depending on them.
   */
  screen?: (resource: Resource) => void;
  /**
   * For a new version of an existing resource: the version to store given the current one (read
   * under the row lock), or throws to refuse it — how the layers above keep elements the server
   * owns (a Patient's resident IDs) without the store knowing them.
   */
  revise?: (next: Resource, current: Resource) => Resource;
  /**
   * For a version that creates the resource (a create, an update-as-create, an update of a
   * deleted one): the version to store. Applied only once the write knows it creates — an
   * update-as-create that loses the race to a concurrent create becomes an update (`revise`).
   */
  fresh?: (resource: Resource) => Resource;
}

export interface HistoryEntry extends StoredVersion {
  method: string;
}

export interface HistoryOptions {
  count: number;
  since?: string;
  at?: string;
  /** Return entries older than this (last_updated, rid, version) anchor — paging. */
  before?: { lastUpdated: string; rid: number; versionId: number };
}

const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

export function assertResourceType(type: string): void {
  if (!isSupportedResourceType(type)) {
    throw new FhirError(404, outcome(issue('not-supported', `Loại tài nguyên "${type}" không được hỗ trợ (unsupported resource type)`)));
  }
}

export function assertId(id: string): void {
  if (!ID_RE.test(id)) throw badRequest(`Mã tài nguyên "${id}" không hợp lệ (ids are 1–64 of A–Z a–z 0–9 - .)`);
}

export class Repository {
  readonly db: Database;
  private readonly q: Queryable;
  private readonly inTransaction: boolean;
  private readonly deferred?: VersionToWrite[];

  constructor(db: Database, client?: PoolClient, deferred?: VersionToWrite[]) {
    this.db = db;
    this.q = client ?? db.pool;
    this.inTransaction = client !== undefined;
    this.deferred = deferred;
  }

  /**
   * A repository whose creates are validated, indexed and answered but not written: their
   * versions are added to `pending`, for the caller to write with others in one statement (a
   * group commit of single creates, the creates of a transaction Bundle). Only for creates that
   * nothing in between reads back; every other operation works as usual.
   */
  deferringCreates(pending: VersionToWrite[]): Repository {
    return new Repository(this.db, this.inTransaction ? (this.q as PoolClient) : undefined, pending);
  }

  /** Runs `fn` with a repository bound to one database transaction (all or nothing). */
  async transaction<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    return this.db.transaction((client) => fn(new Repository(this.db, client)));
  }

  get queryable(): Queryable {
    return this.q;
  }

  // ---------- reads ----------

  /** The current row, deleted or not; `lock` (inside a transaction) holds it until commit. */
  async readVersionRow(type: string, id: string, lock = false): Promise<StoredVersion | undefined> {
    const { rows } = await this.q.query(
      preparedQuery(
        `SELECT rid, resource_type, id, version_id, last_updated, deleted, content, compartment FROM resource WHERE resource_type = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
        [type, id],
      ),
    );
    const r = rows[0];
    return r
      ? { rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, deleted: r.deleted, content: r.content, compartment: r.compartment }
      : undefined;
  }

  /** The current version; 404 if it never existed, 410 if deleted. */
  async read(type: string, id: string, access?: AccessCondition): Promise<StoredVersion> {
    assertResourceType(type);
    const row = access ? await this.readVisible(type, id, access) : await this.readVersionRow(type, id);
    if (!row) throw notFound(`Không tìm thấy ${type}/${id} (not found)`);
    if (row.deleted) throw gone(`${type}/${id} đã bị xoá (deleted)`);
    return row;
  }

  private async readVisible(type: string, id: string, access: AccessCondition): Promise<StoredVersion | undefined> {
    const sql = new SqlParams();
    const t = sql.add(type);
    const i = sql.add(id);
    // A cached session's check stated once at the top, as a filter: it then runs even when no row
    // matches or the row is deleted (neither is told to a session that has ended).
    const probe = access.probe?.(sql);
    const cond = (access.rows ?? access)('r', sql);
    const { rows } = await this.q.query(
      preparedQuery(
        `SELECT rid, resource_type, id, version_id, last_updated, deleted, content, compartment FROM resource r
       WHERE ${probe ? `${probe} AND ` : ''}r.resource_type = ${t} AND r.id = ${i}${cond ? ` AND (r.deleted OR ${cond})` : ''}`,
        sql.values,
      ),
    );
    const r = rows[0];
    // Nothing: not there, not visible — or the session changed (the probe cannot raise; this does).
    if (!r && probe) await access.confirm?.(this.q);
    return r
      ? { rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, deleted: r.deleted, content: r.content, compartment: r.compartment }
      : undefined;
  }

  /**
   * A deleted resource's last version before its deletion, if the access condition admits it:
   * the condition sees that version's compartment and facility, and the communes its Patient
   * has now (none once the Patient itself is deleted).
   */
  /** The content of a deleted resource's last version before its deletion (undefined if not deleted). */
  async contentBeforeDeletion(type: string, id: string): Promise<string | undefined> {
    const { rows } = await this.q.query<{ content: string }>(
      `SELECT h.content FROM resource r
         JOIN LATERAL (SELECT content FROM resource_history h WHERE h.rid = r.rid AND NOT h.deleted ORDER BY h.version_id DESC LIMIT 1) h ON true
        WHERE r.resource_type = $1 AND r.id = $2 AND r.deleted`,
      [type, id],
    );
    return rows[0]?.content;
  }

  async lastVersionBeforeDeletion(type: string, id: string, access?: AccessCondition): Promise<{ compartment: string | null } | undefined> {
    const sql = new SqlParams();
    const t = sql.add(type);
    const i = sql.add(id);
    const cond = access?.('d', sql);
    const { rows } = await this.q.query<{ compartment: string | null }>(
      `SELECT d.compartment FROM (
         SELECT h.compartment, h.source_facility, COALESCE(p.communes, '{}') AS communes
           FROM resource r
           JOIN LATERAL (SELECT compartment, source_facility FROM resource_history h
                          WHERE h.rid = r.rid AND NOT h.deleted ORDER BY h.version_id DESC LIMIT 1) h ON true
           LEFT JOIN resource p ON p.resource_type = 'Patient' AND p.id = h.compartment AND NOT p.deleted
          WHERE r.resource_type = ${t} AND r.id = ${i} AND r.deleted) d${cond ? ` WHERE ${cond}` : ''}`,
      sql.values,
    );
    return rows[0] ? { compartment: rows[0].compartment } : undefined;
  }

  async vread(type: string, id: string, versionId: number): Promise<HistoryEntry> {
    assertResourceType(type);
    // A replaced version is in resource_history; the current one in resource (rows written before
    // migration 410 have no method: all their versions are in resource_history).
    const { rows } = await this.q.query(
      `SELECT h.rid, h.resource_type, h.id, h.version_id, h.last_updated, h.deleted, h.method, h.content
       FROM resource r JOIN resource_history h ON h.rid = r.rid
       WHERE r.resource_type = $1 AND r.id = $2 AND h.version_id = $3
       UNION ALL
       SELECT r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.method, r.content
       FROM resource r
       WHERE r.resource_type = $1 AND r.id = $2 AND r.version_id = $3 AND r.method IS NOT NULL
       LIMIT 1`,
      [type, id, versionId],
    );
    const r = rows[0];
    if (!r) throw notFound(`Không tìm thấy phiên bản ${versionId} của ${type}/${id} (version not found)`);
    const entry = toHistoryEntry(r);
    if (entry.deleted) throw gone(`Phiên bản ${versionId} của ${type}/${id} là bản ghi xoá (this version is a deletion)`);
    return entry;
  }

  async history(type: string | undefined, id: string | undefined, options: HistoryOptions): Promise<HistoryEntry[]> {
    const params: unknown[] = [];
    // Conditions on a version row, for the alias `a` (history rows and current rows alike).
    const conds: ((a: string) => string)[] = [];
    if (type) {
      assertResourceType(type);
      params.push(type);
      const n = params.length;
      conds.push((a) => `${a}.resource_type = $${n}`);
    }
    if (id) {
      const current = await this.readVersionRow(type!, id);
      if (!current) throw notFound(`Không tìm thấy ${type}/${id} (not found)`);
      params.push(current.rid);
      const n = params.length;
      conds.push((a) => `${a}.rid = $${n}`);
    }
    if (options.since) {
      params.push(options.since);
      const n = params.length;
      conds.push((a) => `${a}.last_updated >= $${n}`);
    }
    if (options.at) {
      params.push(options.at);
      const n = params.length;
      conds.push((a) => `${a}.last_updated <= $${n}`);
    }
    if (options.before) {
      params.push(options.before.lastUpdated, options.before.rid, options.before.versionId);
      const n = params.length;
      conds.push((a) => `(${a}.last_updated, ${a}.rid, ${a}.version_id) < ($${n - 2}::timestamptz, $${n - 1}::bigint, $${n}::int)`);
    }
    params.push(options.count);
    const where = (a: string, extra: string[] = []) => {
      const all = [...conds.map((c) => c(a)), ...extra];
      return all.length ? `WHERE ${all.join(' AND ')}` : '';
    };
    // Replaced versions from resource_history, current ones from resource (rows written before
    // migration 410 have no method: their current version is in resource_history already).
    const order = 'last_updated DESC, rid DESC, version_id DESC';
    const { rows } = await this.q.query(
      `SELECT * FROM (
         (SELECT h.rid, h.resource_type, h.id, h.version_id, h.last_updated, h.deleted, h.method, h.content
            FROM resource_history h ${where('h')} ORDER BY ${order} LIMIT $${params.length})
         UNION ALL
         (SELECT r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.deleted, r.method, r.content
            FROM resource r ${where('r', ['r.method IS NOT NULL'])} ORDER BY ${order} LIMIT $${params.length})
       ) v ORDER BY ${order} LIMIT $${params.length}`,
      params,
    );
    return rows.map(toHistoryEntry);
  }

  async search(search: ParsedSearch, access?: AccessCondition): Promise<SearchOutcome> {
    assertResourceType(search.resourceType);
    return executeSearch(this.q, search, access);
  }

  /**
   * Resolves a conditional request (`Type?params`) to the matching current resources (at most
   * `limit`); `access` keeps only those the caller may read.
   */
  async resolveConditional(type: string, query: string, limit = 2, access?: AccessCondition): Promise<StoredVersion[]> {
    assertResourceType(type);
    const params: Record<string, string[]> = {};
    for (const [k, v] of new URLSearchParams(query)) (params[k] ??= []).push(v);
    if (Object.keys(params).length === 0) throw badRequest('Điều kiện tìm kiếm trống (empty condition)');
    const search = parseSearch(type, params);
    if (search.unknown.length > 0) {
      throw new FhirError(400, outcome(...search.unknown.map((u) => issue('not-supported', u.reason, u.name))));
    }
    search.count = limit;
    const result = await executeSearch(this.q, search, access);
    return result.matches.map((m) => ({ ...m, deleted: false }));
  }

  /**
   * Runs `fn` in a transaction holding a lock on one condition (`Type?query`, parameters in any
   * order): two conditional creates or updates with the same condition, arriving together, then
   * run one after the other, so the second sees what the first created instead of creating a
   * duplicate — a hospital re-sending the same patient must not make two records.
   */
  async withConditionLock<T>(type: string, query: string, fn: (repo: Repository) => Promise<T>): Promise<T> {
    const params = [...new URLSearchParams(query)].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1));
    const key = `${type}?${new URLSearchParams(params).toString()}`;
    return this.transaction(async (tx) => {
      await tx.q.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
      return fn(tx);
    });
  }

  // ---------- writes ----------

  private prepare(resource: Resource, id: string, versionId: number, lastUpdated: string): { json: string; stored: Resource & { id: string } } {
    const stored = {
      ...resource,
      id,
      meta: { ...resource.meta, versionId: String(versionId), lastUpdated },
    } as Resource & { id: string };
    return { json: JSON.stringify(stored), stored };
  }

  private checkBody(resource: unknown): asserts resource is Resource {
    if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
      throw badRequest('Nội dung phải là một tài nguyên FHIR dạng JSON (body must be a FHIR resource)');
    }
    const type = (resource as Resource).resourceType;
    if (typeof type !== 'string') throw badRequest('Thiếu resourceType (missing resourceType)', 'resourceType');
    assertResourceType(type);
  }

  async create(resource: Resource, options: WriteOptions = {}, presetId?: string): Promise<WriteResult> {
    this.checkBody(resource);
    if (options.fresh) resource = options.fresh(resource);
    const id = presetId ?? randomUUID();
    const lastUpdated = new Date().toISOString();
    const { json, stored } = this.prepare(resource, id, 1, lastUpdated);
    assertValidResource(stored);
    options.screen?.(stored);
    const { rows, compartment } = extractIndex(stored);
    const version: VersionToWrite = {
      resourceType: stored.resourceType,
      id,
      versionId: 1,
      lastUpdated,
      deleted: false,
      method: 'create',
      compartment: compartment ?? null,
      sourceFacility: options.sourceFacility ?? null,
      content: json,
      index: rows,
    };
    if (this.deferred) {
      this.deferred.push(version);
      return { resource: stored, content: json, versionId: 1, lastUpdated, created: true, compartment: compartment ?? null };
    }
    try {
      await insertNewResources(this.q, [version]);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw conflict(`${stored.resourceType}/${id} đã tồn tại (already exists)`);
      throw err;
    }
    return { resource: stored, content: json, versionId: 1, lastUpdated, created: true, compartment: compartment ?? null };
  }

  /**
   * Runs a write that may lose a race with a concurrent writer (`attempt` returns undefined then).
   * Outside a transaction it first tries optimistically (single statements, no lock); if that
   * loses, it runs again in a transaction that reads the row FOR UPDATE, where it cannot lose —
   * so writes without If-Match never fail for contention, however many run at once.
   */
  private async withRowLock<T>(attempt: (repo: Repository, lock: boolean) => Promise<T | undefined>, what: string): Promise<T> {
    if (!this.inTransaction) {
      const result = await attempt(this, false);
      if (result !== undefined) return result;
      return this.transaction((tx) => tx.withRowLock(attempt, what));
    }
    // Locked: a second round only follows a concurrent create of the same id (see createLocked).
    for (let round = 0; round < 5; round++) {
      const result = await attempt(this, true);
      if (result !== undefined) return result;
    }
    throw conflict(`Không thể ghi ${what} do ghi đồng thời liên tục (too much contention)`);
  }

  /**
   * Update-as-create inside a transaction: a concurrent create of the same id must not abort the
   * whole transaction (23505), so the insert runs under a savepoint and a conflict returns
   * undefined — the caller then reads (and locks) the row the other writer created.
   */
  private async createLocked(resource: Resource, options: WriteOptions, id: string): Promise<WriteResult | undefined> {
    await this.q.query('SAVEPOINT hssk_create');
    try {
      const result = await this.create(resource, options, id);
      await this.q.query('RELEASE SAVEPOINT hssk_create');
      return result;
    } catch (err) {
      await this.q.query('ROLLBACK TO SAVEPOINT hssk_create');
      if (err instanceof FhirError && err.status === 409) return undefined;
      throw err;
    }
  }

  /** Update (or create with the client's id when it does not exist yet — update-as-create). */
  async update(resource: Resource, options: WriteOptions = {}): Promise<WriteResult> {
    // An update-as-create is written at once: only plain creates are ever deferred.
    if (this.deferred) return new Repository(this.db, this.inTransaction ? (this.q as PoolClient) : undefined).update(resource, options);
    this.checkBody(resource);
    if (!resource.id) throw badRequest('Thiếu id trong tài nguyên (missing id)', `${resource.resourceType}.id`);
    assertId(resource.id);
    const { resourceType: type, id } = resource as Resource & { id: string };
    return this.withRowLock(async (repo, lock) => {
      const current = await repo.readVersionRow(type, id, lock);
      if (!current) {
        if (options.ifMatch !== undefined) throw preconditionFailed(`${type}/${id} chưa tồn tại (If-Match on a resource that does not exist)`);
        if (lock) return repo.createLocked(resource, options, id);
        try {
          return await repo.create(resource, options, id);
        } catch (err) {
          if (err instanceof FhirError && err.status === 409) return undefined; // created concurrently: update it instead
          throw err;
        }
      }
      if (options.ifMatch !== undefined && options.ifMatch !== current.versionId) {
        throw preconditionFailed(`Phiên bản hiện tại của ${type}/${id} là ${current.versionId}, không phải ${options.ifMatch} (version conflict)`);
      }
      const written = await repo.writeNewVersion(current, resource, 'update', options);
      if (!written && options.ifMatch !== undefined) throw preconditionFailed(`${type}/${id} vừa được người khác cập nhật (updated concurrently)`);
      return written;
    }, `${type}/${id}`);
  }

  private async writeNewVersion(
    current: StoredVersion,
    resource: Resource,
    method: 'update' | 'patch',
    options: WriteOptions,
  ): Promise<WriteResult | undefined> {
    const versionId = current.versionId + 1;
    const lastUpdated = new Date(Math.max(Date.now(), current.lastUpdated.getTime() + 1)).toISOString();
    if (current.deleted || !current.content) resource = options.fresh?.(resource) ?? resource;
    else if (options.revise) resource = options.revise(resource, JSON.parse(current.content) as Resource);
    const { json, stored } = this.prepare(resource, current.id, versionId, lastUpdated);
    assertValidResource(stored);
    options.screen?.(stored);
    const { rows, compartment } = extractIndex(stored);
    const written = await updateExistingResources(this.q, [
      {
        resourceType: current.resourceType,
        id: current.id,
        versionId,
        lastUpdated,
        deleted: false,
        method,
        compartment: compartment ?? null,
        sourceFacility: options.sourceFacility ?? null,
        content: json,
        index: rows,
        existing: { rid: current.rid, versionId: current.versionId },
      },
    ]);
    if (written.length === 0) return undefined;
    return { resource: stored, content: json, versionId, lastUpdated, created: false, compartment: compartment ?? null };
  }

  async patch(type: string, id: string, operations: unknown, options: WriteOptions = {}): Promise<WriteResult> {
    assertResourceType(type);
    if (!Array.isArray(operations)) throw badRequest('JSON Patch phải là một mảng các thao tác (a JSON Patch is an array of operations)');
    return this.withRowLock(async (repo, lock) => {
      const current = await repo.readVersionRow(type, id, lock);
      if (!current) throw notFound(`Không tìm thấy ${type}/${id} (not found)`);
      if (current.deleted) throw gone(`${type}/${id} đã bị xoá (deleted)`);
      if (options.ifMatch !== undefined && options.ifMatch !== current.versionId) {
        throw preconditionFailed(`Phiên bản hiện tại của ${type}/${id} là ${current.versionId}, không phải ${options.ifMatch} (version conflict)`);
      }
      const doc = JSON.parse(current.content!) as Resource;
      const results = applyPatch(doc, operations as Operation[]);
      const failed = results.findIndex((r) => r !== null);
      if (failed >= 0) {
        const error = results[failed] as { name?: string; message?: string };
        const isTest = error?.name === 'TestError';
        throw (isTest ? preconditionFailed : unprocessable)(
          `Thao tác patch thứ ${failed + 1} thất bại: ${error?.message ?? error?.name} (patch operation failed)`,
        );
      }
      if (doc.resourceType !== type || doc.id !== id) throw unprocessable('Patch không được đổi resourceType hoặc id (a patch cannot change resourceType or id)');
      const written = await repo.writeNewVersion(current, doc, 'patch', options);
      if (!written && options.ifMatch !== undefined) throw preconditionFailed(`${type}/${id} vừa được người khác cập nhật (updated concurrently)`);
      return written;
    }, `${type}/${id}`);
  }

  /** Deletes (a new, deleted version). Returns false when there was nothing to delete. */
  async delete(type: string, id: string, options: WriteOptions = {}): Promise<boolean> {
    assertResourceType(type);
    return this.withRowLock(async (repo, lock) => {
      const current = await repo.readVersionRow(type, id, lock);
      if (!current) throw notFound(`Không tìm thấy ${type}/${id} (not found)`);
      if (current.deleted) return false;
      if (options.ifMatch !== undefined && options.ifMatch !== current.versionId) {
        throw preconditionFailed(`Phiên bản hiện tại của ${type}/${id} là ${current.versionId}, không phải ${options.ifMatch} (version conflict)`);
      }
      const lastUpdated = new Date(Math.max(Date.now(), current.lastUpdated.getTime() + 1)).toISOString();
      const written = await updateExistingResources(repo.q, [
        {
          resourceType: type,
          id,
          versionId: current.versionId + 1,
          lastUpdated,
          deleted: true,
          method: 'delete',
          compartment: null,
          sourceFacility: options.sourceFacility ?? null,
          content: null,
          index: null,
          existing: { rid: current.rid, versionId: current.versionId },
        },
      ]);
      if (written.length > 0) return true;
      if (options.ifMatch !== undefined) throw preconditionFailed(`${type}/${id} vừa được người khác cập nhật (updated concurrently)`);
      return undefined;
    }, `${type}/${id}`);
  }
}
function toHistoryEntry(r: {
  rid: number;
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  deleted: boolean;
  method: string;
  content: string | null;
}): HistoryEntry {
  return {
    rid: r.rid,
    resourceType: r.resource_type,
    id: r.id,
    versionId: r.version_id,
    lastUpdated: r.last_updated,
    deleted: r.deleted,
    method: r.method,
    content: r.content,
  };
}
