// Visits recorded on programme forms: the QĐ 831 health check (elderly, pupils) as an Encounter
// with Observations; a pregnancy registration; a birth entered by hand (newborn linked to the
// mother as in XML9: RelatedPerson MTH, and the mother acts for the child).
import { randomUUID } from 'node:crypto';
import type { Encounter, EpisodeOfCare, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { addProxy } from '../auth/proxies.ts';
import { CodeSystem } from '../fhir/systems.ts';
import { ingestRecord } from '../pipeline/ingest.ts';
import type { PipelineContext } from '../pipeline/types.ts';
import type { Database } from '../store/database.ts';
import { Repository } from '../store/repository.ts';
import { LOINC, ProgramExtension, ProgramSystem, VISIT_TYPES } from './codes.ts';
import { addDays, todayInVietnam, type IsoDate } from './dates.ts';
import { PREGNANCY_PROGRAMME, pregnancyEpisodeId, maternalChildConfig } from './state/maternal-state.ts';
import { refreshPatients } from './state/refresh.ts';

export interface HealthCheckInput {
  patientId: string;
  date: IsoDate;
  kind: 'elderly' | 'school' | 'general';
  weightKg?: number;
  heightCm?: number;
  systolic?: number;
  diastolic?: number;
  pulse?: number;
  conclusion?: string;
}

function vital(patientId: string, encounterRef: string, date: IsoDate, code: string, display: string, value: number, unit: string): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: CodeSystem.observationCategory, code: 'vital-signs' }] }],
    code: { coding: [{ system: CodeSystem.loinc, code, display }], text: display },
    subject: { reference: `Patient/${patientId}` },
    encounter: { reference: encounterRef },
    effectiveDateTime: date,
    valueQuantity: { value, unit, system: CodeSystem.ucum, code: unit },
  };
}

export async function recordHealthCheck(db: Database, input: HealthCheckInput, sourceFacility: string | null): Promise<{ encounterId: string; observationIds: string[] }> {
  const repo = new Repository(db);
  const result = await repo.transaction(async (tx) => {
    const encounter: Encounter = {
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: CodeSystem.v3ActCode, code: 'AMB', display: 'ambulatory' },
      type: [{ coding: [{ system: ProgramSystem.visitType, ...VISIT_TYPES.healthCheck }], text: input.kind === 'school' ? 'Khám sức khỏe học sinh' : input.kind === 'elderly' ? 'Khám sức khỏe người cao tuổi' : VISIT_TYPES.healthCheck.display }],
      subject: { reference: `Patient/${input.patientId}` },
      period: { start: input.date, end: input.date },
    };
    const enc = await tx.create(encounter, { sourceFacility });
    const ref = `Encounter/${enc.resource.id}`;
    const obs: Resource[] = [];
    if (input.weightKg !== undefined) obs.push(vital(input.patientId, ref, input.date, LOINC.bodyWeight, 'Cân nặng', input.weightKg, 'kg'));
    if (input.heightCm !== undefined) obs.push(vital(input.patientId, ref, input.date, LOINC.bodyHeight, 'Chiều cao', input.heightCm, 'cm'));
    if (input.pulse !== undefined) obs.push(vital(input.patientId, ref, input.date, '8867-4', 'Mạch', input.pulse, '/min'));
    if (input.systolic !== undefined && input.diastolic !== undefined) {
      obs.push({
        ...vital(input.patientId, ref, input.date, LOINC.bpPanel, 'Huyết áp', 0, 'mm[Hg]'),
        valueQuantity: undefined,
        component: [
          { code: { coding: [{ system: CodeSystem.loinc, code: LOINC.systolic, display: 'Huyết áp tâm thu' }] }, valueQuantity: { value: input.systolic, unit: 'mm[Hg]', system: CodeSystem.ucum, code: 'mm[Hg]' } },
          { code: { coding: [{ system: CodeSystem.loinc, code: LOINC.diastolic, display: 'Huyết áp tâm trương' }] }, valueQuantity: { value: input.diastolic, unit: 'mm[Hg]', system: CodeSystem.ucum, code: 'mm[Hg]' } },
        ],
      } as Observation);
    }
    if (input.conclusion) {
      obs.push({
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Kết luận khám sức khỏe' },
        subject: { reference: `Patient/${input.patientId}` },
        encounter: { reference: ref },
        effectiveDateTime: input.date,
        valueString: input.conclusion,
      });
    }
    const ids: string[] = [];
    for (const o of obs) {
      const clean = JSON.parse(JSON.stringify(o)) as Resource;
      ids.push((await tx.create(clean, { sourceFacility })).resource.id);
    }
    return { encounterId: enc.resource.id, observationIds: ids };
  });
  await refreshPatients(db, [input.patientId]);
  return result;
}

