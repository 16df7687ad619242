// A batch planned ahead of the identity lock (IngestOptions.planAhead, the household import) is
// checked under the lock: if another writer created the same person in between, the batch is
// planned again and links to that person instead of creating a duplicate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import { exactIdentifiersOf, factsFromPatient } from '../identity/mpi/person-facts.ts';
import { lockKeys } from '../identity/mpi/mpi-store.ts';
import { identityKeys } from '../identity/mpi/resolve.ts';
import { parseHouseholdRow } from '../ingest/household/parse-row.ts';
import { memberToRecord } from '../ingest/household/to-fhir.ts';
import type { HouseholdRow } from '../ingest/household/columns.ts';
import type { Database } from '../store/database.ts';
import { ingestBatch, ingestRecord } from './ingest.ts';
import type { IngestOptions, PipelineContext } from './types.ts';

let db: Database;
let ctx: PipelineContext;

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { db, actor: { kind: 'system', name: 'test:plan-ahead' }, province: '68', asOf: '2026-07-01' };
});
afterAll(async () => {
  await db.close();
});

function record(row: HouseholdRow, line: number) {
  const parsed = parseHouseholdRow(row, { province: '68', today: '2026-07-01' });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.reasons));
  return memberToRecord(parsed.member, line, []);
}

const options: IngestOptions = { channel: 'household', patientUpdate: 'registry', registration: true };

/** Resolves once `n` transactions wait for an advisory lock. */
async function waiters(n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.pool.query<{ n: string }>(`SELECT count(DISTINCT pid) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
    if (Number(rows[0]!.n) >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the writers never queued for the identity lock');
}

describe('planning a batch ahead of the identity lock', () => {
  it('plans again, and links, when the same person was created while it waited for the lock', async () => {
    const row: HouseholdRow = { ma_ho: 'HO22918000001', ho_ten: 'Trần Thị Bích Ngọc', ngay_sinh: '14/03/1988', gioi_tinh: 'Nữ', so_cccd: '068188012345', quan_he_chu_ho: 'Chủ hộ', ma_xa: '22918' };
    const first = record(row, 2);
    const facts = factsFromPatient(first.patient);
    const keys = identityKeys(facts, exactIdentifiersOf(first.patient)).stored;

    // Hold the person's lock stripes, queue a plain writer, then a batch that plans ahead (it
    // sees no such person yet) and queues behind it.
    const holder = await db.pool.connect();
    await holder.query('BEGIN');
    await lockKeys(holder, keys);
    const plain = ingestRecord(ctx, first, options);
    await waiters(1);
    const ahead = ingestBatch(ctx, [record(row, 3)], { ...options, planAhead: true });
    await waiters(2);
    await holder.query('ROLLBACK');
    holder.release();

    const [created, linked] = [await plain, (await ahead)[0]!];
    expect(created.outcome).toBe('created');
    expect(linked.outcome).not.toBe('created');
    expect(linked.patientId).toBe(created.patientId);
    const { rows } = await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM resource WHERE resource_type = 'Patient' AND NOT deleted`);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('writes what it planned when nothing changed in between, and a re-import writes nothing', async () => {
    const rows: HouseholdRow[] = [
      { ma_ho: 'HO22918000002', ho_ten: 'Lê Văn Hùng', ngay_sinh: '02/01/1970', gioi_tinh: 'Nam', quan_he_chu_ho: 'Chủ hộ', ma_xa: '22918' },
      { ma_ho: 'HO22918000002', ho_ten: 'Phạm Thị Lan', ngay_sinh: '1972', gioi_tinh: 'Nữ', quan_he_chu_ho: 'Vợ', ma_xa: '22918' },
    ];
    const once = await ingestBatch(ctx, rows.map((r, i) => record(r, i + 2)), { ...options, planAhead: true });
    expect(once.map((r) => r.outcome)).toEqual(['created', 'created']);
    const again = await ingestBatch(ctx, rows.map((r, i) => record(r, i + 2)), { ...options, planAhead: true });
    expect(again.map((r) => r.outcome)).toEqual(['matched', 'matched']);
    expect(again.map((r) => r.patientId)).toEqual(once.map((r) => r.patientId));
    expect(again.reduce((n, r) => n + r.written, 0)).toBe(0);
  });

  it('stores its names for :contains searches, committed apart from the batch', async () => {
    const row: HouseholdRow = { ma_ho: 'HO22918000003', ho_ten: 'Quách Thị Xuyến', ngay_sinh: '09/09/1961', gioi_tinh: 'Nữ', quan_he_chu_ho: 'Chủ hộ', ma_xa: '22918' };
    const [created] = await ingestBatch(ctx, [record(row, 2)], { ...options, planAhead: true });
    expect(created!.outcome).toBe('created');
    const { rows } = await db.pool.query<{ value: string }>(`SELECT value FROM search_string_value WHERE value LIKE '%thi xuyen%'`);
    expect(rows.map((r) => r.value)).toContain('quach thi xuyen');
  });
});
