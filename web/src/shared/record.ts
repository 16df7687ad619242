// Turns a Patient/$everything Bundle into what the record screens show: episodes with their
// diagnoses, medicines, results and summaries; measurement series for the trend charts;
// vaccinations, health checks, allergies, family links — each item with its source facility.
import { isSelfReported } from './self-reported.ts';
import type {
  AllergyIntolerance, Bundle, CodeableConcept, Composition, Condition, Encounter, FamilyMemberHistory, Flag, Group, Immunization,
  MedicationRequest, MedicationStatement, Observation, Organization, Patient, Procedure, Reference, RelatedPerson, Resource, DiagnosticReport,
} from '@medplum/fhirtypes';
import { Ext, HEALTH_CHECK_TYPE, System, refId } from './fhir.ts';

export interface Sourced<T> {
  resource: T;
  /** Name of the facility the item came from, when it is known. */
  source?: string;
  /** The resident's own statement (C5), not a facility's record. */
  selfReported?: true;
}

export interface Episode {
  encounter: Encounter;
  source?: string;
  conditions: Condition[];
  medications: (MedicationRequest | MedicationStatement)[];
  observations: Observation[];
  compositions: Composition[];
  procedures: Procedure[];
  healthCheck: boolean;
}

export interface SeriesPoint {
  date: string;
  value: number;
}

/** Measurements charted over time; key = our measure id. */
export const MEASURES = {
  bp: { codes: ['85354-9', '55284-4'], unit: 'mmHg' },
  systolic: { codes: ['8480-6'], unit: 'mmHg' },
  diastolic: { codes: ['8462-4'], unit: 'mmHg' },
  glucose: { codes: ['2339-0', '2345-7', '15074-8'], unit: 'mmol/L' },
  hba1c: { codes: ['4548-4', '17856-6'], unit: '%' },
  weight: { codes: ['29463-7', '3141-9'], unit: 'kg' },
  bmi: { codes: ['39156-5'], unit: 'kg/m2' },
  pulse: { codes: ['8867-4'], unit: '/min' },
} as const;
export type MeasureId = Exclude<keyof typeof MEASURES, 'bp'>;

export interface PatientRecord {
  patient: Patient;
  episodes: Episode[];
  healthChecks: Episode[];
  looseConditions: Sourced<Condition>[];
  allergies: Sourced<AllergyIntolerance>[];
  immunizations: Sourced<Immunization>[];
  observations: Sourced<Observation>[];
  series: Partial<Record<MeasureId, SeriesPoint[]>>;
  medications: Sourced<MedicationRequest | MedicationStatement>[];
  compositions: Sourced<Composition>[];
  familyHistory: Sourced<FamilyMemberHistory>[];
  relatedPersons: RelatedPerson[];
  groups: Group[];
  flags: Flag[];
  reports: Sourced<DiagnosticReport>[];
  residentGroups: string[];
  verification?: { date?: string; result?: string };
  total: number;
}

export function codeText(c: CodeableConcept | undefined): string {
  if (!c) return '';
  const coding = c.coding?.[0];
  return c.text ?? coding?.display ?? coding?.code ?? '';
}

export function hasCode(c: CodeableConcept | undefined, codes: readonly string[]): boolean {
  return (c?.coding ?? []).some((x) => x.code !== undefined && codes.includes(x.code));
}

export function observationDate(o: Observation): string | undefined {
  return o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.effectiveInstant ?? o.issued;
}

export function observationValue(o: Observation): string {
  if (o.valueQuantity?.value !== undefined) return `${o.valueQuantity.value} ${o.valueQuantity.unit ?? o.valueQuantity.code ?? ''}`.trim();
  if (o.valueString) return o.valueString;
  if (o.valueCodeableConcept) return codeText(o.valueCodeableConcept);
  if (o.valueBoolean !== undefined) return o.valueBoolean ? '✓' : '✗';
  if (o.valueInteger !== undefined) return String(o.valueInteger);
  if (o.valueDateTime) return o.valueDateTime;
  const parts = (o.component ?? []).map((c) => c.valueQuantity?.value).filter((v) => v !== undefined);
  if (parts.length) return `${parts.join('/')} ${o.component?.[0]?.valueQuantity?.unit ?? ''}`.trim();
  return '';
}

function isHealthCheck(e: Encounter): boolean {
  return (e.type ?? []).some((t) => (t.coding ?? []).some((c) => c.system === HEALTH_CHECK_TYPE.system && c.code === HEALTH_CHECK_TYPE.code));
}

