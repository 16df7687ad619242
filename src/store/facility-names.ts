// Names of facilities by their code (mã CSKCB), from the Organizations carrying that code
// (imported by `hssk import facilities`), read through the identifier index: one query for any
// number of codes. Shown beside codes to people, who do not know codes by heart.
import { paramKey } from '../fhir/search-parameters.ts';
import { IdentifierSystem } from '../fhir/systems.ts';
import type { Queryable } from './database.ts';

const ORGANIZATION_IDENTIFIER = paramKey('Organization', 'identifier');

/** Code → name for the codes that have a named Organization; unknown codes are absent. */
export async function facilityNames(db: Queryable, codes: Iterable<string>): Promise<Map<string, string>> {
  const wanted = [...new Set(codes)];
  const names = new Map<string, string>();
  if (wanted.length === 0) return names;
  const { rows } = await db.query<{ code: string; name: string | null }>(
    `SELECT DISTINCT ON (t.code) t.code, r.content::jsonb ->> 'name' AS name
       FROM search_token t JOIN resource r ON r.rid = t.rid
      WHERE t.p = $1 AND t.code = ANY($2::text[]) AND t.system = $3 AND r.resource_type = 'Organization' AND NOT r.deleted
      ORDER BY t.code, r.last_updated DESC`,
    [ORGANIZATION_IDENTIFIER, wanted, IdentifierSystem.facilityCode],
  );
  for (const r of rows) if (r.name) names.set(r.code, r.name);
  return names;
}
