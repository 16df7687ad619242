// Register membership (EpisodeOfCare `eoc-{programme}-{patientId}`), follow-up plan (CarePlan
// `cp-{programme}-{patientId}`), control status and follow-up / lost-to-follow-up items, for
// every chronic programme of data/programs/ncd-programmes.json. Enrolment: a Condition in the
// programme's ICD-10 ranges (any channel), a manual enrolment or a centre's list; a member
// discharged by hand is re-enrolled only by a diagnosis recorded after the discharge.
import type { CarePlan, Condition, EpisodeOfCare, Organization, Reference } from '@medplum/fhirtypes';
import { CodeSystem } from '../../fhir/systems.ts';
import { ProgramExtension, ProgramSystem } from '../codes.ts';
import { addDays, daysBetween, localDateOf, maxDate, type IsoDate } from '../dates.ts';
import { controlStatus, readingsOf, type ControlStatus } from '../registers/control.ts';
import { icdInRanges, programmes, type Programme } from '../registers/programmes.ts';
import { communeOfPatient } from './patient-facts.ts';
import type { ProgramContext, ResidentRecord, WorklistItem } from './types.ts';

const CONTROL_DISPLAY: Record<ControlStatus, string> = { controlled: 'Kiểm soát', uncontrolled: 'Chưa kiểm soát', unknown: 'Chưa có số đo' };
const CENTRE_LIST_DAYS = 120;

export function episodeId(programmeCode: string, patientId: string): string {
  return `eoc-${programmeCode}-${patientId}`;
}

export function programmeOfEpisode(e: EpisodeOfCare): string | undefined {
  return e.type?.flatMap((t) => t.coding ?? []).find((c) => c.system === ProgramSystem.programme)?.code;
}

function activeCondition(c: Condition): boolean {
  const clinical = c.clinicalStatus?.coding?.[0]?.code;
  const verification = c.verificationStatus?.coding?.[0]?.code;
  return !['inactive', 'resolved', 'remission'].includes(clinical ?? '') && !['refuted', 'entered-in-error'].includes(verification ?? '');
}

function conditionDate(c: Condition): IsoDate | undefined {
  return localDateOf(c.recordedDate ?? c.onsetDateTime ?? c.onsetPeriod?.start ?? c.meta?.lastUpdated);
}

function matchingConditions(p: Programme, conditions: readonly Condition[]): Condition[] {
  return conditions.filter(
    (c) => activeCondition(c) && (c.code?.coding ?? []).some((cd) => (cd.system === CodeSystem.icd10 || cd.system === undefined) && cd.code && icdInRanges(cd.code, p.icd10)),
  );
}

export function buildEpisode(p: Programme, patientId: string, start: IsoDate, station: Reference<Organization> | undefined, source: string, extra: Partial<EpisodeOfCare> = {}): EpisodeOfCare & { id: string } {
  return {
    resourceType: 'EpisodeOfCare',
    id: episodeId(p.code, patientId),
    status: 'active',
    type: [{ coding: [{ system: ProgramSystem.programme, code: p.code, display: p.display }] }],
    patient: { reference: `Patient/${patientId}` },
    ...(station ? { managingOrganization: station } : {}),
    period: { start },
    meta: { tag: [{ system: ProgramSystem.enrolmentSource, code: source }] },
    ...extra,
  };
}

