// Data arrival: per facility, treatment episodes received per day over the last `days` days,
// and the last arrival. Reads report_arrival_cell (from Encounter.meta.lastUpdated and the
// writing facility). Rejections are not stored by the channels yet: reported as null.
import type { Queryable } from '../../store/database.ts';
import type { ReportFilters } from '../filters.ts';
import type { Cell, ReportTable } from '../output.ts';
import { SqlParams } from '../sql.ts';

export async function arrivalsReport(db: Queryable, f: ReportFilters, today: string) {
  const sql = new SqlParams();
  const where = [`day > ${sql.add(today)}::date - ${sql.add(f.days)}::int`];
  if (f.facility) where.push(`facility = ${sql.add(f.facility)}`);
  const [days, last] = await Promise.all([
    db.query<{ facility: string; day: string; episodes: number }>(
      `SELECT facility, to_char(day, 'YYYY-MM-DD') AS day, episodes FROM report_arrival_cell WHERE ${where.join(' AND ')} ORDER BY 1, 2`,
      sql.values,
    ),
    db.query<{ facility: string; last_arrival: Date; total: number }>(
      `SELECT facility, max(last_arrival) AS last_arrival, sum(episodes)::int AS total FROM report_arrival_cell
       WHERE ${f.facility ? 'facility = $1' : 'true'} GROUP BY 1 ORDER BY 1`,
      f.facility ? [f.facility] : [],
    ),
  ]);
  const perDay = new Map<string, { day: string; episodes: number }[]>();
  for (const d of days.rows) perDay.set(d.facility, [...(perDay.get(d.facility) ?? []), { day: d.day, episodes: d.episodes }]);
  return {
    days: f.days,
    facilities: last.rows.map((r) => ({
      facility: r.facility,
      lastArrival: r.last_arrival.toISOString(),
      episodesStored: r.total,
      episodesInPeriod: (perDay.get(r.facility) ?? []).reduce((s, d) => s + d.episodes, 0),
      rejections: null,
      perDay: perDay.get(r.facility) ?? [],
    })),
  };
}

export function arrivalTables(r: Awaited<ReturnType<typeof arrivalsReport>>): ReportTable[] {
  return [
    {
      name: 'Tiếp nhận dữ liệu',
      columns: [
        { key: 'facility', header: 'Mã cơ sở KCB' },
        { key: 'lastArrival', header: 'Lần nhận gần nhất' },
        { key: 'episodesInPeriod', header: `Hồ sơ nhận trong ${r.days} ngày` },
        { key: 'episodesStored', header: 'Tổng hồ sơ đang lưu' },
        { key: 'rejections', header: 'Hồ sơ bị từ chối' },
      ],
      rows: r.facilities as unknown as Record<string, Cell>[],
    },
    {
      name: 'Theo ngày',
      columns: [{ key: 'facility', header: 'Mã cơ sở KCB' }, { key: 'day', header: 'Ngày' }, { key: 'episodes', header: 'Số hồ sơ nhận' }],
      rows: r.facilities.flatMap((x) => x.perDay.map((d) => ({ facility: x.facility, ...d }))),
    },
  ];
}
