// The programme engine for one resident: every programme's FHIR state and worklist items.
import { ProgramSystem } from '../codes.ts';
import { localDateOf } from '../dates.ts';
import { checksState } from './checks-state.ts';
import { immunizationState } from './immunization-state.ts';
import { growthState, pregnancyState } from './maternal-state.ts';
import { communeOfPatient } from './patient-facts.ts';
import { registerState } from './register-state.ts';
import type { ProgramContext, ProgramState, ResidentRecord, WorklistItem } from './types.ts';

function alertItems(r: ResidentRecord): WorklistItem[] {
  return r.flags
    .filter((f) => f.status === 'active' && (f.code?.coding ?? []).some((c) => c.system === ProgramSystem.alert))
    .map((f) => ({
      patientId: r.patient.id,
      communeCode: communeOfPatient(r.patient),
      kind: 'alert' as const,
      itemKey: f.id!,
      dueDate: localDateOf(f.period?.start) ?? null,
      status: 'new',
      title: f.code?.text ?? 'Cảnh báo',
      detail: {},
      resourceRef: `Flag/${f.id}`,
    }));
}

export function computeProgramState(r: ResidentRecord, ctx: ProgramContext): ProgramState {
  if (r.patient.deceasedBoolean || r.patient.deceasedDateTime || r.patient.active === false) return { resources: [], worklist: [] };
  const pregnancy = pregnancyState(r, ctx);
  const immunization = immunizationState(r, ctx, pregnancy.dueDate);
  const registers = registerState(r, ctx);
  return {
    resources: [...(immunization.resource ? [immunization.resource] : []), ...pregnancy.resources, ...(registers.resources as ProgramState['resources'])],
    worklist: [...immunization.worklist, ...pregnancy.worklist, ...registers.worklist, ...growthState(r, ctx), ...checksState(r, ctx), ...alertItems(r)],
  };
}
