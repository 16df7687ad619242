// References inside a record: urn:uuid fullUrls become `Type/id` once ids are known; references
// to entries the storage policy dropped are removed so nothing points at what was never stored.

type Json = unknown;

/**
 * A deep copy of JSON data (what adapters produce: plain objects, arrays, primitives). Ten times
 * faster than structuredClone, which serialises and deserialises; a copy per entry was a twentieth
 * of the XML ingest's CPU.
 */
export function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = copyJson((value as Record<string, unknown>)[key]);
  return out as T;
}

/** Replaces every `reference` value found in `map` (in place) and returns the resource. */
export function rewriteReferences<T>(value: T, map: ReadonlyMap<string, string>): T {
  walk(value, (holder) => {
    const ref = holder['reference'];
    if (typeof ref === 'string') {
      const target = map.get(ref);
      if (target !== undefined) holder['reference'] = target;
    }
    return true;
  });
  return value;
}

/** Removes references to the given fullUrls: the Reference element, or its array item. */
export function pruneReferences(value: Json, dropped: ReadonlySet<string>): void {
  if (dropped.size === 0) return;
  const visit = (node: Json): void => {
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) {
        const item = node[i];
        if (isDroppedRef(item, dropped) || holdsOnlyDropped(item, dropped)) node.splice(i, 1);
        else visit(item);
      }
      return;
    }
    if (node && typeof node === 'object') {
      const obj = node as Record<string, Json>;
      for (const [k, v] of Object.entries(obj)) {
        if (isDroppedRef(v, dropped)) delete obj[k];
        else visit(v);
      }
    }
  };
  visit(value);
}

function isDroppedRef(v: Json, dropped: ReadonlySet<string>): boolean {
  return Boolean(v && typeof v === 'object' && typeof (v as { reference?: unknown }).reference === 'string' && dropped.has((v as { reference: string }).reference));
}

/** An array item like Encounter.diagnosis {condition: ref, use, rank}: meaningless without the reference. */
function holdsOnlyDropped(item: Json, dropped: ReadonlySet<string>): boolean {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return false;
  return Object.values(item as Record<string, Json>).some((v) => isDroppedRef(v, dropped));
}

function walk(node: Json, fn: (holder: Record<string, Json>) => boolean): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, fn);
  } else if (node && typeof node === 'object') {
    const obj = node as Record<string, Json>;
    if (!fn(obj)) return;
    for (const v of Object.values(obj)) if (v && typeof v === 'object') walk(v, fn);
  }
}

/** JSON with sorted keys: two resources are the same content whatever their key order. */
export function canonicalJson(value: Json): string {
  return JSON.stringify(value, (_k, v: Json) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, Json> = {};
      for (const key of Object.keys(v as object).sort()) sorted[key] = (v as Record<string, Json>)[key];
      return sorted;
    }
    return v;
  });
}

/** The content of a resource without its meta (what a re-send compares). */
export function contentKey(resource: Record<string, Json>): string {
  const { meta: _meta, ...rest } = resource;
  return canonicalJson(rest);
}
