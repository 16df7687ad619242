// Patient/{id}/$everything: the resident's whole record — the Patient, every resource in their
// compartment (one index lookup on resource.compartment), and the practitioners, organisations,
// locations and medications those resources point to. Paged by keyset on the internal key.
import type { BundleLink } from '@medplum/fhirtypes';
import { badRequest } from '../../fhir/outcomes.ts';
import { preparedQuery } from '../../store/database.ts';
import type { Repository } from '../../store/repository.ts';
import { SqlParams } from '../../store/search/conditions.ts';
import type { ResourceRow } from '../../store/search/execute.ts';
import { searchBundleJson } from './bundles.ts';
import { readableRows, type FhirCaller, type FhirRequest } from './request.ts';
import { isSupportedResourceType } from '../../fhir/definitions.ts';

const DEFAULT_COUNT = 1000;
const REFERENCED_TYPES = ['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Medication', 'Device'];

export async function everything(repo: Repository, req: FhirRequest, caller: FhirCaller, patientId: string): Promise<string> {
  await repo.read('Patient', patientId, caller.access);
  const count = Math.min(Number(req.query._count?.[0] ?? DEFAULT_COUNT) || DEFAULT_COUNT, 5000);
  const after = Number(req.query._cursor?.[0] ?? 0);
  if (!Number.isInteger(after) || after < 0) throw badRequest('Con trỏ phân trang không hợp lệ (invalid cursor)', '_cursor');
  const types = req.query._type?.[0]?.split(',').filter(Boolean);
  for (const t of types ?? []) if (!isSupportedResourceType(t)) throw badRequest(`_type: loại "${t}" không được hỗ trợ`, '_type');
  const since = req.query._since?.[0];
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw badRequest(`_since="${since}" không hợp lệ`, '_since');

  const sql = new SqlParams();
  const conds = [`r.compartment = ${sql.add(patientId)}`, 'NOT r.deleted', `r.rid > ${sql.add(after)}`];
  if (types) conds.push(`r.resource_type = ANY(${sql.add(types)}::text[])`);
  if (since) conds.push(`r.last_updated >= ${sql.add(since)}::timestamptz`);
  const acc = caller.access?.('r', sql);
  if (acc) conds.push(acc);
  const { rows } = await repo.queryable.query(
    preparedQuery(
      `SELECT r.rid, r.resource_type, r.id, r.version_id, r.last_updated, r.content FROM resource r
     WHERE ${conds.join(' AND ')} ORDER BY r.rid LIMIT ${sql.add(count + 1)}`,
      sql.values,
    ),
  );
  const more = rows.length > count;
  const matches: ResourceRow[] = rows.slice(0, count).map((r) => ({
    rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, content: r.content,
  }));

  let included: ResourceRow[] = [];
  if (matches.length > 0 && (!types || types.some((t) => REFERENCED_TYPES.includes(t)))) {
    const s2 = new SqlParams();
    const c2 = [
      `x.rid = ANY(${s2.add(matches.map((m) => m.rid))}::bigint[])`,
      `t.resource_type = ANY(${s2.add(REFERENCED_TYPES)}::text[])`,
      't.compartment IS NULL',
      'NOT t.deleted',
    ];
    const acc2 = caller.access?.('t', s2);
    if (acc2) c2.push(acc2);
    const res = await repo.queryable.query(
      preparedQuery(
        `SELECT DISTINCT t.rid, t.resource_type, t.id, t.version_id, t.last_updated, t.content
       FROM search_reference x JOIN resource t ON t.resource_type = x.target_type AND t.id = x.target_id
       WHERE ${c2.join(' AND ')}`,
        s2.values,
      ),
    );
    included = res.rows.map((r) => ({
      rid: r.rid, resourceType: r.resource_type, id: r.id, versionId: r.version_id, lastUpdated: r.last_updated, content: r.content,
    }));
  }

  const base = `${req.baseUrl}/Patient/${patientId}/$everything`;
  const links: BundleLink[] = [{ relation: 'self', url: base }];
  if (more) {
    const q = new URLSearchParams({ _count: String(count), _cursor: String(matches[matches.length - 1]!.rid) });
    if (types) q.set('_type', types.join(','));
    if (since) q.set('_since', since);
    links.push({ relation: 'next', url: `${base}?${q}` });
  }
  return searchBundleJson({
    baseUrl: req.baseUrl,
    matches: readableRows(caller, matches),
    included: readableRows(caller, included),
    total: !more && after === 0 ? matches.length : undefined,
    links: links as { relation: string; url: string }[],
  });
}
