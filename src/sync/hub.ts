// Hub mode (HSSK_MODE=hub): provinces push their records (each keeps its HSSK source identifier,
// which names the province); a resident known to several provinces is linked by CCCD at read
// time, and the merged record is every province's Patient with its compartment, side by side.
// Nothing is rewritten: a province's next push finds its own records as it left them.
import { paramKey } from '../fhir/search-parameters.ts';
import { IdentifierSystem } from '../fhir/systems.ts';
import type { Queryable } from '../store/database.ts';
import { sourceProvinceOf } from './bundle.ts';

export interface HubRecord {
  patients: { id: string; province: string | null }[];
  provinces: string[];
  /** A Bundle (searchset): the Patients as matches, their compartments as includes. */
  bundle: Record<string, unknown>;
}

export async function hubRecordByCccd(db: Queryable, cccd: string): Promise<HubRecord> {
  const { rows: patients } = await db.query<{ id: string; content: string }>(
    `SELECT r.id, r.content FROM resource r
      WHERE r.resource_type = 'Patient' AND NOT r.deleted
        AND r.rid IN (SELECT rid FROM search_token WHERE p = $1 AND code = $2 AND system = $3)
      ORDER BY r.id`,
    [paramKey('Patient', 'identifier'), cccd, IdentifierSystem.cccd],
  );
  const ids = patients.map((p) => p.id);
  const { rows: others } = ids.length
    ? await db.query<{ content: string }>(
        `SELECT content FROM resource WHERE compartment = ANY($1) AND resource_type <> 'Patient' AND NOT deleted ORDER BY resource_type, id`,
        [ids],
      )
    : { rows: [] };
  const list = patients.map((p) => ({ id: p.id, province: sourceProvinceOf(JSON.parse(p.content) as { identifier?: unknown }) ?? null }));
  const entry = [
    ...patients.map((p) => ({ fullUrl: `Patient/${p.id}`, resource: JSON.parse(p.content) as unknown, search: { mode: 'match' } })),
    ...others.map((o) => {
      const resource = JSON.parse(o.content) as { resourceType: string; id: string };
      return { fullUrl: `${resource.resourceType}/${resource.id}`, resource, search: { mode: 'include' } };
    }),
  ];
  return {
    patients: list,
    provinces: [...new Set(list.map((p) => p.province).filter((p): p is string => p !== null))].sort(),
    bundle: { resourceType: 'Bundle', type: 'searchset', total: patients.length, entry },
  };
}
