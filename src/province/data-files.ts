// Reads the committed data files of data/ (built by ./build-data.ts). Kept in one place so the
// path convention lives once.
import fs from 'node:fs';

const DATA_DIR = new URL('../../data/', import.meta.url);

export function readDataFile<T>(name: string): T {
  return JSON.parse(fs.readFileSync(new URL(name, DATA_DIR), 'utf8')) as T;
}

/** Runs `load` on first use only: the files are large and most commands never need them. */
export function lazy<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}
