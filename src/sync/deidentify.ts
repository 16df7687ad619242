// The de-identified variant of $export (`_deidentify=true`), for researchers: direct identifiers
// removed (names, contacts, telecom, photos, narrative, free-text notes); identifiers and resource
// ids replaced by a keyed hash (HMAC-SHA256 with an installation secret: the same person has the
// same pseudonym in every export, and it cannot be recomputed without the key); every date
// coarsened to the month; addresses kept at province level only.
import { createHmac } from 'node:crypto';
import { HSSK_CANONICAL } from '../fhir/systems.ts';
import type { ResourceTransform } from './bulk-export.ts';

export const PSEUDONYM_SYSTEM = `${HSSK_CANONICAL}/sid/pseudonym`;
const DROP = new Set(['name', 'telecom', 'photo', 'text', 'contact', 'note', 'communication', 'link', 'presentedForm', 'contained']);
const DATE = /^(\d{4})-(\d{2})(-\d{2}(T[^"]*)?)?$/;

export function deidentifier(key: Buffer | string): ResourceTransform {
  const pseudo = (v: string) => createHmac('sha256', key).update(v).digest('base64url').slice(0, 32);
  const walk = (v: unknown, field: string): unknown => {
    if (typeof v === 'string') {
      if (field === 'reference') {
        const m = /^([A-Z][A-Za-z]+)\/(.+)$/.exec(v);
        return m ? `${m[1]}/${pseudo(`${m[1]}/${m[2]}`)}` : undefined;
      }
      if (field === 'display') return undefined;
      const d = DATE.exec(v);
      return d ? `${d[1]}-${d[2]}` : v;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, field)).filter((x) => x !== undefined);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (DROP.has(k)) continue;
        if (k === 'identifier') {
          const ids = (Array.isArray(x) ? x : [x]) as { system?: string; value?: string }[];
          const ps = ids.filter((i) => i.value).map((i) => ({ system: PSEUDONYM_SYSTEM, value: pseudo(`${i.system ?? ''}|${i.value}`) }));
          if (ps.length) out[k] = Array.isArray(x) ? ps : ps[0];
          continue;
        }
        if (k === 'address') {
          const as = (Array.isArray(x) ? x : [x]) as { state?: string; country?: string }[];
          const kept = as.map((a) => ({ ...(a.state ? { state: a.state } : {}), ...(a.country ? { country: a.country } : {}) })).filter((a) => Object.keys(a).length);
          if (kept.length) out[k] = Array.isArray(x) ? kept : kept[0];
          continue;
        }
        const w = walk(x, k);
        if (w !== undefined) out[k] = w;
      }
      return out;
    }
    return v;
  };
  return (resource) => {
    const r = walk(resource, '') as Record<string, unknown>;
    r['id'] = pseudo(`${String(resource['resourceType'])}/${String(resource['id'])}`);
    r['meta'] = { tag: [{ system: `${HSSK_CANONICAL}/CodeSystem/xu-ly`, code: 'deidentified' }] };
    return r;
  };
}