export interface PregnancyInput {
  patientId: string;
  expectedDelivery?: IsoDate;
  lastMenstrualPeriod?: IsoDate;
}

export async function registerPregnancy(db: Database, input: PregnancyInput, sourceFacility: string | null): Promise<EpisodeOfCare> {
  const duration = maternalChildConfig().pregnancy.durationDays;
  const edd = input.expectedDelivery ?? (input.lastMenstrualPeriod ? addDays(input.lastMenstrualPeriod, duration) : undefined);
  const start = input.lastMenstrualPeriod ?? (edd ? addDays(edd, -duration) : todayInVietnam());
  const episode: EpisodeOfCare & { id: string } = {
    resourceType: 'EpisodeOfCare',
    id: pregnancyEpisodeId(input.patientId, start),
    status: 'active',
    type: [{ coding: [{ system: ProgramSystem.programme, code: PREGNANCY_PROGRAMME.code, display: PREGNANCY_PROGRAMME.display }] }],
    patient: { reference: `Patient/${input.patientId}` },
    period: { start },
    ...(edd ? { extension: [{ url: ProgramExtension.expectedDelivery, valueDate: edd }] } : {}),
    meta: { tag: [{ system: ProgramSystem.enrolmentSource, code: 'manual' }] },
  };
  const written = await new Repository(db).update(episode, { sourceFacility });
  await refreshPatients(db, [input.patientId]);
  return written.resource as EpisodeOfCare;
}

export interface BirthInput {
  motherPatientId: string;
  name?: string;
  birthDate: IsoDate;
  gender?: 'male' | 'female';
  birthWeightGrams?: number;
}

export async function registerBirth(ctx: PipelineContext, input: BirthInput, sourceFacility: string | null): Promise<string> {
  const repo = new Repository(ctx.db);
  const mother = JSON.parse((await repo.read('Patient', input.motherPatientId)).content!) as Patient;
  const motherName = mother.name?.[0]?.text ?? '';
  const childUrl = `urn:uuid:${randomUUID()}`;
  const newborn: Patient = {
    resourceType: 'Patient',
    name: [{ use: 'official', text: input.name ?? (motherName ? `Con của ${motherName}` : 'Trẻ sơ sinh') }],
    birthDate: input.birthDate,
    ...(input.gender ? { gender: input.gender } : {}),
    ...(mother.address ? { address: mother.address } : {}),
    ...(mother.telecom ? { telecom: mother.telecom } : {}),
    contact: [{ relationship: [{ coding: [{ system: CodeSystem.v3RoleCode, code: 'MTH', display: 'Mẹ' }] }], ...(motherName ? { name: { text: motherName } } : {}) }],
  };
  const key = `birth/${input.motherPatientId}/${input.birthDate}/${input.name ?? ''}`;
  const entries = [
    {
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource: {
        resourceType: 'RelatedPerson',
        identifier: [{ system: `${ProgramSystem.centreList}/birth`, value: key }],
        patient: { reference: childUrl },
        relationship: [{ coding: [{ system: CodeSystem.v3RoleCode, code: 'MTH', display: 'Mẹ' }] }],
        ...(motherName ? { name: [{ text: motherName }] } : {}),
      } as Resource,
    },
    ...(input.birthWeightGrams !== undefined
      ? [{
          fullUrl: `urn:uuid:${randomUUID()}`,
          resource: {
            resourceType: 'Observation',
            identifier: [{ system: `${ProgramSystem.centreList}/birth`, value: `${key}/weight` }],
            status: 'final',
            category: [{ coding: [{ system: CodeSystem.observationCategory, code: 'vital-signs' }] }],
            code: { coding: [{ system: CodeSystem.loinc, code: LOINC.bodyWeight, display: 'Cân nặng khi sinh' }] },
            subject: { reference: childUrl },
            effectiveDateTime: input.birthDate,
            valueQuantity: { value: input.birthWeightGrams, unit: 'g', system: CodeSystem.ucum, code: 'g' },
          } as Resource,
        }]
      : []),
  ];
  const result = await ingestRecord(ctx, { key, patient: newborn, patientFullUrl: childUrl, entries, excluded: {}, warnings: [] }, { channel: 'form', sourceFacility });
  if (!result.patientId) throw new Error((result.reasons ?? []).map((r) => r.message).join('; ') || 'Không lưu được trẻ sơ sinh.');
  await addProxy(ctx.db.pool, { parentPatientId: input.motherPatientId, childPatientId: result.patientId, source: 'staff' });
  await refreshPatients(ctx.db, [result.patientId, input.motherPatientId]);
  return result.patientId;
}
