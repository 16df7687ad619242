// Reading residents and their programme-relevant resources: one query for the Patients of a
// batch, one for everything in their compartments (index (compartment, resource_type)).
import type { Condition, Encounter, EpisodeOfCare, Flag, Immunization, Observation, Organization, Patient, Reference } from '@medplum/fhirtypes';
import { paramKey } from '../../fhir/search-parameters.ts';
import { CodeSystem, Extension } from '../../fhir/systems.ts';
import type { Queryable } from '../../store/database.ts';
import type { ResidentRecord } from './types.ts';

const TYPES = ['Immunization', 'Condition', 'Observation', 'Encounter', 'EpisodeOfCare', 'Flag'];
const COMMUNE_KEY = paramKey('Patient', 'address-commune');

export async function loadResidents(q: Queryable, patientIds: readonly string[]): Promise<ResidentRecord[]> {
  if (patientIds.length === 0) return [];
  const { rows: patients } = await q.query<{ id: string; content: string }>(
    `SELECT id, content FROM resource WHERE resource_type = 'Patient' AND id = ANY($1::text[]) AND NOT deleted`,
    [patientIds],
  );
  const records = new Map<string, ResidentRecord>();
  for (const p of patients) {
    records.set(p.id, { patient: JSON.parse(p.content) as Patient & { id: string }, immunizations: [], conditions: [], observations: [], encounters: [], episodes: [], flags: [] });
  }
  const { rows } = await q.query<{ compartment: string; resource_type: string; content: string }>(
    `SELECT compartment, resource_type, content FROM resource WHERE compartment = ANY($1::text[]) AND resource_type = ANY($2::text[]) AND NOT deleted`,
    [[...records.keys()], TYPES],
  );
  for (const row of rows) {
    const r = records.get(row.compartment);
    if (!r) continue;
    const resource = JSON.parse(row.content);
    switch (row.resource_type) {
      case 'Immunization': r.immunizations.push(resource as Immunization); break;
      case 'Condition': r.conditions.push(resource as Condition); break;
      case 'Observation': r.observations.push(resource as Observation); break;
      case 'Encounter': r.encounters.push(resource as Encounter); break;
      case 'EpisodeOfCare': r.episodes.push(resource as EpisodeOfCare); break;
      case 'Flag': r.flags.push(resource as Flag); break;
    }
  }
  return [...records.values()];
}

/** Patient ids in keyset pages (by internal key), optionally of one commune. */
export async function* patientIdPages(q: Queryable, pageSize: number, communeCode?: string): AsyncGenerator<string[]> {
  let after = 0;
  for (;;) {
    const { rows } = communeCode
      ? await q.query<{ rid: number; id: string }>(
          `SELECT r.rid, r.id FROM resource r JOIN search_token t ON t.rid = r.rid AND t.p = $3 AND t.code = $4
           WHERE r.resource_type = 'Patient' AND NOT r.deleted AND r.rid > $1 ORDER BY r.rid LIMIT $2`,
          [after, pageSize, COMMUNE_KEY, communeCode],
        )
      : await q.query<{ rid: number; id: string }>(
          `SELECT rid, id FROM resource WHERE resource_type = 'Patient' AND NOT deleted AND rid > $1 ORDER BY rid LIMIT $2`,
          [after, pageSize],
        );
    if (rows.length === 0) return;
    after = rows.at(-1)!.rid;
    yield rows.map((r) => r.id);
  }
}

/** Commune code → the commune health station (Organization of type tram-y-te with that address). */
export async function loadStations(q: Queryable): Promise<Map<string, Reference<Organization>>> {
  const { rows } = await q.query<{ id: string; content: string }>(`SELECT id, content FROM resource WHERE resource_type = 'Organization' AND NOT deleted`);
  const map = new Map<string, Reference<Organization>>();
  for (const row of rows) {
    const org = JSON.parse(row.content) as Organization;
    const station = (org.type ?? []).some((t) => (t.coding ?? []).some((c) => c.system === CodeSystem.facilityType && c.code === 'tram-y-te'));
    if (!station) continue;
    for (const a of org.address ?? []) {
      const commune = a.extension?.find((e) => e.url === Extension.addressCommune)?.valueCode;
      if (commune && !map.has(commune)) map.set(commune, { reference: `Organization/${row.id}`, ...(org.name ? { display: org.name } : {}) });
    }
  }
  return map;
}
