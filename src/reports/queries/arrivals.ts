// Data arrival: per facility, units received and rejected per day over the last `days` days
// (the channels' arrivals log, ingest_arrival of migration 030), the last arrival, and the
// treatment episodes stored from it (report_arrival_cell, by Encounter.meta.lastUpdated and the
// writing facility — this also counts episodes that came through the FHIR API).
import type { Queryable } from '../../store/database.ts';
import { facilityNames } from '../../store/facility-names.ts';
import type { ReportFilters } from '../filters.ts';
import type { Cell, ReportTable } from '../output.ts';
import { SqlParams } from '../sql.ts';

interface DayRow {
  facility: string;
  day: string;
  received: number;
  rejected: number;
  stored: number;
  last_at: Date | null;
}

const NO_FACILITY = 'Không qua cơ sở khám chữa bệnh (hệ thống ghi)';

export async function arrivalsReport(db: Queryable, f: ReportFilters, today: string) {
  const sql = new SqlParams();
  const since = `${sql.add(today)}::date - ${sql.add(f.days)}::int`;
  const facility = f.facility ? sql.add(f.facility) : undefined;
  const { rows } = await db.query<DayRow>(
    `SELECT facility, to_char(day, 'YYYY-MM-DD') AS day, sum(received)::int AS received, sum(rejected)::int AS rejected,
            sum(stored)::int AS stored, max(last_at) AS last_at
     FROM (SELECT facility_code AS facility, day, received, rejected, 0 AS stored, last_at FROM ingest_arrival
           UNION ALL SELECT facility, day, 0, 0, episodes, last_arrival FROM report_arrival_cell) a
     WHERE day > ${since} ${facility ? `AND facility = ${facility}` : ''}
     GROUP BY 1, 2 ORDER BY 1, 2`,
    sql.values,
  );
  const lastSql = new SqlParams();
  const lastFacility = f.facility ? lastSql.add(f.facility) : undefined;
  const last = await db.query<{ facility: string; last_at: Date }>(
    `SELECT facility, max(last_at) AS last_at FROM (SELECT facility_code AS facility, last_at FROM ingest_arrival
       UNION ALL SELECT facility, last_arrival FROM report_arrival_cell) a ${lastFacility ? `WHERE facility = ${lastFacility}` : ''} GROUP BY 1 ORDER BY 1`,
    lastSql.values,
  );
  const perDay = new Map<string, { day: string; received: number; rejected: number; storedEpisodes: number }[]>();
  for (const d of rows) perDay.set(d.facility, [...(perDay.get(d.facility) ?? []), { day: d.day, received: d.received, rejected: d.rejected, storedEpisodes: d.stored }]);
  const sum = (xs: { received: number; rejected: number; storedEpisodes: number }[], k: 'received' | 'rejected' | 'storedEpisodes') => xs.reduce((s, x) => s + x[k], 0);
  const names = await facilityNames(db, last.rows.map((r) => r.facility).filter(Boolean));
  return {
    days: f.days,
    facilities: last.rows.map((r) => {
      const days = perDay.get(r.facility) ?? [];
      return {
        facility: r.facility,
        // Records written without a facility (by the system: the demo, a migration) are shown as such.
        name: r.facility ? (names.get(r.facility) ?? '') : NO_FACILITY,
        lastArrival: r.last_at.toISOString(),
        received: sum(days, 'received'),
        rejected: sum(days, 'rejected'),
        storedEpisodes: sum(days, 'storedEpisodes'),
        perDay: days,
      };
    }),
  };
}

export function arrivalTables(r: Awaited<ReturnType<typeof arrivalsReport>>): ReportTable[] {
  return [
    {
      name: 'Tiếp nhận dữ liệu',
      columns: [
        { key: 'facility', header: 'Mã cơ sở KCB' },
        { key: 'name', header: 'Tên cơ sở' },
        { key: 'lastArrival', header: 'Lần nhận gần nhất' },
        { key: 'received', header: `Hồ sơ nhận trong ${r.days} ngày` },
        { key: 'rejected', header: 'Hồ sơ bị từ chối' },
        { key: 'storedEpisodes', header: 'Đợt điều trị đã lưu' },
      ],
      rows: r.facilities as unknown as Record<string, Cell>[],
    },
    {
      name: 'Theo ngày',
      columns: [
        { key: 'facility', header: 'Mã cơ sở KCB' },
        { key: 'day', header: 'Ngày' },
        { key: 'received', header: 'Hồ sơ nhận' },
        { key: 'rejected', header: 'Bị từ chối' },
        { key: 'storedEpisodes', header: 'Đợt điều trị đã lưu' },
      ],
      rows: r.facilities.flatMap((x) => x.perDay.map((d) => ({ facility: x.facility, ...d }))),
    },
  ];
}
