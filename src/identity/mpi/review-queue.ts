// The review queue of uncertain pairs (MISSION B4: uncertain matches go to a person). A reviewer
// sees both records side by side with the matcher's score and reasons, and decides: the same
// person (merge) or two people (kept separate, never offered again).
import type { Patient } from '@medplum/fhirtypes';
import type { Actor } from '../../auth/actor.ts';
import { actorId } from '../../auth/actor.ts';
import { agentOf } from '../../audit/audit-entry.ts';
import { insertAuditEntries } from '../../audit/audit-log.ts';
import { accessFilterSql } from '../../auth/access-filter-sql.ts';
import type { AccessPolicy } from '../../auth/access-policy.ts';
import type { Database, Queryable } from '../../store/database.ts';
import { mergePatients, MergeError } from './merge.ts';
import { pairKey } from './mpi-store.ts';

export interface ReviewItem {
  id: number;
  patientId: string;
  candidateId: string;
  score: number;
  reasons: string[];
  status: string;
  createdAt: string;
  /** The two records as stored (for the reviewer's side-by-side view). */
  patient?: Patient;
  candidate?: Patient;
}

/**
 * The condition keeping the review items a reviewer may see: those where at least one of the two
 * records is readable under the reviewer's access policy (a commune health worker, the pairs
 * touching their commune; a clerk, their facility's). `firstParam` numbers its placeholders.
 */
function reviewScopeSql(scope: AccessPolicy | undefined, firstParam: number): { sql: string; params: unknown[] } {
  if (!scope || scope.kind === 'all') return { sql: 'TRUE', params: [] };
  const filter = accessFilterSql(scope, 'r', firstParam);
  return {
    sql: `EXISTS (SELECT 1 FROM resource r WHERE r.resource_type = 'Patient' AND r.id IN (ir.patient_id, ir.candidate_id) AND NOT r.deleted AND ${filter.sql})`,
    params: filter.params,
  };
}

export async function listReviews(
  q: Queryable,
  options: { status?: string; limit?: number; afterId?: number; withRecords?: boolean; scope?: AccessPolicy } = {},
): Promise<ReviewItem[]> {
  const scoped = reviewScopeSql(options.scope, 4);
  const { rows } = await q.query(
    `SELECT id, patient_id, candidate_id, score::float8 AS score, reasons, status, created_at FROM identity_review ir
      WHERE status = $1 AND id > $2 AND ${scoped.sql} ORDER BY id LIMIT $3`,
    [options.status ?? 'pending', options.afterId ?? 0, options.limit ?? 50, ...scoped.params],
  );
  const items: ReviewItem[] = rows.map((r) => ({
    id: Number(r.id), patientId: r.patient_id, candidateId: r.candidate_id, score: r.score, reasons: r.reasons, status: r.status, createdAt: new Date(r.created_at).toISOString(),
  }));
  if (options.withRecords && items.length) {
    const ids = [...new Set(items.flatMap((i) => [i.patientId, i.candidateId]))];
    const res = await q.query<{ id: string; content: string }>(`SELECT id, content FROM resource WHERE resource_type = 'Patient' AND id = ANY($1::text[])`, [ids]);
    const byId = new Map(res.rows.map((r) => [r.id, JSON.parse(r.content) as Patient]));
    for (const i of items) {
      const p = byId.get(i.patientId);
      const c = byId.get(i.candidateId);
      if (p) i.patient = p;
      if (c) i.candidate = c;
    }
  }
  return items;
}

export type ReviewDecision = 'link' | 'separate';

/** How many items wait for a reviewer with this scope (the dashboard's figure). */
export async function countPendingReviews(q: Queryable, scope?: AccessPolicy): Promise<number> {
  const scoped = reviewScopeSql(scope, 1);
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM identity_review ir WHERE status = 'pending' AND ${scoped.sql}`, scoped.params);
  return rows[0]!.n;
}

/** `scope`: the reviewer's access policy; an item outside it is answered as not found. */
export async function decideReview(
  db: Database,
  reviewId: number,
  decision: ReviewDecision,
  actor: Actor,
  scope?: AccessPolicy,
): Promise<{ status: string; linkId?: number }> {
  const scoped = reviewScopeSql(scope, 2);
  const { rows } = await db.pool.query<{ patient_id: string; candidate_id: string; status: string }>(
    `SELECT patient_id, candidate_id, status FROM identity_review ir WHERE id = $1 AND ${scoped.sql}`,
    [reviewId, ...scoped.params],
  );
  const item = rows[0];
  if (!item) throw new MergeError('not-found', `Không có mục chờ xét số ${reviewId}.`);
  if (item.status !== 'pending') throw new MergeError('already-merged', `Mục chờ xét số ${reviewId} đã được quyết định (${item.status}).`);
  if (decision === 'link') {
    // The record created beside the existing one is merged into it: the older record survives.
    const { linkId } = await mergePatients(db, item.patient_id, item.candidate_id, actor, reviewId);
    return { status: 'linked', linkId };
  }
  await db.transaction(async (client) => {
    const who = actorId(actor);
    await client.query(`UPDATE identity_review SET status = 'separate', decided_by = $2, decided_at = now() WHERE id = $1`, [reviewId, who]);
    const [a, b] = pairKey(item.patient_id, item.candidate_id).split('|');
    await client.query('INSERT INTO identity_distinct (patient_a, patient_b, decided_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [a, b, who]);
    await insertAuditEntries(client, [
      { action: 'update', outcome: '0', ...agentOf(actor), patientId: item.patient_id, entityType: 'Patient', entityId: item.patient_id, reason: 'identity-review', detail: { decision: 'separate', review: reviewId } },
    ]);
  });
  return { status: 'separate' };
}
