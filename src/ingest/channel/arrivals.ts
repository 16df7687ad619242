// MISSION B5: how each facility sends (per episode or daily) and when its data last arrived,
// how many episodes per day, how many rejected. Counts only: no content, no patient.
import type { Queryable } from '../../store/database.ts';

export type SendMode = 'episode' | 'daily';
export const SEND_MODES: readonly SendMode[] = ['episode', 'daily'];

export const SEND_MODE_LABELS: Readonly<Record<SendMode, string>> = {
  episode: 'Gửi từng hồ sơ khi kết thúc đợt điều trị',
  daily: 'Gửi theo lô hằng ngày',
};

/** Hours after the last arrival before a facility counts as late, by mode (a nightly batch may slip). */
const LATE_AFTER_HOURS: Readonly<Record<SendMode, number>> = { episode: 24, daily: 36 };

export interface ArrivalCount {
  facility: string;
  received: number;
  rejected: number;
}

/** Adds one submission's counts to today's row (Vietnamese day) of each facility. */
export async function recordArrivals(q: Queryable, channel: string, counts: readonly ArrivalCount[]): Promise<void> {
  const rows = counts.filter((c) => c.received > 0);
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO ingest_arrival (facility_code, day, channel, received, rejected, submissions, first_at, last_at)
     SELECT f, (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, $4, r, j, 1, now(), now()
       FROM unnest($1::text[], $2::int[], $3::int[]) AS x(f, r, j)
     ON CONFLICT (facility_code, day, channel) DO UPDATE SET
       received = ingest_arrival.received + EXCLUDED.received,
       rejected = ingest_arrival.rejected + EXCLUDED.rejected,
       submissions = ingest_arrival.submissions + 1,
       last_at = now()`,
    [rows.map((c) => c.facility), rows.map((c) => c.received), rows.map((c) => c.rejected), channel],
  );
}

export async function getSendMode(q: Queryable, facility: string): Promise<SendMode> {
  const { rows } = await q.query<{ send_mode: SendMode }>('SELECT send_mode FROM ingest_facility_config WHERE facility_code = $1', [facility]);
  return rows[0]?.send_mode ?? 'episode';
}

export async function setSendMode(q: Queryable, facility: string, mode: SendMode, by: string): Promise<void> {
  await q.query(
    `INSERT INTO ingest_facility_config (facility_code, send_mode, updated_at, updated_by) VALUES ($1, $2, now(), $3)
     ON CONFLICT (facility_code) DO UPDATE SET send_mode = EXCLUDED.send_mode, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [facility, mode, by],
  );
}

export interface DayArrivals {
  /** yyyy-mm-dd, Vietnamese day. */
  day: string;
  received: number;
  rejected: number;
  submissions: number;
}

export interface FacilityArrivals {
  facility: string;
  sendMode: SendMode;
  /** ISO instant of the last submission, or null when nothing ever arrived. */
  lastArrivalAt: string | null;
  received: number;
  rejected: number;
  /** Nothing arrived within the mode's window (24 h per episode, 36 h daily). */
  late: boolean;
  days: DayArrivals[];
}

export interface ArrivalsQuery {
  /** Only this facility. */
  facility?: string;
  /** First and last day (yyyy-mm-dd, inclusive); default the last 30 days. */
  from?: string;
  to?: string;
  /** For tests: the present moment. */
  now?: Date;
}

/** The per-facility arrivals view: every configured or sending facility, its days in the range. */
export async function facilityArrivals(q: Queryable, query: ArrivalsQuery = {}): Promise<FacilityArrivals[]> {
  const now = query.now ?? new Date();
  const today = new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
  const to = query.to ?? today;
  const from = query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  const { rows: facilities } = await q.query<{ facility_code: string; send_mode: SendMode | null; last_at: Date | null }>(
    `SELECT f.facility_code, c.send_mode, (SELECT max(last_at) FROM ingest_arrival a WHERE a.facility_code = f.facility_code) AS last_at
       FROM (SELECT facility_code FROM ingest_facility_config UNION SELECT DISTINCT facility_code FROM ingest_arrival) f
       LEFT JOIN ingest_facility_config c ON c.facility_code = f.facility_code
      WHERE $1::text IS NULL OR f.facility_code = $1
      ORDER BY f.facility_code`,
    [query.facility ?? null],
  );
  const { rows: days } = await q.query<{ facility_code: string; day: string; received: number; rejected: number; submissions: number }>(
    `SELECT facility_code, to_char(day, 'YYYY-MM-DD') AS day, sum(received)::int AS received, sum(rejected)::int AS rejected, sum(submissions)::int AS submissions
       FROM ingest_arrival
      WHERE day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR facility_code = $3)
      GROUP BY facility_code, day ORDER BY facility_code, day`,
    [from, to, query.facility ?? null],
  );
  return facilities.map((f) => {
    const mode = f.send_mode ?? 'episode';
    const own = days.filter((d) => d.facility_code === f.facility_code).map(({ day, received, rejected, submissions }) => ({ day, received, rejected, submissions }));
    return {
      facility: f.facility_code,
      sendMode: mode,
      lastArrivalAt: f.last_at ? f.last_at.toISOString() : null,
      received: own.reduce((n, d) => n + d.received, 0),
      rejected: own.reduce((n, d) => n + d.rejected, 0),
      late: !f.last_at || now.getTime() - f.last_at.getTime() > LATE_AFTER_HOURS[mode] * 3600_000,
      days: own,
    };
  });
}
