// Hub mode: a province's client writes only its own province's records. Every source identifier
// (`…/sid/nguon/{province}`) in what it sends — Bundle entries' resources and conditional URLs, or
// a single resource and its URL — must name the province the client is bound to.
import type { Queryable } from '../store/database.ts';
import { SOURCE_SYSTEM_PREFIX } from './bundle.ts';

export async function bindProvinceClient(db: Queryable, clientId: string, province: string): Promise<void> {
  await db.query(
    'INSERT INTO hub_province_client (client_id, province) VALUES ($1, $2) ON CONFLICT (client_id) DO UPDATE SET province = EXCLUDED.province',
    [clientId, province],
  );
}

export async function boundProvince(db: Queryable, clientId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ province: string }>('SELECT province FROM hub_province_client WHERE client_id = $1', [clientId]);
  return rows[0]?.province;
}

const ENCODED_PREFIX = encodeURIComponent(SOURCE_SYSTEM_PREFIX);

/** Provinces named by source identifiers in a request (URL and body). */
export function provincesNamed(url: string, body: unknown): Set<string> {
  const found = new Set<string>();
  const scanUrl = (u: string) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(u);
    } catch {
      decoded = u.replaceAll(ENCODED_PREFIX, SOURCE_SYSTEM_PREFIX);
    }
    for (const m of decoded.matchAll(/\/sid\/nguon\/([^|&\s]*)/g)) found.add(m[1]!);
  };
  const scanResource = (r: unknown) => {
    const ids = (r as { identifier?: unknown } | undefined)?.identifier;
    for (const i of (Array.isArray(ids) ? ids : ids ? [ids] : []) as { system?: unknown }[]) {
      if (typeof i.system === 'string' && i.system.startsWith(SOURCE_SYSTEM_PREFIX)) found.add(i.system.slice(SOURCE_SYSTEM_PREFIX.length));
    }
  };
  scanUrl(url);
  const b = body as { resourceType?: string; entry?: { resource?: unknown; request?: { url?: string } }[] } | undefined;
  if (b?.resourceType === 'Bundle') {
    for (const e of b.entry ?? []) {
      scanResource(e.resource);
      if (typeof e.request?.url === 'string') scanUrl(e.request.url);
    }
  } else scanResource(b);
  return found;
}
