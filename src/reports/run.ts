// Running a built-in report: filters → query → output (JSON document and tables), with the
// freshness of the cells it read.
import type { Queryable } from '../store/database.ts';
import { applyScope, parseFilters, type ReportFilters } from './filters.ts';
import type { ReportOutput } from './output.ts';
import { arrivalTables, arrivalsReport } from './queries/arrivals.ts';
import { coverageReport, coverageTables } from './queries/coverage.ts';
import { diseaseReport, diseaseTables } from './queries/diseases.ts';
import { vaccinationReport, vaccinationTables } from './queries/vaccination.ts';
import { reportFreshness, vietnamDate } from './refresh.ts';
import type { ReportScope } from './scope.ts';
import { ReportError } from './errors.ts';

export const BUILT_IN_REPORTS = {
  coverage: 'Bao phủ hồ sơ sức khỏe điện tử',
  diseases: 'Tình hình bệnh tật',
  vaccination: 'Tiêm chủng mở rộng',
  arrivals: 'Tiếp nhận dữ liệu từ cơ sở khám chữa bệnh',
} as const;
export type BuiltInReport = keyof typeof BUILT_IN_REPORTS;

export interface RunContext {
  db: Queryable;
  province: string;
  scope: ReportScope;
  now?: Date;
}

export function scopedFilters(ctx: RunContext, query: Record<string, string | undefined>): ReportFilters {
  return applyScope(parseFilters(query, ctx.province, ctx.now ?? new Date()), ctx.scope);
}

export async function runBuiltIn(ctx: RunContext, report: BuiltInReport, query: Record<string, string | undefined>): Promise<ReportOutput> {
  const f = scopedFilters(ctx, query);
  if (ctx.scope.kind === 'facility' && (report === 'coverage' || report === 'vaccination')) {
    throw new ReportError(403, 'Báo cáo theo địa bàn dân cư chỉ dành cho quản lý và trạm y tế xã.');
  }
  const fresh = await reportFreshness(ctx.db);
  const base = { report, title: BUILT_IN_REPORTS[report], asOf: fresh.asOf, pending: fresh.pending };
  switch (report) {
    case 'coverage': {
      const r = await coverageReport(ctx.db, f);
      return { ...base, json: r, tables: coverageTables(r) };
    }
    case 'diseases': {
      const r = await diseaseReport(ctx.db, f);
      return { ...base, json: r, tables: diseaseTables(r) };
    }
    case 'vaccination': {
      const r = await vaccinationReport(ctx.db, f);
      return { ...base, json: r, tables: vaccinationTables(r) };
    }
    case 'arrivals': {
      const r = await arrivalsReport(ctx.db, f, vietnamDate(ctx.now ?? new Date()));
      return { ...base, json: r, tables: arrivalTables(r) };
    }
  }
}
