// Inputs of the file channels: FILE or every matching file of DIR (sorted, not recursive), and
// the per-unit report file (NDJSON, one JSON object per line, written as units finish).
import fs from 'node:fs';
import path from 'node:path';
import type { UnitReport } from './report.ts';

export function inputFiles(target: string, extensions: readonly string[]): string[] {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return [target];
  return fs
    .readdirSync(target)
    .filter((f) => extensions.some((e) => f.toLowerCase().endsWith(e)))
    .sort()
    .map((f) => path.join(target, f));
}

export interface ReportWriter {
  write(report: UnitReport & { file?: string }): Promise<void>;
  close(): Promise<void>;
}

export function ndjsonReport(file: string): ReportWriter {
  const out = fs.createWriteStream(file);
  return {
    write(report) {
      const line = `${JSON.stringify(report)}\n`;
      return out.write(line) ? Promise.resolve() : new Promise((resolve) => out.once('drain', resolve));
    },
    close: () => new Promise((resolve) => out.end(resolve)),
  };
}

/** A file read in 1 MiB chunks, counting the bytes read (for the ETA). */
export async function* countedChunks(file: string, counter: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    counter.bytes += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
}
