// The merges in force, newest first, for the reviewer who may undo one (the review screen's
// "recent merges"): who was merged into whom, when, and by which review.
import type { Patient } from '@medplum/fhirtypes';
import type { Queryable } from '../../store/database.ts';

export interface MergeLink {
  id: number;
  sourceId: string;
  survivorId: string;
  reviewId: number | null;
  mergedAt: string;
  /** The two records as they are now (the source inactive, replaced by the survivor). */
  source?: Patient;
  survivor?: Patient;
}

export async function listActiveLinks(q: Queryable, limit = 20): Promise<MergeLink[]> {
  const { rows } = await q.query<{ id: string; source_id: string; survivor_id: string; review_id: string | null; merged_at: Date; source: string | null; survivor: string | null }>(
    `SELECT l.id, l.source_id, l.survivor_id, l.review_id, l.merged_at, s.content AS source, v.content AS survivor
       FROM identity_link l
       LEFT JOIN resource s ON s.resource_type = 'Patient' AND s.id = l.source_id
       LEFT JOIN resource v ON v.resource_type = 'Patient' AND v.id = l.survivor_id
      WHERE l.undone_at IS NULL ORDER BY l.id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    sourceId: r.source_id,
    survivorId: r.survivor_id,
    reviewId: r.review_id === null ? null : Number(r.review_id),
    mergedAt: new Date(r.merged_at).toISOString(),
    ...(r.source ? { source: JSON.parse(r.source) as Patient } : {}),
    ...(r.survivor ? { survivor: JSON.parse(r.survivor) as Patient } : {}),
  }));
}
