// The worklists of MISSION B6 as queries over the programme state (program_worklist, written with
// the FHIR resources it summarises), scoped to a commune or the whole province.
import type { Queryable } from '../../store/database.ts';
import { endOfMonth, endOfWeek, todayInVietnam, type IsoDate } from '../dates.ts';

export interface WorklistDef {
  code: string;
  title: string;
  kinds: string[];
  /** SQL over w (program_worklist); $asOf-relative bounds come from `bounds`. */
  where: 'due-until' | 'overdue' | 'all' | 'due-within-week';
  bound?: (asOf: IsoDate) => IsoDate;
}

export const WORKLISTS: readonly WorklistDef[] = [
  { code: 'vaccination-week', title: 'Tiêm chủng đến hạn tuần này', kinds: ['vaccination', 'tetanus'], where: 'due-until', bound: endOfWeek },
  { code: 'vaccination-month', title: 'Tiêm chủng đến hạn tháng này', kinds: ['vaccination', 'tetanus'], where: 'due-until', bound: endOfMonth },
  { code: 'vaccination-overdue', title: 'Tiêm chủng quá hạn', kinds: ['vaccination', 'tetanus'], where: 'overdue' },
  { code: 'ncd-follow-up', title: 'Tái khám bệnh không lây nhiễm đến hạn', kinds: ['ncd-follow-up'], where: 'all' },
  { code: 'lost-to-follow-up', title: 'Bỏ theo dõi bệnh mạn tính', kinds: ['ncd-lost'], where: 'all' },
  { code: 'pregnancies', title: 'Phụ nữ có thai đang quản lý', kinds: ['pregnancy'], where: 'all' },
  { code: 'malnutrition', title: 'Trẻ suy dinh dưỡng, thừa cân', kinds: ['malnutrition'], where: 'all' },
  { code: 'elderly-checks', title: 'Người cao tuổi đến hạn khám sức khỏe', kinds: ['elderly-check'], where: 'all' },
  { code: 'school-checks', title: 'Học sinh đến hạn khám sức khỏe', kinds: ['school-check'], where: 'all' },
  { code: 'centre-referrals', title: 'Người bệnh do trung tâm chuyên khoa chuyển về', kinds: ['centre-referral'], where: 'all' },
  { code: 'alerts', title: 'Cảnh báo chỉ số sức khỏe', kinds: ['alert'], where: 'all' },
];

export interface WorklistRow {
  patientId: string;
  name: string | null;
  birthDate: string | null;
  gender: string | null;
  /** The resident's home address as written (village, hamlet …), for the commune worker's round. */
  address: string | null;
  communeCode: string | null;
  kind: string;
  itemKey: string;
  dueDate: string | null;
  status: string;
  title: string;
  detail: Record<string, unknown>;
  resourceRef: string | null;
}

export interface WorklistQuery {
  /** One commune, or undefined for the whole province. */
  communeCode?: string;
  asOf?: IsoDate;
  limit?: number;
  /** Keyset: rows after this (due date, patient id, item key). */
  after?: { dueDate: string | null; patientId: string; itemKey: string };
}

export function worklistDef(code: string): WorklistDef | undefined {
  return WORKLISTS.find((w) => w.code === code);
}

export async function queryWorklist(q: Queryable, def: WorklistDef, query: WorklistQuery): Promise<WorklistRow[]> {
  const asOf = query.asOf ?? todayInVietnam();
  const params: unknown[] = [def.kinds];
  const where = ['w.kind = ANY($1::text[])'];
  if (query.communeCode) {
    params.push(query.communeCode);
    where.push(`w.commune_code = $${params.length}`);
  }
  if (def.where === 'due-until') {
    params.push(def.bound!(asOf));
    where.push(`w.status IN ('due') AND w.due_date <= $${params.length}`);
  } else if (def.where === 'overdue') {
    where.push(`w.status = 'overdue'`);
  }
  if (query.after) {
    params.push(query.after.dueDate ?? '9999-12-31', query.after.patientId, query.after.itemKey);
    const n = params.length;
    where.push(`(COALESCE(w.due_date, '9999-12-31'), w.patient_id, w.item_key) > ($${n - 2}::date, $${n - 1}, $${n})`);
  }
  params.push(Math.min(query.limit ?? 500, 5000));
  const { rows } = await q.query(
    `SELECT w.patient_id, w.commune_code, w.kind, w.item_key, w.due_date::text AS due_date, w.status, w.title, w.detail, w.resource_ref,
            pj -> 'name' -> 0 ->> 'text' AS name, pj ->> 'birthDate' AS birth_date, pj ->> 'gender' AS gender,
            COALESCE(pj -> 'address' -> 0 ->> 'text', pj -> 'address' -> 0 -> 'line' ->> 0) AS address
     FROM program_worklist w
     LEFT JOIN resource p ON p.resource_type = 'Patient' AND p.id = w.patient_id
     LEFT JOIN LATERAL (SELECT p.content::jsonb AS pj) j ON true
     WHERE ${where.join(' AND ')}
     ORDER BY COALESCE(w.due_date, '9999-12-31'), w.patient_id, w.item_key
     LIMIT $${params.length}`,
    params,
  );
  return rows.map((r) => ({
    patientId: r.patient_id,
    name: r.name,
    birthDate: r.birth_date,
    gender: r.gender,
    address: r.address,
    communeCode: r.commune_code,
    kind: r.kind,
    itemKey: r.item_key,
    dueDate: r.due_date,
    status: r.status,
    title: r.title,
    detail: r.detail,
    resourceRef: r.resource_ref,
  }));
}

/** Counts per worklist for a commune (or the province): the portal's summary. */
export async function worklistCounts(q: Queryable, communeCode: string | undefined, asOf: IsoDate = todayInVietnam()): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const def of WORKLISTS) {
    const params: unknown[] = [def.kinds, communeCode ?? null];
    let extra = '';
    if (def.where === 'due-until') {
      params.push(def.bound!(asOf));
      extra = ` AND status = 'due' AND due_date <= $3`;
    } else if (def.where === 'overdue') extra = ` AND status = 'overdue'`;
    const { rows } = await q.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM program_worklist WHERE kind = ANY($1::text[]) AND ($2::text IS NULL OR commune_code = $2)${extra}`,
      params,
    );
    out[def.code] = rows[0]!.n;
  }
  return out;
}
