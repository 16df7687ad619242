// Queued changes → one FHIR transaction Bundle of conditional updates/deletes keyed by an
// identifier, so that pushing the same change twice (a retry, a replay, a restart after a crash)
// leaves the receiver as it was after the first push.
//
// The key is HSSK's source identifier: system `http://fhir.hssk.vn/sid/nguon/{province}`, value
// `{type}/{id}` — stable, unique across provinces, and it tells the hub which province a record
// came from. Types that cannot carry it (no `identifier` element or search parameter) are put by id.
import { tryGetDataType } from '@medplum/core';
import { HSSK_CANONICAL } from '../fhir/systems.ts';
import { getSearchParam } from '../fhir/search-parameters.ts';
import type { OutboxItem } from '../store/outbox.ts';

export const SOURCE_SYSTEM_PREFIX = `${HSSK_CANONICAL}/sid/nguon/`;

export function sourceSystem(province: string): string {
  return `${SOURCE_SYSTEM_PREFIX}${province}`;
}

/** The province a record came from, read from its source identifier (hub side). */
export function sourceProvinceOf(resource: { identifier?: unknown }): string | undefined {
  const ids = Array.isArray(resource.identifier) ? resource.identifier : resource.identifier ? [resource.identifier] : [];
  for (const i of ids as { system?: string }[]) {
    if (i.system?.startsWith(SOURCE_SYSTEM_PREFIX)) return i.system.slice(SOURCE_SYSTEM_PREFIX.length);
  }
  return undefined;
}

type Keying = 'many' | 'one' | 'none';
const keyingCache = new Map<string, Keying>();

function keyingOf(type: string): Keying {
  let k = keyingCache.get(type);
  if (!k) {
    const max = tryGetDataType(type)?.elements['identifier']?.max;
    k = max === undefined || !getSearchParam(type, 'identifier') ? 'none' : max === 1 ? 'one' : 'many';
    keyingCache.set(type, k);
  }
  return k;
}

interface Identifier { system?: string; value?: string }
interface Entry {
  fullUrl?: string;
  resource?: Record<string, unknown>;
  request: { method: 'PUT' | 'DELETE'; url: string };
}

/** A change to push: the current state of one resource, and every outbox row it answers for. */
export interface Change {
  seqs: number[];
  resourceType: string;
  id: string;
  compartment: string | null;
  entry: Entry;
}

/**
 * Coalesces the rows of one resource (the push carries its current state) and keeps the order of
 * each resource's first row, so a resident's changes leave in the order they were made.
 */
export function changesOf(items: OutboxItem[], province: string): Change[] {
  const byRid = new Map<number, Change>();
  const order: Change[] = [];
  for (const item of items) {
    const seen = byRid.get(item.rid);
    if (seen) {
      seen.seqs.push(item.seq);
      continue;
    }
    const change: Change = { seqs: [item.seq], resourceType: item.resourceType, id: item.id, compartment: item.compartment, entry: entryOf(item, province) };
    byRid.set(item.rid, change);
    order.push(change);
  }
  return order;
}

function entryOf(item: OutboxItem, province: string): Entry {
  const type = item.resourceType;
  const keying = keyingOf(type);
  const key: Identifier = { system: sourceSystem(province), value: `${type}/${item.id}` };
  const conditional = `${type}?identifier=${encodeURIComponent(`${key.system}|${key.value}`)}`;
  const url = keying === 'none' ? `${type}/${item.id}` : conditional;
  if (item.deleted || item.content === null) return { request: { method: 'DELETE', url } };
  const resource = JSON.parse(item.content) as Record<string, unknown>;
  const meta = resource['meta'] as Record<string, unknown> | undefined;
  if (meta) {
    // versionId and lastUpdated are the receiver's to assign.
    const { versionId: _v, lastUpdated: _l, ...rest } = meta;
    if (Object.keys(rest).length > 0) resource['meta'] = rest;
    else delete resource['meta'];
  }
  if (keying === 'many') {
    const ids = (resource['identifier'] as Identifier[] | undefined) ?? [];
    if (!ids.some((i) => i.system === key.system && i.value === key.value)) resource['identifier'] = [...ids, key];
  } else if (keying === 'one') {
    const one = resource['identifier'] as Identifier | undefined;
    // A resource with its own single identifier is keyed by it when it is one of ours; else by id.
    if (!one) resource['identifier'] = key;
    else if (one.system !== key.system || one.value !== key.value) {
      return { fullUrl: `${type}/${item.id}`, resource, request: { method: 'PUT', url: `${type}/${item.id}` } };
    }
  }
  return { fullUrl: `${type}/${item.id}`, resource, request: { method: 'PUT', url } };
}

export function transactionBundle(changes: Change[]): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: changes.map((c) => {
      const { fullUrl: _f, ...entry } = c.entry;
      return entry;
    }),
  };
}
