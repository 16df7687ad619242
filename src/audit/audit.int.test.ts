import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.ts';
import type { Database } from '../store/database.ts';
import { createAuditLog, insertAuditEntries } from './audit-log.ts';
import { createChainedAuditLog } from './chained-audit-log.ts';
import { toAuditEvent } from './audit-event.ts';
import { auditSearchSql, searchAudit, type AuditQuery, type AuditScope } from './audit-search.ts';
import { sealAll } from './sealer.ts';
import { verifyAuditChain } from './verify.ts';
import type { AuditEntryInput } from './audit-entry.ts';

let db: Database;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const read = (patientId: string, agentId = 'u1'): AuditEntryInput => ({
  action: 'read',
  outcome: '0',
  agentKind: 'staff',
  agentId,
  agentRole: 'clinician',
  agentFacility: '68001',
  patientId,
  entityType: 'Observation',
  entityId: `obs-${patientId}`,
  sourceIp: '10.0.0.1',
});

/** Runs SQL as someone who bypasses the append-only triggers (a database superuser). */
async function tamper(sql: string, params: unknown[] = []): Promise<void> {
  await db.transaction(async (c) => {
    await c.query('SET LOCAL session_replication_role = replica');
    await c.query(sql, params);
  });
}

describe('audit trail', () => {
  it('keeps every entry of many concurrent writers and chains them all', async () => {
    const log = createAuditLog(db.pool);
    await Promise.all(Array.from({ length: 300 }, (_, i) => log.record(read(`p${i % 7}`))));
    await insertAuditEntries(db.pool, Array.from({ length: 700 }, (_, i) => read(`p${i % 7}`)));
    expect(await sealAll(db)).toBe(1000);
    const report = await verifyAuditChain(db.pool);
    expect(report).toMatchObject({ ok: true, verified: 1000, unsealed: 0 });
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('chains the entries of the server log as it writes them, between entries sealed later, from two processes at once', async () => {
    const other = await createTestDatabase();
    try {
      // Two logs on two pools stand for two server processes; write transactions' entries arrive unsealed in between.
      const secondPool = new pg.Pool({ connectionString: (other.pool.options as { connectionString: string }).connectionString, max: 4 });
      const [a, b] = [createChainedAuditLog(other.pool), createChainedAuditLog(secondPool)];
      await Promise.all([
        ...Array.from({ length: 400 }, (_, i) => (i % 2 ? a : b).record({ ...read(`p${i % 5}`), detail: { n: i, even: i % 2 === 0 } })),
        insertAuditEntries(other.pool, Array.from({ length: 100 }, (_, i) => read(`w${i}`))),
      ]);
      await secondPool.end();
      const { rows } = await other.pool.query<{ chained: number; unsealed: number }>(
        'SELECT count(chain_pos)::int AS chained, count(*) FILTER (WHERE chain_pos IS NULL)::int AS unsealed FROM audit_entry',
      );
      expect(rows[0]).toEqual({ chained: 400, unsealed: 100 });
      expect((await verifyAuditChain(other.pool)).ok).toBe(true);
      expect(await sealAll(other)).toBe(100);
      await a.record(read('after-sealing'));
      const report = await verifyAuditChain(other.pool);
      expect(report).toMatchObject({ ok: true, verified: 501, unsealed: 0 });
      await other.transaction(async (c) => {
        await c.query('SET LOCAL session_replication_role = replica');
        // The server log's entries are packed a batch per row (migration 420): edit the one at position 7.
        await c.query(`UPDATE audit_pack SET entries = jsonb_set(entries::jsonb, ARRAY[(7 - first_pos)::text, '8'], '"someone-else"')::text
                        WHERE first_pos <= 7 AND first_pos + n > 7`);
      });
      expect((await verifyAuditChain(other.pool)).broken).toMatchObject({ chainPos: 7, problem: 'changed' });
    } finally {
      await other.close();
    }
  });

  it('stores every field exactly as given — quotes, backslashes, Vietnamese text, nested detail — through both writers, and the chain still verifies', async () => {
    const other = await createTestDatabase();
    try {
      const tricky: AuditEntryInput = {
        ...read('p-"quoted"\\back'),
        action: 'search',
        agentRole: 'commune-worker',
        query: 'name=Nguyễn Thị "Hoa"&address=Đà Lạt\\x00,{a}',
        reason: 'Cấp cứu: bệnh nhân bất tỉnh\nđường dây 2',
        detail: { status: 403, note: 'a "b" \\ c', empty: null, yes: true },
        recordedAt: new Date('2026-03-04T05:06:07.089Z'),
      };
      const chained = createChainedAuditLog(other.asyncCommitPool());
      await chained.recordMany([tricky, { ...tricky, patientId: 'p2' }]);
      await insertAuditEntries(other.pool, [{ ...tricky, patientId: 'p3' }]);
      expect(await sealAll(other)).toBe(1);
      const back = (await searchAudit(other.pool, { action: 'search' }, { kind: 'all' })).entries.reverse();
      expect(back.map((e) => e.patientId)).toEqual([tricky.patientId, 'p2', 'p3']);
      for (const entry of back) {
        const { seq: _seq, chainPos: _pos, patientId: _patient, ...rest } = entry;
        const { patientId: _given, ...expected } = tricky;
        expect(rest).toEqual(expected);
      }
      expect(await verifyAuditChain(other.pool)).toMatchObject({ ok: true, verified: 3, unsealed: 0 });
    } finally {
      await other.close();
    }
  });

  it('finds entries by entity — a patient\'s own record, any other resource, with or without its type — and serves every kind of search from an index', async () => {
    const other = await createTestDatabase();
    try {
      await insertAuditEntries(other.pool, [
        { ...read('pa'), entityType: 'Patient', entityId: 'pa' },
        { ...read('pa'), entityType: 'Observation', entityId: 'o1' },
        { ...read('pa'), action: 'search', entityType: 'Observation', entityId: undefined, query: 'code=x' },
        { ...read('pa'), action: 'update', entityType: 'Patient', entityId: 'pb', reason: 'merge' },
        { action: 'create', outcome: '0', agentKind: 'system', entityType: 'Organization', entityId: 'org1' },
      ]);
      const found = async (q: AuditQuery) => (await searchAudit(other.pool, q, { kind: 'all' })).entries.map((e) => `${e.action} ${e.entityType}/${e.entityId ?? ''}`);
      expect(await found({ entityType: 'Patient', entityId: 'pa' })).toEqual(['read Patient/pa']);
      expect(await found({ entityType: 'Observation', entityId: 'o1' })).toEqual(['read Observation/o1']);
      expect(await found({ entityId: 'o1' })).toEqual(['read Observation/o1']);
      expect(await found({ entityType: 'Patient', entityId: 'pb' })).toEqual(['update Patient/pb']);
      expect(await found({ entityType: 'Organization', entityId: 'org1' })).toEqual(['create Organization/org1']);
      expect(await found({ entityType: 'Patient', entityId: 'o1' })).toEqual([]);
      expect(await found({ patientId: 'pa' })).toHaveLength(4);

      // Which index each search can use, whatever the table's size: sequential and plain index
      // scans are priced out, so a plan without a bitmap scan of the named index would mean the
      // condition no longer matches it (e.g. the entity index's predicate).
      const planOf = (q: AuditQuery) =>
        other.transaction(async (c) => {
          await c.query('SET LOCAL enable_seqscan = off');
          await c.query('SET LOCAL enable_indexscan = off');
          const { text, values } = auditSearchSql(q, { kind: 'all' });
          const { rows } = await c.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        });
      const day = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z') };
      const expected: Array<[AuditQuery, string[]]> = [
        [{ patientId: 'pa' }, ['audit_entry_patient']],
        [{ agentId: 'u1', action: 'read' }, ['audit_entry_agent']],
        [{ entityType: 'Observation', entityId: 'o1' }, ['audit_entry_entity', 'audit_entry_patient']],
        [{ entityId: 'pa' }, ['audit_entry_entity', 'audit_entry_patient']],
        [day, ['audit_entry_recorded']],
        [{ patientId: 'pa', ...day }, ['audit_entry_patient']],
      ];
      for (const [q, indexes] of expected) {
        const plan = await planOf(q);
        expect(plan, JSON.stringify(q)).not.toContain('Seq Scan');
        for (const index of indexes) expect(plan, JSON.stringify(q)).toContain(`Bitmap Index Scan on ${index}`);
      }
    } finally {
      await other.close();
    }
  });

  it('finds packed entries (the server log, a batch per row) by patient, entity, agent, action and date, merged newest first with per-entry rows, page by page', async () => {
    const other = await createTestDatabase();
    try {
      const chained = createChainedAuditLog(other.asyncCommitPool());
      // Three batches of the server log (one of them a patient's own record), and write entries in between.
      await chained.recordMany([read('qa', 'agent-a'), { ...read('qa', 'agent-b'), entityType: 'Patient', entityId: 'qa' }]);
      await insertAuditEntries(other.pool, [read('qa', 'agent-a'), { ...read('qb', 'agent-a'), action: 'update' }]);
      await chained.recordMany([{ ...read('qa', 'agent-a'), action: 'search', entityId: undefined, query: 'code=x' }, read('qb', 'agent-b')]);
      await chained.record({ ...read('qc', 'agent-c'), action: 'break-glass', reason: 'Cấp cứu' });
      expect((await other.pool.query('SELECT count(*)::int AS n FROM audit_pack')).rows[0].n).toBe(3);
      // Newest first by seq (the server log reserves seqs in blocks, so not in the order written): compared as sets here, the order below.
      const seqs = async (q: AuditQuery, scope: AuditScope = { kind: 'all' }) => {
        const { entries } = await searchAudit(other.pool, q, scope);
        expect(entries.map((e) => e.seq)).toEqual(entries.map((e) => e.seq).sort((x, y) => y - x));
        return entries.map((e) => `${e.action} ${e.patientId}/${e.agentId}`).sort();
      };
      expect(await seqs({ patientId: 'qa' })).toEqual(['read qa/agent-a', 'read qa/agent-a', 'read qa/agent-b', 'search qa/agent-a']);
      expect(await seqs({ agentId: 'agent-b' })).toEqual(['read qa/agent-b', 'read qb/agent-b']);
      expect(await seqs({ action: 'break-glass' })).toEqual(['break-glass qc/agent-c']);
      expect(await seqs({ entityId: 'qa' })).toEqual(['read qa/agent-b']);
      expect(await seqs({ entityType: 'Observation', entityId: 'obs-qb' })).toEqual(['read qb/agent-b', 'update qb/agent-a']);
      expect(await seqs({ agentId: 'agent-a', action: 'read' })).toEqual(['read qa/agent-a', 'read qa/agent-a']);
      expect(await seqs({ from: new Date(Date.now() + 60_000) })).toEqual([]);
      expect(await seqs({}, { kind: 'patients', patientIds: ['qb', 'qc'] })).toEqual(['break-glass qc/agent-c', 'read qb/agent-b', 'update qb/agent-a']);
      expect(await seqs({}, { kind: 'patients', patientIds: [] })).toEqual([]);
      // Paging walks both tables without repeating or skipping an entry.
      const all = (await searchAudit(other.pool, {}, { kind: 'all' })).entries.map((e) => e.seq);
      expect(all).toHaveLength(7);
      const paged: number[] = [];
      for (let before: number | undefined; ; ) {
        const page = await searchAudit(other.pool, { count: 2, ...(before !== undefined ? { before } : {}) }, { kind: 'all' });
        paged.push(...page.entries.map((e) => e.seq));
        if (page.next === undefined) break;
        before = page.next;
      }
      expect(paged).toEqual(all);
      // The view shows packed entries as rows, with their place in the chain and hash.
      const { rows } = await other.pool.query('SELECT count(*)::int AS n, count(hash)::int AS hashed FROM audit_entry WHERE chain_pos IS NOT NULL');
      expect(rows[0]).toEqual({ n: 5, hashed: 5 });
      expect(await sealAll(other)).toBe(2);
      expect(await verifyAuditChain(other.pool)).toMatchObject({ ok: true, verified: 7 });
      // A whole batch deleted: the first entry after it is named; the newest deleted: the seal tells.
      const { rows: [second] } = await other.pool.query<{ first_pos: number; n: number }>('SELECT first_pos, n FROM audit_pack ORDER BY first_pos OFFSET 1 LIMIT 1');
      await other.transaction(async (c) => {
        await c.query('SET LOCAL session_replication_role = replica');
        await c.query('DELETE FROM audit_pack WHERE first_pos = $1', [second!.first_pos]);
      });
      expect((await verifyAuditChain(other.pool)).broken).toMatchObject({ chainPos: second!.first_pos, problem: 'deleted-before' });
    } finally {
      await other.close();
    }
  });

  it('notices a deleted newest batch of the server log', async () => {
    const other = await createTestDatabase();
    try {
      const chained = createChainedAuditLog(other.asyncCommitPool());
      await chained.recordMany([read('a'), read('b')]);
      await chained.record(read('c'));
      expect((await verifyAuditChain(other.pool)).ok).toBe(true);
      await other.transaction(async (c) => {
        await c.query('SET LOCAL session_replication_role = replica');
        await c.query('DELETE FROM audit_pack WHERE first_pos = 3');
      });
      expect((await verifyAuditChain(other.pool)).broken).toMatchObject({ chainPos: 3, problem: 'deleted-at-end' });
    } finally {
      await other.close();
    }
  });

  it('refuses edits and deletions from the application', async () => {
    await expect(db.pool.query("UPDATE audit_row SET reason = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM audit_row WHERE seq = 1')).rejects.toThrow(/cannot be deleted/);
    await createChainedAuditLog(db.pool).record(read('p-packed'));
    await expect(db.pool.query("UPDATE audit_pack SET entries = '[]'")).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM audit_pack')).rejects.toThrow(/append-only/);
    await expect(db.pool.query('DELETE FROM audit_seal')).rejects.toThrow(/append-only/);
  });

  it('refuses a change to any column of an unsealed entry except its place in the chain (every column of the table, so a new one cannot slip past the guard)', async () => {
    await insertAuditEntries(db.pool, [{ ...read('p-guard'), query: 'name=x', reason: 'r', detail: { a: 1 } }]);
    const { rows: [entry] } = await db.pool.query<{ seq: number }>(`SELECT seq FROM audit_entry WHERE patient_id = 'p-guard' AND chain_pos IS NULL`);
    const { rows: columns } = await db.pool.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'audit_row' AND column_name NOT IN ('seq', 'chain_pos', 'hash')`,
    );
    expect(columns.length).toBeGreaterThanOrEqual(14);
    const changed: Record<string, string> = { 'timestamp with time zone': `now() - interval '1 day'`, jsonb: `'{"b":2}'::jsonb`, text: `'tampered'` };
    for (const { column_name, data_type } of columns) {
      expect(changed[data_type], `a change for ${data_type}`).toBeDefined();
      await expect(db.pool.query(`UPDATE audit_row SET ${column_name} = ${changed[data_type]} WHERE seq = $1`, [entry!.seq]), column_name).rejects.toThrow(/append-only/);
    }
    await db.pool.query(`UPDATE audit_row SET chain_pos = -1, hash = '\\x00' WHERE seq = $1`, [entry!.seq]);
    await expect(db.pool.query(`UPDATE audit_row SET hash = '\\x01' WHERE seq = $1`, [entry!.seq])).rejects.toThrow(/append-only/);
    await tamper(`UPDATE audit_row SET chain_pos = NULL, hash = NULL WHERE seq = $1`, [entry!.seq]);
  });

  it('searches by patient, agent, action and date, newest first, page by page', async () => {
    await insertAuditEntries(db.pool, [read('px', 'agent-a'), read('px', 'agent-b'), { ...read('px', 'agent-a'), action: 'search', query: 'name=Nguyen' }]);
    const first = await searchAudit(db.pool, { patientId: 'px', count: 2 }, { kind: 'all' });
    expect(first.entries).toHaveLength(2);
    expect(first.entries[0]!.action).toBe('search');
    const second = await searchAudit(db.pool, { patientId: 'px', count: 2, before: first.next! }, { kind: 'all' });
    expect(second.entries).toHaveLength(1);
    expect(second.next).toBeUndefined();
    expect((await searchAudit(db.pool, { patientId: 'px', agentId: 'agent-a', action: 'read' }, { kind: 'all' })).entries).toHaveLength(1);
    expect((await searchAudit(db.pool, { patientId: 'px', from: new Date(Date.now() + 60_000) }, { kind: 'all' })).entries).toHaveLength(0);
    expect((await searchAudit(db.pool, { patientId: 'px' }, { kind: 'patients', patientIds: ['someone-else'] })).entries).toHaveLength(0);
    await sealAll(db);
  });

  it('shows a resident who, from which facility and in what role, without account ids, queries or addresses', async () => {
    const [entry] = (await searchAudit(db.pool, { patientId: 'px', action: 'search' }, { kind: 'patients', patientIds: ['px'] })).entries;
    const resident = toAuditEvent(entry!, 'resident');
    const text = JSON.stringify(resident);
    expect(text).not.toContain('agent-a');
    expect(text).not.toContain('10.0.0.1');
    expect(text).not.toContain(Buffer.from('name=Nguyen').toString('base64'));
    expect(resident.agent[0]!.who?.identifier?.value).toBe('68001');
    expect(resident.agent[0]!.type?.coding?.[0]?.code).toBe('clinician');
    const full = toAuditEvent(entry!, 'full');
    expect(full.entity?.some((e) => e.query === Buffer.from('name=Nguyen').toString('base64'))).toBe(true);
    expect(full.resourceType).toBe('AuditEvent');
  });

  it('names the entry that was edited directly in the database', async () => {
    expect((await verifyAuditChain(db.pool)).ok).toBe(true);
    await tamper("UPDATE audit_row SET agent_id = 'someone-innocent' WHERE chain_pos = 500");
    const report = await verifyAuditChain(db.pool);
    expect(report.ok).toBe(false);
    expect(report.broken).toMatchObject({ chainPos: 500, problem: 'changed' });
    await tamper("UPDATE audit_row SET agent_id = 'u1' WHERE chain_pos = 500");
    expect((await verifyAuditChain(db.pool)).ok).toBe(true);
  });

  it('names the entry after one that was deleted, and notices deleted newest entries', async () => {
    const { rows } = await db.pool.query<{ seq: number }>('SELECT seq FROM audit_entry WHERE chain_pos = 201');
    await tamper('DELETE FROM audit_row WHERE chain_pos = 200');
    const report = await verifyAuditChain(db.pool);
    expect(report.broken).toMatchObject({ chainPos: 200, problem: 'deleted-before', seq: rows[0]!.seq });

    const other = await createTestDatabase();
    try {
      await insertAuditEntries(other.pool, [read('a'), read('b'), read('c')]);
      await sealAll(other);
      await other.transaction(async (c) => {
        await c.query('SET LOCAL session_replication_role = replica');
        await c.query('DELETE FROM audit_row WHERE chain_pos = 3');
      });
      expect((await verifyAuditChain(other.pool)).broken).toMatchObject({ problem: 'deleted-at-end' });
    } finally {
      await other.close();
    }
  });
});
