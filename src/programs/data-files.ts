// The programme definitions are data (data/programs/*.json, *.csv), read once per process.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROGRAM_DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../data/programs');

const cache = new Map<string, unknown>();

export function readProgramJson<T>(file: string): T {
  let value = cache.get(file);
  if (value === undefined) {
    value = JSON.parse(fs.readFileSync(path.join(PROGRAM_DATA_DIR, file), 'utf8'));
    cache.set(file, value);
  }
  return value as T;
}

/** A CSV data file without quoting (numbers and codes only); `#` lines are comments. */
export function readProgramCsv(file: string): Record<string, string>[] {
  const lines = fs.readFileSync(path.join(PROGRAM_DATA_DIR, file), 'utf8').split(/\r?\n/).filter((l) => l && !l.startsWith('#'));
  const header = lines[0]!.split(',');
  return lines.slice(1).map((line) => Object.fromEntries(line.split(',').map((v, i) => [header[i]!, v])));
}
