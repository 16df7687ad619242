// What every table mapping of one episode shares: who and what the episode is, where rejections,
// warnings and policy exclusions are collected, and how stable identifiers are made.
import { randomUUID } from 'node:crypto';
import type { Encounter, Identifier, Organization, Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import { classifyDiagnosis, classifyMedication, classifyText, type ExcludedCategory } from '../../policy/sensitive-data.ts';
import { episodeIdentifierSystem, IdentifierSystem } from '../../fhir/systems.ts';
import type { RejectionReason } from '../adapted-record.ts';
import { ConvertError } from './convert.ts';
import type { Generation } from './generation.ts';
import type { XmlRecord } from './inner.ts';

/** MISSION B8 on this path: what was dropped, by category. Never what it was. */
export class Exclusions {
  readonly counts: Record<string, number> = {};

  count(category: ExcludedCategory, n = 1): void {
    this.counts[category] = (this.counts[category] ?? 0) + n;
  }

  /** True (and counted) when the ICD-10 code is in an excluded category. */
  diagnosis(code: string): boolean {
    return this.hit(classifyDiagnosis(code));
  }

  /** True (and counted) when the medicine is in an excluded category. */
  medication(code: string | undefined, name: string | undefined): boolean {
    return this.hit(classifyMedication(code, name));
  }

  /** True (and counted) when any of the texts mentions an excluded category. */
  text(...texts: (string | undefined)[]): boolean {
    for (const t of texts) if (t !== undefined && this.hit(classifyText(t))) return true;
    return false;
  }

  /** The text, or undefined (counted) when it mentions an excluded category. */
  keep(text: string | undefined): string | undefined {
    return text === undefined || this.text(text) ? undefined : text;
  }

  private hit(category: ExcludedCategory | undefined): boolean {
    if (category === undefined) return false;
    this.count(category);
    return true;
  }
}

export class EpisodeContext {
  readonly facility: string;
  readonly maLk: string;
  readonly generation: Generation;
  /** Identifier system of this facility's episodes. */
  readonly system: string;
  readonly patientUrl = urn();
  readonly encounterUrl = urn();
  readonly reasons: RejectionReason[] = [];
  readonly warnings: string[] = [];
  readonly exclusions: Exclusions;

  constructor(facility: string, maLk: string, generation: Generation, exclusions = new Exclusions()) {
    this.exclusions = exclusions;
    this.facility = facility;
    this.maLk = maLk;
    this.generation = generation;
    this.system = episodeIdentifierSystem(facility);
  }

  /** The stable identifier of a resource of this episode: `${MA_LK}/${suffix}`. */
  identifier(suffix: string): Identifier {
    return { system: this.system, value: `${this.maLk}/${suffix}` };
  }

  get patient(): Reference<Patient> {
    return { reference: this.patientUrl };
  }

  get encounter(): Reference<Encounter> {
    return { reference: this.encounterUrl };
  }

  /** This facility (or another, by code) as a logical reference: the Organization is not created here. */
  organization(code = this.facility): Reference<Organization> {
    return { type: 'Organization', identifier: { system: IdentifierSystem.facilityCode, value: code } };
  }

  /** A health worker by practising-certificate number (MA_BAC_SI, NGUOI_THUC_HIEN, MA_BS_DOC_KQ). */
  practitioner(code: string): Reference<Practitioner> {
    return { type: 'Practitioner', identifier: { system: IdentifierSystem.practitionerLicense, value: code } };
  }

  reject(field: string, message: string): void {
    // Several mappings read the same field (NGAY_VAO: Encounter, weight, summary): say it once.
    if (this.reasons.some((r) => r.field === field && r.message === message)) return;
    this.reasons.push({ field, message });
  }

  /** Runs a converter; a ConvertError becomes a field-level rejection and the result undefined. */
  convert<T>(field: string, value: string | undefined, fn: (raw: string) => T): T | undefined {
    if (value === undefined) return undefined;
    try {
      return fn(value);
    } catch (e) {
      if (!(e instanceof ConvertError)) throw e;
      this.reject(field, `${field}: ${e.message}`);
      return undefined;
    }
  }
}

export function urn(): string {
  return `urn:uuid:${randomUUID()}`;
}

/**
 * One row of a mapping table: an XML field, the FHIR element it lands in, and the converter that
 * puts it there. The tables are the documentation: docs/integration/xml-4210-130.md mirrors them.
 */
export interface FieldRule<T> {
  /** Field name in QĐ 130/4750. */
  field: string;
  /** The name in QĐ 4210 when it differs (MA_THE for MA_THE_BHYT, …). */
  alias?: string;
  /** Target element, e.g. `Patient.birthDate`. */
  fhir: string;
  apply(target: T, value: string, row: RowContext): void;
}

/** A field deliberately not mapped, and why (kept next to the rules so nothing is forgotten). */
export interface DroppedField {
  field: string;
  reason: string;
}

export interface RowContext {
  ctx: EpisodeContext;
  /** e.g. `XML2` */
  table: string;
  record: XmlRecord;
  /** `${table}.${field}` of the rule being applied, for rejections. */
  field: string;
}

export function valueOf(record: XmlRecord, rule: { field: string; alias?: string }): string | undefined {
  return record[rule.field] ?? (rule.alias === undefined ? undefined : record[rule.alias]);
}

export function applyRules<T>(rules: readonly FieldRule<T>[], table: string, record: XmlRecord, target: T, ctx: EpisodeContext): void {
  for (const rule of rules) {
    const value = valueOf(record, rule);
    if (value === undefined) continue;
    rule.apply(target, value, { ctx, table, record, field: `${table}.${rule.field}` });
  }
}