export function registerState(r: ResidentRecord, ctx: ProgramContext): { resources: (EpisodeOfCare | CarePlan)[]; worklist: WorklistItem[] } {
  const p = r.patient;
  const commune = communeOfPatient(p);
  const station = ctx.stationOf(commune);
  const resources: ((EpisodeOfCare | CarePlan) & { id: string })[] = [];
  const worklist: WorklistItem[] = [];
  for (const prog of programmes()) {
    const existing = r.episodes.find((e) => programmeOfEpisode(e) === prog.code);
    const conditions = matchingConditions(prog, r.conditions);
    const firstDiagnosis = conditions.map(conditionDate).filter((d): d is IsoDate => !!d).sort()[0];
    const latestDiagnosis = conditions.map(conditionDate).filter((d): d is IsoDate => !!d).sort().at(-1);
    let episode: (EpisodeOfCare & { id: string }) | undefined;
    if (existing && ['active', 'onhold', 'waitlist', 'planned'].includes(existing.status)) {
      episode = { ...(existing as EpisodeOfCare & { id: string }) };
    } else if (existing && existing.status === 'finished') {
      const discharged = existing.period?.end;
      if (latestDiagnosis && discharged && latestDiagnosis > discharged) {
        episode = buildEpisode(prog, p.id, latestDiagnosis, station, 'condition', { diagnosis: conditions.map((c) => ({ condition: { reference: `Condition/${c.id}` } })) });
      }
    } else if (conditions.length > 0) {
      episode = buildEpisode(prog, p.id, firstDiagnosis ?? ctx.asOf, station, 'condition');
    }
    if (!episode) continue;
    if (conditions.length > 0) episode.diagnosis = conditions.filter((c) => c.id).map((c) => ({ condition: { reference: `Condition/${c.id}` } }));
    if (!episode.managingOrganization && station) episode.managingOrganization = station;
    const control = controlStatus(prog, r.observations, ctx.asOf);
    episode.extension = [
      ...(episode.extension ?? []).filter((e) => e.url !== ProgramExtension.controlStatus),
      ...(prog.measures.length ? [{ url: ProgramExtension.controlStatus, valueCode: control.status }] : []),
    ];
    const start = episode.period?.start ?? ctx.asOf;
    const lastReading = prog.measures.flatMap((m) => readingsOf(m, r.observations)).map((x) => x.date).filter((d) => d <= ctx.asOf).sort().at(-1);
    const lastVisit = r.encounters.map((e) => localDateOf(e.period?.start ?? e.period?.end)).filter((d): d is IsoDate => !!d && d <= ctx.asOf).sort().at(-1);
    const lastContact = maxDate(start, lastReading, lastVisit)!;
    const nextDue = addDays(lastContact, prog.followUpDays);
    const lost = daysBetween(lastContact, ctx.asOf) > prog.lostAfterDays;
    const carePlan: CarePlan & { id: string } = {
      resourceType: 'CarePlan',
      id: `cp-${prog.code}-${p.id}`,
      status: 'active',
      intent: 'plan',
      category: [{ coding: [{ system: ProgramSystem.programme, code: prog.code, display: prog.display }] }],
      title: `Theo dõi ${prog.display}`,
      subject: { reference: `Patient/${p.id}` },
      period: { start },
      ...(episode.diagnosis?.length ? { addresses: episode.diagnosis.map((d) => d.condition) } : {}),
      activity: [
        {
          detail: {
            kind: 'Appointment',
            code: { text: `Tái khám ${prog.display}` },
            status: lost ? 'stopped' : 'scheduled',
            scheduledPeriod: { start: nextDue },
            description: `Tái khám mỗi ${prog.followUpDays} ngày; lần liên hệ gần nhất ${lastContact}.`,
          },
        },
      ],
    };
    resources.push(episode, carePlan);
    if (episode.status !== 'active') continue;
    const detail = { programme: prog.code, control: control.status, controlDisplay: CONTROL_DISPLAY[control.status], lastContact, readings: control.readings };
    const base = { patientId: p.id, communeCode: commune, resourceRef: `EpisodeOfCare/${episode.id}` };
    if (lost) {
      worklist.push({ ...base, kind: 'ncd-lost', itemKey: prog.code, dueDate: nextDue, status: 'lost', title: `Bỏ theo dõi ${prog.display} (từ ${lastContact})`, detail });
    } else if (nextDue <= addDays(ctx.asOf, 7)) {
      worklist.push({ ...base, kind: 'ncd-follow-up', itemKey: prog.code, dueDate: nextDue, status: nextDue < ctx.asOf ? 'overdue' : 'due', title: `Tái khám ${prog.display}`, detail });
    }
    const centre = episode.extension?.find((e) => e.url === ProgramExtension.referringCentre)?.valueIdentifier?.value;
    if (centre && daysBetween(start, ctx.asOf) <= CENTRE_LIST_DAYS) {
      worklist.push({ ...base, kind: 'centre-referral', itemKey: `${prog.code}/${centre}`, dueDate: start, status: 'new', title: `${prog.display}: chuyển về từ trung tâm ${centre}`, detail: { ...detail, centre } });
    }
  }
  return { resources, worklist };
}
