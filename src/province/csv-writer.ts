// A buffered, synchronous CSV writer (RFC 4180 quoting, UTF-8, LF line ends). Synchronous writes
// of ~1 MB chunks keep memory bounded without back-pressure bookkeeping and keep the generator
// a plain loop.
import fs from 'node:fs';

const NEEDS_QUOTES = /[",\n\r]/;

export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

export class CsvWriter {
  readonly path: string;
  #fd: number;
  #chunks: string[] = [];
  #size = 0;
  rows = 0;

  constructor(path: string, header: readonly string[]) {
    this.path = path;
    this.#fd = fs.openSync(path, 'w');
    this.#chunks.push(csvLine(header));
  }

  write(values: readonly string[]): void {
    const line = csvLine(values);
    this.#chunks.push(line);
    this.#size += line.length;
    this.rows++;
    if (this.#size > 1 << 20) this.flush();
  }

  flush(): void {
    if (this.#chunks.length === 0) return;
    fs.writeSync(this.#fd, this.#chunks.join(''));
    this.#chunks = [];
    this.#size = 0;
  }

  close(): void {
    this.flush();
    fs.closeSync(this.#fd);
  }
}
