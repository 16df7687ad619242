// Building SQL from parameters: values always become bind parameters ($n), never text.
export class SqlParams {
  readonly values: unknown[] = [];
  /** A placeholder for `value`. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
