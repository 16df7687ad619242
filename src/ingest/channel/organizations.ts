// Adapters name facilities by code (a logical reference `{type: 'Organization', identifier: mã
// CSKCB}`): they have no database. Before storing, the ones the province knows (hssk import
// facilities) get their literal reference too, so `Encounter?service-provider=Organization/…`,
// `_include` and chained searches work; unknown codes stay logical.
import type { Resource } from '@medplum/fhirtypes';
import { IdentifierSystem } from '../../fhir/systems.ts';
import { findByIdentifiers } from '../../pipeline/stored.ts';
import type { Queryable } from '../../store/database.ts';
import type { AdaptedRecord } from '../adapted-record.ts';

interface LogicalReference {
  reference?: string;
  type?: string;
  identifier?: { system?: string; value?: string };
}

function isFacilityReference(v: unknown): v is LogicalReference & { identifier: { value: string } } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const r = v as LogicalReference;
  return r.reference === undefined && r.type === 'Organization' && r.identifier?.system === IdentifierSystem.facilityCode && typeof r.identifier.value === 'string';
}

function visit(node: unknown, fn: (ref: LogicalReference & { identifier: { value: string } }) => void): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    for (const item of node) visit(item, fn);
    return;
  }
  if (isFacilityReference(node)) {
    fn(node);
    return;
  }
  for (const key in node) visit((node as Record<string, unknown>)[key], fn);
}

/** Adds `reference: Organization/<id>` to every facility reference of the records whose code is stored (in place). */
export async function resolveFacilityReferences(q: Queryable, records: readonly AdaptedRecord[]): Promise<void> {
  const codes = new Set<string>();
  for (const r of records) for (const e of r.entries) visit(e.resource, (ref) => codes.add(ref.identifier.value));
  if (codes.size === 0) return;
  const found = await findByIdentifiers(q, [...codes].map((value) => ({ type: 'Organization', system: IdentifierSystem.facilityCode, value })));
  if (found.size === 0) return;
  const idOf = new Map<string, string>();
  for (const row of found.values()) {
    const org = JSON.parse(row.content) as Resource & { identifier?: { system?: string; value?: string }[] };
    for (const i of org.identifier ?? []) if (i.system === IdentifierSystem.facilityCode && i.value) idOf.set(i.value, row.id);
  }
  for (const r of records) {
    for (const e of r.entries) {
      visit(e.resource, (ref) => {
        const id = idOf.get(ref.identifier.value);
        if (id) ref.reference = `Organization/${id}`;
      });
    }
  }
}