export function buildRecord(bundle: Bundle, patientId: string): PatientRecord | undefined {
  const all = (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => r !== undefined);
  const patient = all.find((r): r is Patient => r.resourceType === 'Patient' && r.id === patientId);
  if (!patient) return undefined;
  const of = <T extends Resource>(type: T['resourceType']) => all.filter((r): r is T => r.resourceType === type);
  const orgs = new Map(of<Organization>('Organization').map((o) => [o.id!, o]));
  const orgsByCode = new Map(
    of<Organization>('Organization').flatMap((o) => (o.identifier ?? []).filter((i) => i.system === System.facilityCode && i.value).map((i) => [i.value!, o] as const)),
  );
  const encounters = of<Encounter>('Encounter');
  const encounterById = new Map(encounters.map((e) => [e.id!, e]));

  const orgName = (ref: Reference | undefined): string | undefined => {
    if (!ref) return undefined;
    const id = refId(ref, 'Organization');
    if (id && orgs.get(id)) return orgs.get(id)!.name;
    if (ref.identifier?.system === System.facilityCode && ref.identifier.value) return orgsByCode.get(ref.identifier.value)?.name ?? ref.identifier.value;
    if (ref.reference?.startsWith('Organization/') || ref.type === 'Organization') return ref.display ?? ref.identifier?.value;
    return undefined;
  };
  const firstOrg = (refs: (Reference | undefined)[]) => refs.map(orgName).find((x) => x);
  const viaEncounter = (ref: Reference | undefined) => {
    const e = encounterById.get(refId(ref, 'Encounter') ?? '');
    return e ? orgName(e.serviceProvider) : undefined;
  };
  const metaSource = (r: Resource) => {
    const s = r.meta?.source;
    const code = s?.match(/ma-cskcb[/|#]?([\w.-]+)$/)?.[1];
    return code ? (orgsByCode.get(code)?.name ?? code) : undefined;
  };

  const sourceOf = (r: Resource): string | undefined => {
    switch (r.resourceType) {
      case 'Encounter':
        return orgName(r.serviceProvider) ?? metaSource(r);
      case 'Observation':
        return firstOrg(r.performer ?? []) ?? viaEncounter(r.encounter) ?? metaSource(r);
      case 'Condition':
        return viaEncounter(r.encounter) ?? firstOrg([r.recorder, r.asserter]) ?? metaSource(r);
      case 'Immunization':
        return firstOrg((r.performer ?? []).map((p) => p.actor)) ?? viaEncounter(r.encounter) ?? metaSource(r);
      case 'AllergyIntolerance':
        return firstOrg([r.recorder, r.asserter]) ?? viaEncounter(r.encounter) ?? metaSource(r);
      case 'MedicationRequest':
        return firstOrg([r.requester, r.performer]) ?? viaEncounter(r.encounter) ?? metaSource(r);
      case 'MedicationStatement':
        return firstOrg([r.informationSource]) ?? viaEncounter(r.context) ?? metaSource(r);
      case 'Composition':
        return firstOrg([...(r.author ?? []), r.custodian]) ?? viaEncounter(r.encounter) ?? metaSource(r);
      case 'Procedure':
        return firstOrg((r.performer ?? []).map((p) => p.actor)) ?? viaEncounter(r.encounter) ?? metaSource(r);
      case 'DiagnosticReport':
        return firstOrg(r.performer ?? []) ?? viaEncounter(r.encounter) ?? metaSource(r);
      case 'FamilyMemberHistory':
        return metaSource(r);
      default:
        return metaSource(r);
    }
  };
  const sourced = <T extends Resource>(r: T): Sourced<T> => {
    if (isSelfReported(r)) return { resource: r, selfReported: true };
    const source = sourceOf(r);
    return source ? { resource: r, source } : { resource: r };
  };

  const episodes = new Map<string, Episode>();
  for (const e of encounters) {
    const source = sourceOf(e);
    episodes.set(e.id!, { encounter: e, ...(source ? { source } : {}), conditions: [], medications: [], observations: [], compositions: [], procedures: [], healthCheck: isHealthCheck(e) });
  }
  const episodeOf = (ref: Reference | undefined) => episodes.get(refId(ref, 'Encounter') ?? '');

  const looseConditions: Sourced<Condition>[] = [];
  for (const c of of<Condition>('Condition')) {
    const ep = episodeOf(c.encounter);
    if (ep) ep.conditions.push(c);
    else looseConditions.push(sourced(c));
  }
  const medications = [...of<MedicationRequest>('MedicationRequest'), ...of<MedicationStatement>('MedicationStatement')];
  for (const m of medications) episodeOf(m.resourceType === 'MedicationRequest' ? m.encounter : m.context)?.medications.push(m);
  const observations = of<Observation>('Observation');
  for (const o of observations) episodeOf(o.encounter)?.observations.push(o);
  const compositions = of<Composition>('Composition');
  for (const c of compositions) episodeOf(c.encounter)?.compositions.push(c);
  for (const p of of<Procedure>('Procedure')) episodeOf(p.encounter)?.procedures.push(p);

  const byDateDesc = (a: Episode, b: Episode) => (b.encounter.period?.start ?? '').localeCompare(a.encounter.period?.start ?? '');
  const allEpisodes = [...episodes.values()].sort(byDateDesc);

  const series: Partial<Record<MeasureId, SeriesPoint[]>> = {};
  const push = (id: MeasureId, date: string | undefined, value: number | undefined) => {
    if (!date || value === undefined || Number.isNaN(value)) return;
    (series[id] ??= []).push({ date, value });
  };
  for (const o of observations) {
    const date = observationDate(o);
    for (const [id, m] of Object.entries(MEASURES) as [keyof typeof MEASURES, (typeof MEASURES)[keyof typeof MEASURES]][]) {
      if (id === 'bp') continue;
      if (hasCode(o.code, m.codes)) push(id, date, o.valueQuantity?.value);
    }
    for (const c of o.component ?? []) {
      if (hasCode(c.code, MEASURES.systolic.codes)) push('systolic', date, c.valueQuantity?.value);
      if (hasCode(c.code, MEASURES.diastolic.codes)) push('diastolic', date, c.valueQuantity?.value);
    }
  }
  for (const s of Object.values(series)) s.sort((a, b) => a.date.localeCompare(b.date));

  const residentGroups = (patient.extension ?? [])
    .filter((e) => e.url === Ext.residentGroup)
    .map((e) => e.valueCoding?.display ?? e.valueCoding?.code ?? codeText(e.valueCodeableConcept) ?? e.valueCode ?? e.valueString ?? '')
    .filter(Boolean);
  const verificationExt = patient.extension?.find((e) => e.url === Ext.populationVerification);
  let verification: PatientRecord['verification'];
  if (verificationExt) {
    const parts = [verificationExt, ...(verificationExt.extension ?? [])];
    const date = parts.map((p) => p.valueDateTime ?? p.valueDate ?? p.valueInstant).find(Boolean);
    const result = parts.map((p) => p.valueCode ?? p.valueCoding?.display ?? p.valueCoding?.code ?? p.valueString ?? (p.valueBoolean === undefined ? undefined : String(p.valueBoolean))).find(Boolean);
    verification = { ...(date ? { date } : {}), ...(result ? { result } : {}) };
  }

  const dateDesc = <T>(get: (x: T) => string | undefined) => (a: T, b: T) => (get(b) ?? '').localeCompare(get(a) ?? '');
  return {
    patient,
    episodes: allEpisodes.filter((e) => !e.healthCheck),
    healthChecks: allEpisodes.filter((e) => e.healthCheck),
    looseConditions: looseConditions.sort(dateDesc((c) => c.resource.recordedDate ?? c.resource.onsetDateTime)),
    allergies: of<AllergyIntolerance>('AllergyIntolerance').map(sourced),
    immunizations: of<Immunization>('Immunization').map(sourced).sort(dateDesc((i) => i.resource.occurrenceDateTime)),
    observations: observations.map(sourced).sort(dateDesc((o) => observationDate(o.resource))),
    series,
    medications: medications.map(sourced),
    compositions: compositions.map(sourced),
    familyHistory: of<FamilyMemberHistory>('FamilyMemberHistory').map(sourced),
    relatedPersons: of<RelatedPerson>('RelatedPerson'),
    groups: of<Group>('Group'),
    flags: of<Flag>('Flag').filter((f) => f.status === 'active'),
    reports: of<DiagnosticReport>('DiagnosticReport').map(sourced),
    residentGroups,
    ...(verification ? { verification } : {}),
    total: all.length,
  };
}
