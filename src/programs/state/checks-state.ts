// Yearly health checks (QĐ 831 visit) for the elderly (60+) and pupils, driven by the resident
// groups (A4): due when there is no health-check Encounter within the period.
import { VISIT_TYPES } from '../codes.ts';
import { addDays, localDateOf, parseDate, type IsoDate } from '../dates.ts';
import { maternalChildConfig } from './maternal-state.ts';
import { communeOfPatient, groupsOf } from './patient-facts.ts';
import type { ProgramContext, ResidentRecord, WorklistItem } from './types.ts';

/** 1 September of the school year containing `date`. */
function schoolYearStart(date: IsoDate): IsoDate {
  const d = parseDate(date)!;
  const year = d.getUTCMonth() >= 8 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
  return `${year}-09-01`;
}

export function checksState(r: ResidentRecord, ctx: ProgramContext): WorklistItem[] {
  const p = r.patient;
  const groups = new Set<string>(groupsOf(p, ctx.asOf));
  const lastCheck = r.encounters
    .filter((e) => (e.type ?? []).some((t) => (t.coding ?? []).some((c) => c.code === VISIT_TYPES.healthCheck.code)))
    .map((e) => localDateOf(e.period?.start))
    .filter((d): d is IsoDate => !!d && d <= ctx.asOf)
    .sort()
    .at(-1);
  const out: WorklistItem[] = [];
  for (const check of maternalChildConfig().yearlyChecks) {
    if (!check.groups.some((g) => groups.has(g))) continue;
    const periodStart = check.schoolYear ? schoolYearStart(ctx.asOf) : addDays(ctx.asOf, -(check.everyDays ?? 365));
    if (lastCheck && lastCheck >= periodStart) continue;
    const due = check.schoolYear ? periodStart : lastCheck ? addDays(lastCheck, check.everyDays ?? 365) : ctx.asOf;
    out.push({
      patientId: p.id,
      communeCode: communeOfPatient(p),
      kind: check.code === 'school' ? 'school-check' : 'elderly-check',
      itemKey: check.code,
      dueDate: due,
      status: 'due',
      title: check.display,
      detail: { lastCheck: lastCheck ?? null },
      resourceRef: null,
    });
  }
  return out;
}
