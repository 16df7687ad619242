import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import type { Database } from './database.ts';
import { arrayLiteral, binaryInt4Array, binaryTextArray } from './resource-writer.ts';

let db: Database;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.close();
});

describe('array literals sent to PostgreSQL', () => {
  it('give back every text exactly, including quotes, backslashes, braces, commas and the word NULL', async () => {
    const texts = ['', 'NULL', 'null', 'a,b', '{x}', 'say "hi"', 'C:\\dir\\', '\\"', ' spaced ', 'Nguyễn Văn Ân', 'line\nbreak', '{"a":[1,"b\\\\c"]}', 'say "hi"\nbye', 'tab\t"x"', 'emoji 😀 "q"', JSON.stringify({ text: 'dòng 1\ndòng "2" \\ 3' }), null];
    const { rows } = await db.pool.query<{ v: (string | null)[] }>('SELECT $1::text[] AS v', [arrayLiteral(texts)]);
    expect(rows[0]!.v).toEqual(texts);
  });

  it('in the binary format give back every text exactly, nulls, and an empty array', async () => {
    const texts = ['', 'NULL', 'a,b', '{x}', 'say "hi"', 'C:\\dir\\', ' spaced ', 'Nguyễn Văn Ân', 'line\nbreak', 'emoji 😀 "q"', JSON.stringify({ text: 'dòng 1\ndòng "2" \\ 3' }), null, 'x'.repeat(100_000)];
    const { rows } = await db.pool.query<{ v: (string | null)[]; e: string[]; n: number }>(
      'SELECT $1::text[] AS v, $2::text[] AS e, (SELECT count(*)::int FROM unnest($1::text[]) AS t WHERE t IS NULL) AS n',
      [binaryTextArray(texts), binaryTextArray([])],
    );
    expect(rows[0]!.v).toEqual(texts);
    expect(rows[0]!.e).toEqual([]);
    expect(rows[0]!.n).toBe(1);
  });

  it('in the binary format give back 32-bit integers, negative and extreme ones, and an empty array', async () => {
    const ints = [0, 1, -1, 2147483647, -2147483648, 123456789, -987654321];
    const { rows } = await db.pool.query<{ v: number[]; e: number[] }>('SELECT $1::int[] AS v, $2::int[] AS e', [binaryInt4Array(ints), binaryInt4Array([])]);
    expect(rows[0]!.v).toEqual(ints);
    expect(rows[0]!.e).toEqual([]);
  });

  it('give back numbers and booleans', async () => {
    const { rows } = await db.pool.query<{ i: number[]; n: string[]; b: boolean[] }>('SELECT $1::int[] AS i, $2::numeric[] AS n, $3::bool[] AS b', [
      arrayLiteral([1, -2, 2147483647]),
      arrayLiteral([0.1, 1e-7, 5.6]),
      arrayLiteral([true, false, null]),
    ]);
    expect(rows[0]!.i).toEqual([1, -2, 2147483647]);
    expect(rows[0]!.n.map(Number)).toEqual([0.1, 1e-7, 5.6]);
    expect(rows[0]!.b).toEqual([true, false, null]);
  });
});
