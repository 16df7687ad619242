// Resources → facts: the few fields each report needs, read once when a resource changes.
// Pure functions; src/reports/refresh.ts loads the resources and stores what these return.
import type { Condition, Encounter, EpisodeOfCare, Group, Immunization, Observation, Patient } from '@medplum/fhirtypes';
import { CodeSystem, Extension } from '../fhir/systems.ts';
import { residentGroups } from '../identity/resident-groups.ts';
import { chapterOf, groupOf, normaliseIcd10 } from '../province/icd10.ts';
import { INPATIENT_CLASSES, type Care } from './definitions.ts';
import { measurementOf, programmeOfCareType, programmeOfIcd, type Programme } from './ncd.ts';
import { oldDistrictOf } from './units.ts';
import { epiVaccineOf } from './vaccines.ts';

export interface PersonFact {
  patientId: string;
  commune: string;
  oldDistrict: string;
  sex: string;
  birthDate: string | null;
  groups: string[];
  verified: boolean;
  active: boolean;
}

/** A FHIR date of any precision as a full date (unknown month/day: the 1st). */
export function fullDate(value: string | undefined): string | null {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(value ?? '');
  if (!m) return null;
  return `${m[1]}-${m[2] ?? '01'}-${m[3] ?? '01'}`;
}

function homeAddress(p: Patient) {
  const addresses = p.address ?? [];
  return addresses.find((a) => a.use === 'home' && !a.period?.end) ?? addresses.find((a) => !a.period?.end) ?? addresses[0];
}

export function personFact(id: string, p: Patient, asOf: string): PersonFact {
  const home = homeAddress(p);
  const ext = (url: string) => home?.extension?.find((e) => e.url === url);
  const commune = ext(Extension.addressCommune)?.valueCode ?? ext(Extension.addressCommune)?.valueString ?? '';
  const oldCommune = ext(Extension.addressCommuneOld)?.valueCode;
  const stored = (p.extension ?? []).filter((e) => e.url === Extension.residentGroup).flatMap((e) => e.valueCoding?.code ?? []);
  const groups = stored.length > 0 ? stored : residentGroups({ birthDate: p.birthDate, occupation: undefined, asOf });
  const verification = p.extension?.find((e) => e.url === Extension.populationVerification);
  const verified = verification?.extension?.some((e) => e.url === 'result' && e.valueCode === 'match') ?? false;
  const merged = p.link?.some((l) => l.type === 'replaced-by') ?? false;
  return {
    patientId: id,
    commune,
    oldDistrict: oldDistrictOf(commune, oldCommune),
    sex: p.gender ?? 'unknown',
    birthDate: fullDate(p.birthDate),
    groups: [...new Set(groups)],
    verified,
    active: p.active !== false && !merged,
  };
}

export interface EpisodeFact {
  rid: string;
  patientId: string;
  month: string;
  care: Care;
  facility: string;
  code: string;
  chapter: string;
  icdGroup: string;
  startedAt: string;
  receivedAt: string;
}

/** Ids of the Conditions an Encounter names as diagnoses, main (lowest rank) first. */
export function diagnosisIds(e: Encounter): string[] {
  return [...(e.diagnosis ?? [])]
    .sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))
    .flatMap((d) => /^Condition\/(.+)$/.exec(d.condition.reference ?? '')?.[1] ?? []);
}

export function icd10Code(c: Condition): string | undefined {
  const coding = c.code?.coding?.find((x) => x.system === CodeSystem.icd10 && x.code);
  return coding?.code ? normaliseIcd10(coding.code) : undefined;
}

/** The month (yyyy-mm-01) of an instant in Vietnam time. */
export function vietnamMonth(instant: string): string {
  const local = new Date(Date.parse(instant) + 7 * 3600_000).toISOString();
  return `${local.slice(0, 7)}-01`;
}

export function episodeFact(
  row: { rid: string; patientId: string; facility: string; lastUpdated: string },
  e: Encounter,
  mainCode: string | undefined,
): EpisodeFact | undefined {
  if (e.status === 'entered-in-error' || e.status === 'cancelled') return undefined;
  const started = e.period?.start ?? e.period?.end ?? row.lastUpdated;
  if (Number.isNaN(Date.parse(started))) return undefined;
  const code = mainCode ?? '';
  return {
    rid: row.rid,
    patientId: row.patientId,
    month: vietnamMonth(started),
    care: INPATIENT_CLASSES.has(e.class?.code ?? '') ? 'inpatient' : 'outpatient',
    facility: row.facility,
    code,
    chapter: code ? (chapterOf(code)?.number ?? '') : '',
    icdGroup: code ? (groupOf(code)?.range ?? '') : '',
    startedAt: new Date(Date.parse(started)).toISOString(),
    receivedAt: row.lastUpdated,
  };
}

export function ncdConditionOf(c: Condition): Programme | undefined {
  const status = c.verificationStatus?.coding?.[0]?.code;
  if (status === 'entered-in-error' || status === 'refuted') return undefined;
  const code = icd10Code(c);
  return code ? programmeOfIcd(code) : undefined;
}

export function ncdCareOf(e: EpisodeOfCare): { programme: Programme; active: boolean } | undefined {
  const programme = programmeOfCareType((e.type ?? []).flatMap((t) => t.coding ?? []));
  if (!programme) return undefined;
  return { programme, active: e.status === 'active' || e.status === 'onhold' || e.status === 'waitlist' };
}

export function measureOf(o: Observation): { programme: Programme; controlled: boolean; measuredAt: string } | undefined {
  const m = measurementOf(o);
  const at = o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued;
  if (!m || !at || Number.isNaN(Date.parse(at))) return undefined;
  return { ...m, measuredAt: new Date(Date.parse(at)).toISOString() };
}

export function immunizationOf(i: Immunization): { vaccine: string; givenOn: string } | undefined {
  if (i.status !== 'completed') return undefined;
  const vaccine = epiVaccineOf(i.vaccineCode?.coding);
  const givenOn = fullDate(i.occurrenceDateTime ?? i.recorded);
  if (!vaccine || !givenOn) return undefined;
  return { vaccine, givenOn };
}

export function householdMembers(g: Group): string[] {
  return (g.member ?? []).flatMap((m) => /^Patient\/(.+)$/.exec(m.entity.reference ?? '')?.[1] ?? []);
}
