// CDA timestamps (TS: YYYYMMDDHHMMSS.UUUU±ZZZZ, any precision) without an offset are local time;
// @medplum/ccda would read them as UTC, putting every Vietnamese event 7 hours off. Before
// conversion, offsets are made explicit (+0700, Vietnam has no daylight saving) and fractional
// seconds, which the converter does not handle, are dropped.

/** Elements whose `value` attribute is a timestamp. */
const TIMESTAMP_ELEMENTS = new Set(['effectiveTime', 'time', 'low', 'high', 'center']);

export const VIETNAM_OFFSET = '+0700';

/** `20240315` → `20240315000000+0700`; `202403151030` → `202403151030+0700`;
 *  `20240315103000.123+0700` → `20240315103000+0700`. A year or month alone stays as it is. */
export function withVietnamOffset(value: string): string {
  const match = /^(\d{8,14})(?:\.\d+)?([+-]\d{4})?$/.exec(value);
  if (match === null) return value;
  const digits = match[1]!;
  const offset = match[2] ?? VIETNAM_OFFSET;
  const padded = digits.length === 8 ? `${digits}000000` : digits.length === 10 ? `${digits}0000` : digits;
  return `${padded}${offset}`;
}

/** Rewrites every timestamp of a parsed CDA tree in place. */
export function normaliseTimestamps(node: unknown, parentKey = ''): void {
  if (Array.isArray(node)) {
    for (const item of node) normaliseTimestamps(item, parentKey);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(object)) {
    if (key === '@_value' && TIMESTAMP_ELEMENTS.has(parentKey) && typeof value === 'string') {
      object[key] = withVietnamOffset(value);
    } else if (typeof value === 'object') {
      normaliseTimestamps(value, key);
    }
  }
}

/** A CDA birth time as a FHIR date of the precision given: `1985`, `1985-03`, `1985-03-12`. */
export function cdaDate(value: string | undefined): string | undefined {
  const match = /^(\d{4})(\d{2})?(\d{2})?/.exec(value ?? '');
  if (match === null) return undefined;
  return [match[1], match[2], match[3]].filter((part) => part !== undefined).join('-');
}
