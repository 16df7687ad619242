// Loads FHIR NDJSON (a $export file, a new province's data, a restore) through bulkLoad:
// validated against R4, indexed, written in batches of one statement, queued for sync like any
// other write. Resources keep their ids; an id already present fails its batch (23505).
import readline from 'node:readline';
import type { Readable } from 'node:stream';
import type { Resource } from '@medplum/fhirtypes';
import { bulkLoad, type BulkLoadResult } from '../store/bulk-load.ts';
import type { Database } from '../store/database.ts';

export class NdjsonLineError extends Error {
  override name = 'NdjsonLineError';
  readonly line: number;
  constructor(line: number, message: string) {
    super(`dòng ${line}: ${message}`);
    this.line = line;
  }
}

async function* resourcesOf(input: Readable): AsyncGenerator<Resource> {
  let n = 0;
  for await (const text of readline.createInterface({ input, crlfDelay: Infinity })) {
    n++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new NdjsonLineError(n, 'không phải JSON (not JSON)');
    }
    if (!value || typeof value !== 'object' || typeof (value as { resourceType?: unknown }).resourceType !== 'string') {
      throw new NdjsonLineError(n, 'không phải tài nguyên FHIR (no resourceType)');
    }
    yield value as Resource;
  }
}

export async function importNdjson(db: Database, input: Readable, onProgress?: (loaded: number) => void): Promise<BulkLoadResult> {
  return bulkLoad(db, resourcesOf(input), { validate: true, ...(onProgress ? { onProgress } : {}) });
}
