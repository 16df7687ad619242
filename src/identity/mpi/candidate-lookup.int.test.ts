// Candidate look-ups by key and complete birth date (mpi-store.ts), and the look-up again that a
// batch planned ahead of the identity lock makes under it: every change that could alter a
// decision must show, changes elsewhere must not, and unchanged persons are not read again.
import type { Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../../test/support/db.ts';
import type { Database, Queryable } from '../../store/database.ts';
import { bornOnAnotherDay } from '../matcher.ts';
import { bornDay, findCandidates, findCandidatesAgain, MAY_BE_BORN_SAME_DAY, setPersonActive, upsertPersons, type CandidateSet } from './mpi-store.ts';
import { personRow } from './person-row.ts';
import { identityKeys, lookupOf } from './resolve.ts';
import { factsFromPatient } from './person-facts.ts';

let db: Database;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

function patient(name: string, birthDate: string, cccd?: string): Patient {
  return {
    resourceType: 'Patient',
    name: [{ use: 'official', text: name }],
    birthDate,
    gender: 'female',
    ...(cccd ? { identifier: [{ system: 'http://fhir.ehealth.gov.vn/core/sid/national_id', value: cccd }] } : {}),
  };
}

const lookupFor = (p: Patient) => lookupOf([identityKeys(factsFromPatient(p))]);

describe('looking candidates up again', () => {
  const keys = lookupFor(patient('Nguyễn Thị Mai', '1990-04-12'));
  const again = (earlier: CandidateSet) => findCandidatesAgain(db.pool, keys, earlier);

  it('finds nothing changed when nothing it found changed', async () => {
    await upsertPersons(db.pool, [personRow('fp-a', patient('Nguyễn Thị Mai', '1990-04-12', '001190000001'), true)]);
    const found = await findCandidates(db.pool, keys);
    expect([...found.persons.keys()]).toEqual(['fp-a']);
    expect(await again(found)).toBe('unchanged');
    // Someone else entirely: none of the keys looked up.
    await upsertPersons(db.pool, [personRow('fp-other', patient('Trần Văn Bình', '1955-01-01'), true)]);
    expect(await again(found)).toBe('unchanged');
  });

  it('sees a person sharing a key added since, and reads only that one', async () => {
    const before = await findCandidates(db.pool, keys);
    await upsertPersons(db.pool, [personRow('fp-b', patient('Nguyễn Thị Mai', '1990-04-12'), true)]);
    const now = await again(before);
    expect(now).not.toBe('unchanged');
    const set = now as CandidateSet;
    expect([...set.persons.keys()].sort()).toEqual(['fp-a', 'fp-b']);
    expect(set.persons.get('fp-a')).toBe(before.persons.get('fp-a')); // not read again
    const fresh = await findCandidates(db.pool, keys);
    expect(set.versions).toEqual(fresh.versions);
    expect(set.byKey).toEqual(fresh.byKey);
    expect(set.persons).toEqual(fresh.persons);
  });

  it('sees a candidate updated with the same keys, with its new facts', async () => {
    const before = await findCandidates(db.pool, keys);
    await upsertPersons(db.pool, [personRow('fp-b', { ...patient('Nguyễn Thị Mai', '1990-04-12'), gender: 'male' })]);
    const now = await again(before);
    expect(now).not.toBe('unchanged');
    expect((now as CandidateSet).persons.get('fp-b')!.facts.sex).toBe('male');
  });

  it('sees a candidate merged away (inactive), and a key of one removed', async () => {
    const before = await findCandidates(db.pool, keys);
    await setPersonActive(db.pool, 'fp-b', false);
    const inactive = await again(before);
    expect(inactive).not.toBe('unchanged');
    expect([...(inactive as CandidateSet).persons.keys()]).toEqual(['fp-a']);
    const afterMerge = await findCandidates(db.pool, keys);
    const key = (await db.pool.query<{ key: string }>(`SELECT key::text FROM mpi_block WHERE patient_id = 'fp-a' AND key = ANY($1::bigint[]) LIMIT 1`, [keys.keys])).rows[0]!.key;
    await db.pool.query('DELETE FROM mpi_block WHERE patient_id = $1 AND key = $2', ['fp-a', key]);
    const now = await again(afterMerge);
    expect(now).not.toBe('unchanged');
    expect((now as CandidateSet).byKey.get(key)).toBeUndefined();
  });

  it('lists each key holder in every key it holds, once per person', async () => {
    const found = await findCandidates(db.pool, keys);
    const { rows } = await db.pool.query<{ key: string; patient_id: string }>(
      `SELECT b.key::text AS key, b.patient_id FROM mpi_block b JOIN mpi_person p USING (patient_id) WHERE p.active AND b.key = ANY($1::bigint[]) ORDER BY 1, 2`,
      [keys.keys],
    );
    const expected = new Map<string, string[]>();
    for (const r of rows) expected.set(r.key, [...(expected.get(r.key) ?? []), r.patient_id]);
    expect(new Map([...found.byKey].sort())).toEqual(new Map([...expected].sort()));
  });

  it('gives, after any mix of changes, the set a fresh look-up gives', async () => {
    // Persons under one name and birth date (so they share keys), changed at random between the
    // first look-up and the second: added, updated (facts, or a key moved), made inactive,
    // reactivated. Deterministic (a fixed linear congruential sequence).
    const look = lookupFor(patient('Lê Thị Hoa', '1985-07-20'));
    const ids = Array.from({ length: 8 }, (_, i) => `fr-${i}`);
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const sexes = ['female', 'male'] as const;
    await upsertPersons(db.pool, ids.slice(0, 4).map((id) => personRow(id, patient('Lê Thị Hoa', '1985-07-20'), true)));
    for (let round = 0; round < 25; round++) {
      const before = await findCandidates(db.pool, look);
      for (let change = next(4); change > 0; change--) {
        const id = ids[next(ids.length)]!;
        const action = next(4);
        if (action === 0) await upsertPersons(db.pool, [personRow(id, { ...patient('Lê Thị Hoa', '1985-07-20'), gender: sexes[next(2)]! })]);
        else if (action === 1) await setPersonActive(db.pool, id, next(2) === 0);
        else if (action === 2) await upsertPersons(db.pool, [personRow(id, patient('Lê Thị Hoa', next(2) === 0 ? '1985-07-20' : '1985'))]);
        else await db.pool.query('DELETE FROM mpi_block WHERE patient_id = $1 AND key = $2', [id, look.keys[next(look.keys.length)]]);
      }
      const now = await findCandidatesAgain(db.pool, look, before);
      const fresh = await findCandidates(db.pool, look);
      if (now === 'unchanged') {
        expect(fresh.versions, `round ${round}`).toEqual(before.versions);
      } else {
        expect(now.versions, `round ${round}`).toEqual(fresh.versions);
        expect(now.byKey, `round ${round}`).toEqual(fresh.byKey);
        expect(now.persons, `round ${round}`).toEqual(fresh.persons);
      }
    }
  });
});

describe('candidates left out by birth date', () => {
  it('keeps every holder the resolver would compare: the SQL filter is a superset of not bornOnAnotherDay', async () => {
    // Dates near each other (typos, swaps, neighbouring years) and far apart, all pairs.
    const dates = ['1990-04-12', '1990-12-04', '1990-04-13', '1990-04-02', '1991-04-12', '1909-04-12', '1980-04-12', '1099-04-12', '9190-04-12',
      '1990-05-12', '1985-04-12', '2000-04-12', '1999-04-12', '1990-04-21', '1990-01-12', '1989-04-12', '1990-12-31', '1990-03-12', '2099-04-12'];
    const left: number[] = [];
    const right: number[] = [];
    const expectKept: boolean[] = [];
    for (const a of dates) for (const b of dates) {
      left.push(bornDay(a)!);
      right.push(bornDay(b)!);
      expectKept.push(!bornOnAnotherDay({ birthDate: a }, { birthDate: b }));
    }
    const { rows } = await db.pool.query<{ kept: boolean }>(
      `SELECT ${MAY_BE_BORN_SAME_DAY} AS kept FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS t(xb, bb, i)
         CROSS JOIN LATERAL (SELECT t.xb AS born) x CROSS JOIN LATERAL (SELECT t.bb AS born) b ORDER BY t.i`,
      [left, right],
    );
    rows.forEach((r, i) => {
      if (expectKept[i]) expect({ pair: [left[i], right[i]], kept: r.kept }).toEqual({ pair: [left[i], right[i]], kept: true });
    });
    // And it does leave most of the others out (the point of it).
    const leftOut = rows.filter((r, i) => !expectKept[i] && !r.kept).length;
    expect(leftOut).toBeGreaterThan(expectKept.filter((k) => !k).length * 0.8);
  });

  it('finds namesakes of a partial date, and of a swapped or mistyped day; not one born on another day; identifier holders always', async () => {
    const name = 'Lê Thị Hồng';
    await upsertPersons(db.pool, [
      personRow('bd-year', patient(name, '1975'), true),
      personRow('bd-swapped', patient(name, '1975-08-03'), true),
      personRow('bd-daytypo', patient(name, '1975-03-18'), true),
      personRow('bd-other', patient(name, '1975-11-25'), true),
      personRow('bd-other-cccd', patient(name, '1975-11-26', '079175000123'), true),
    ]);
    const found = await findCandidates(db.pool, lookupOf([identityKeys(factsFromPatient(patient(name, '1975-03-08', '079175000123')))]));
    expect([...found.persons.keys()].sort()).toEqual(['bd-daytypo', 'bd-other-cccd', 'bd-swapped', 'bd-year']);
  });
});

describe('the look-up in a large province', () => {
  type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Cond'?: string; Plans?: PlanNode[] };
  const scansOf = (node: PlanNode): PlanNode[] => [...(node['Relation Name'] ? [node] : []), ...(node.Plans ?? []).flatMap(scansOf)];

  it('reads each key in the key index and each person by primary key, even before the statistics count the rows', async () => {
    // 40,000 persons with 10 keys each (4 holders per key), inserted in one go and not analysed,
    // as right after a household import; then a batch-sized look-up of 3,000 keys.
    await db.pool.query(`INSERT INTO mpi_person (patient_id, facts) SELECT 'pl-' || i, '{}' FROM generate_series(1, 40000) i`);
    await db.pool.query(
      `INSERT INTO mpi_block (key, patient_id, born)
       SELECT 7000000000000 + (i * 10 + j) % 100000, 'pl-' || i, 19900101 + i % 28 FROM generate_series(1, 40000) i, generate_series(0, 9) j`,
    );
    const keys = Array.from({ length: 3000 }, (_, i) => String(7000000000000 + i * 33));
    const lookup = { keys, born: keys.map((_, i) => (i % 3 === 0 ? null : 19900105)) };
    // The statements findCandidates and findCandidatesAgain send (its changes, then — told that
    // a person found before is found no more — the whole set), planned with their parameters.
    const sent: { text: string; values: unknown[] }[] = [];
    const recorder = {
      query: async (text: string, values: unknown[]) => (sent.push({ text, values }), { rows: text.includes('UNION ALL') ? [{ patient_id: null, unchanged: '0' }] : [] }),
    } as unknown as Queryable;
    await findCandidates(recorder, lookup);
    const gone: CandidateSet = { persons: new Map(), byKey: new Map(), versions: new Map([['pl-1', `1:${keys[0]}`]]) };
    await findCandidatesAgain(recorder, lookup, gone);
    expect(sent).toHaveLength(3);
    for (const { text, values } of sent) {
      const { rows } = await db.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values);
      const scans = scansOf(rows[0]!['QUERY PLAN'][0].Plan).filter((n) => n['Relation Name']!.startsWith('mpi_'));
      expect(scans.map((n) => n['Relation Name']).sort()).toEqual(['mpi_block', 'mpi_person']);
      for (const scan of scans) {
        const column = scan['Relation Name'] === 'mpi_block' ? 'key' : 'patient_id';
        // A bitmap heap scan (the planner's choice while it guesses many holders per key) looks up
        // by its bitmap index scan's condition: still one index look-up per key.
        const cond = scan['Node Type'] === 'Bitmap Heap Scan' ? scan.Plans?.[0]?.['Index Cond'] : scan['Index Cond'];
        expect({ relation: scan['Relation Name'], type: scan['Node Type'], cond }).toEqual({
          relation: scan['Relation Name'],
          type: expect.stringMatching(/^(Index (Only )?Scan|Bitmap Heap Scan)$/),
          cond: expect.stringContaining(`(${column} = `),
        });
      }
    }
    // And the answer is the join's: every holder of a key, born on a day that may be the person's.
    const { rows } = await db.pool.query<{ n: string }>(
      `SELECT count(DISTINCT b.patient_id) AS n FROM unnest($1::bigint[], $2::int[]) AS x(key, born) JOIN mpi_block b ON b.key = x.key AND ${MAY_BE_BORN_SAME_DAY}`,
      [lookup.keys, lookup.born],
    );
    const real = await findCandidates(db.pool, lookup);
    expect(real.persons.size).toBe(Number(rows[0]!.n));
    expect(real.persons.size).toBeGreaterThan(1000);
  });
});
