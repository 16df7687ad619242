// The store serves a fixed list of resource types (src/fhir/definitions.ts). An adapter entry of
// another type would be written but neither readable nor found again on a re-send, so it is held
// back here, with a warning, until the store supports the type.
import { isSupportedResourceType } from '../../fhir/definitions.ts';
import { copyJson, pruneReferences } from '../../pipeline/references.ts';
import type { AdaptedRecord } from '../adapted-record.ts';

export function withSupportedTypes(record: AdaptedRecord): AdaptedRecord {
  const held = record.entries.filter((e) => !isSupportedResourceType(e.resource.resourceType));
  if (held.length === 0) return record;
  const dropped = new Set(held.map((e) => e.fullUrl));
  const entries = record.entries.filter((e) => !dropped.has(e.fullUrl)).map((e) => {
    const resource = copyJson(e.resource);
    pruneReferences(resource, dropped);
    return { fullUrl: e.fullUrl, resource };
  });
  const types = [...new Set(held.map((e) => e.resource.resourceType))].join(', ');
  return { ...record, entries, warnings: [...record.warnings, `${held.length} mục (${types}) chưa được kho dữ liệu FHIR hỗ trợ nên chưa lưu.`] };
}
