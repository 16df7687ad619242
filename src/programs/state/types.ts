// What the programme engine reads for one resident and what it produces.
import type { Condition, Encounter, EpisodeOfCare, Flag, Immunization, Observation, Organization, Patient, Reference, Resource } from '@medplum/fhirtypes';
import type { IsoDate } from '../dates.ts';

export interface ResidentRecord {
  patient: Patient & { id: string };
  immunizations: Immunization[];
  conditions: Condition[];
  observations: Observation[];
  encounters: Encounter[];
  episodes: EpisodeOfCare[];
  flags: Flag[];
}

export const WORKLIST_KINDS = [
  'vaccination',
  'tetanus',
  'ncd-follow-up',
  'ncd-lost',
  'pregnancy',
  'malnutrition',
  'elderly-check',
  'school-check',
  'centre-referral',
  'alert',
] as const;
export type WorklistKind = (typeof WORKLIST_KINDS)[number];

export interface WorklistItem {
  patientId: string;
  communeCode: string | null;
  kind: WorklistKind;
  /** Distinguishes items of one kind for one resident (e.g. `dpt-hepb-hib/2`). */
  itemKey: string;
  dueDate: IsoDate | null;
  status: string;
  /** Vietnamese, for the worklist row. */
  title: string;
  detail: Record<string, unknown>;
  /** `Type/id` of the programme resource behind the item. */
  resourceRef: string | null;
}

export interface ProgramContext {
  asOf: IsoDate;
  /** The commune health station (Organization) of a commune, for managingOrganization. */
  stationOf(communeCode: string | null): Reference<Organization> | undefined;
}

export interface ProgramState {
  /** Programme resources to store (ImmunizationRecommendation, EpisodeOfCare, CarePlan). */
  resources: (Resource & { id: string })[];
  worklist: WorklistItem[];
}
