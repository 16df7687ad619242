// Bulk loading of resources (imports, restores, benchmarks): validated and indexed in batches and
// written with one statement per batch (resource-writer.ts), never a round trip per resource.
// Batches are pipelined over a few connections so that Node (indexing) and PostgreSQL
// (writing) work at the same time.
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { assertValidResource } from '../fhir/validation.ts';
import type { Database } from './database.ts';
import { extractIndex } from './indexer.ts';
import { insertNewResources, type VersionToWrite } from './resource-writer.ts';

export interface BulkLoadOptions {
  batchSize?: number;
  /** Batches written concurrently. */
  concurrency?: number;
  /** Validate each resource against the R4 definitions (default true). */
  validate?: boolean;
  sourceFacility?: string | null;
  onProgress?: (loaded: number) => void;
}

export interface BulkLoadResult {
  loaded: number;
  ms: number;
}

/** Prepares a new resource version for writing (id, meta, index rows). */
export function newVersion(resource: Resource, lastUpdated: string, sourceFacility: string | null, validate: boolean): VersionToWrite {
  const id = resource.id ?? randomUUID();
  const stored = { ...resource, id, meta: { ...resource.meta, versionId: '1', lastUpdated } } as Resource & { id: string };
  if (validate) assertValidResource(stored);
  const { rows, compartment } = extractIndex(stored);
  return {
    resourceType: stored.resourceType,
    id,
    versionId: 1,
    lastUpdated,
    deleted: false,
    method: 'create',
    compartment: compartment ?? null,
    sourceFacility,
    content: JSON.stringify(stored),
    index: rows,
  };
}

export async function bulkLoad(db: Database, resources: AsyncIterable<Resource> | Iterable<Resource>, options: BulkLoadOptions = {}): Promise<BulkLoadResult> {
  const batchSize = options.batchSize ?? 1000;
  const concurrency = options.concurrency ?? 2;
  const validate = options.validate ?? true;
  const started = performance.now();
  let loaded = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;

  const flush = (batch: VersionToWrite[]) => {
    // In a transaction of its own: a batch rolled back as a deadlock's victim is written again
    // (Database.transaction retries), instead of failing the load midway.
    const p = db
      .transaction((client) => insertNewResources(client, batch))
      .then(() => {
        loaded += batch.length;
        options.onProgress?.(loaded);
      })
      .catch((err) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  };

  let batch: VersionToWrite[] = [];
  const lastUpdated = new Date().toISOString();
  for await (const resource of resources) {
    batch.push(newVersion(resource, lastUpdated, options.sourceFacility ?? null, validate));
    if (batch.length >= batchSize) {
      flush(batch);
      batch = [];
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
      if (failure) break;
    }
  }
  if (!failure && batch.length > 0) flush(batch);
  await Promise.all(inFlight);
  if (failure) throw failure;
  return { loaded, ms: performance.now() - started };
}
