// The incremental refresher: drains the dirty queue filled by triggers (040_reports.sql),
// re-extracts the facts of the changed resources and updates the cells by difference: what the
// residents concerned contributed before the change is subtracted, what they contribute after
// is added (deltas.ts), so the cost follows the change, not the size of the cells.
// One refresher at a time (advisory lock); a busy lock means someone else is refreshing.
import type { Condition, Encounter, EpisodeOfCare, Group, Immunization, Observation, Patient } from '@medplum/fhirtypes';
import type pg from 'pg';
import { paramKey } from '../fhir/search-parameters.ts';
import type { Database, Queryable } from '../store/database.ts';
import { arrivalCellsOf, ensureProvinceDiseaseCells, rebuildAllCells, rebuildCommuneCells, recomputeArrivalCells } from './cells.ts';
import { applyContributions, captureContributions, type CellSet } from './deltas.ts';
import {
  diagnosisIds,
  episodeFact,
  householdMembers,
  icd10Code,
  immunizationOf,
  measureOf,
  ncdCareOf,
  ncdConditionOf,
  personFact,
  type EpisodeFact,
  type PersonFact,
} from './extract.ts';
import { FACT_TABLES, deleteFacts, recomputeNcdPersons, updateDerivedPersonFacts, upsertEpisodes, upsertPersons, upsertSimple } from './facts.ts';

const LOCK_KEY = 0x5250_5254; // "RPRT"
const GROUP_MEMBER = paramKey('Group', 'member');
const CONDITION_ENCOUNTER = paramKey('Condition', 'encounter');

export interface RefreshOptions {
  /** The deployment's province (its reports' province-wide cells). */
  province: string;
  /** Resources per transaction (default 5000). */
  batchSize?: number;
  /** The clock (tests). */
  now?: Date;
  /** Rebuild every cell even if the daily rebuild is not due. */
  full?: boolean;
  /** Called with the duration of each step (benchmarks). */
  trace?: (step: string, ms: number) => void;
}

export interface RefreshResult {
  resources: number;
  patients: number;
  episodes: number;
  /** Residents whose contributions were recomputed, and the cells changed per table. */
  cells: { residents: number; changed: Record<string, number>; arrivalCells: number };
  full: boolean;
  busy: boolean;
  ms: number;
}

interface ResourceRow {
  rid: string;
  resource_type: string;
  id: string;
  deleted: boolean;
  compartment: string | null;
  source_facility: string | null;
  last_updated: Date;
  content: string | null;
}

/** The date in Vietnam (yyyy-mm-dd) of an instant. */
export function vietnamDate(d: Date): string {
  return new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
}

async function loadRows(client: pg.PoolClient, where: string, params: unknown[]): Promise<ResourceRow[]> {
  const { rows } = await client.query<ResourceRow>(
    `SELECT rid::text, resource_type, id, deleted, compartment, source_facility, last_updated, content FROM resource WHERE ${where}`,
    params,
  );
  return rows;
}

const parse = <T>(row: ResourceRow): T => JSON.parse(row.content!) as T;

async function extractEpisodes(client: pg.PoolClient, encounters: ResourceRow[]): Promise<EpisodeFact[]> {
  const live = encounters.filter((r) => !r.deleted && r.content !== null && r.compartment !== null);
  const parsed = live.map((r) => ({ row: r, encounter: parse<Encounter>(r) }));
  const conditionIds = [...new Set(parsed.flatMap((p) => diagnosisIds(p.encounter).slice(0, 1)))];
  const codes = new Map<string, string | undefined>();
  if (conditionIds.length > 0) {
    for (const c of await loadRows(client, `resource_type = 'Condition' AND id = ANY($1) AND NOT deleted`, [conditionIds])) {
      codes.set(c.id, icd10Code(parse<Condition>(c)));
    }
  }
  return parsed.flatMap(({ row, encounter }) => {
    const main = diagnosisIds(encounter)[0];
    const fact = episodeFact(
      { rid: row.rid, patientId: row.compartment!, facility: row.source_facility ?? '', lastUpdated: row.last_updated.toISOString() },
      encounter,
      main === undefined ? undefined : codes.get(main),
    );
    return fact ? [fact] : [];
  });
}

/**
 * One batch of the queue. `cells`: which cells follow the facts by difference; the others are
 * rebuilt at the end of the same refresh ('none': the first build or an explicit full one).
 */
async function refreshBatch(client: pg.PoolClient, batchSize: number, asOf: string, province: string, cellSet: CellSet | 'none', trace: (step: string) => void): Promise<Omit<RefreshResult, 'full' | 'busy' | 'ms'> | undefined> {
  const dirty = await client.query<{ rid: string }>(
    `DELETE FROM report_dirty_resource WHERE rid IN (SELECT rid FROM report_dirty_resource ORDER BY rid LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING rid::text`,
    [batchSize],
  );
  const dirtyPatients = await client.query<{ patient_id: string }>(
    `DELETE FROM report_dirty_patient WHERE patient_id IN (SELECT patient_id FROM report_dirty_patient LIMIT $1 FOR UPDATE SKIP LOCKED) RETURNING patient_id`,
    [batchSize],
  );
  if (dirty.rowCount === 0 && dirtyPatients.rowCount === 0) return undefined;

  const rows = dirty.rows.length ? await loadRows(client, 'rid = ANY($1::bigint[])', [dirty.rows.map((r) => r.rid)]) : [];
  const patients = new Set(dirtyPatients.rows.map((r) => r.patient_id));
  const persons: PersonFact[] = [];
  const encounterRows = new Map<string, ResourceRow>();
  const encounterIdsFromConditions = new Set<string>();
  const conditions: unknown[][] = [];
  const cares: unknown[][] = [];
  const measures: unknown[][] = [];
  const immunizations: unknown[][] = [];
  const gone: string[] = [];

  for (const row of rows) {
    if (row.compartment) patients.add(row.compartment);
    if (row.resource_type === 'Encounter') encounterRows.set(row.rid, row);
    if (row.deleted || row.content === null) {
      gone.push(row.rid);
      continue;
    }
    switch (row.resource_type) {
      case 'Patient':
        persons.push(personFact(row.id, parse<Patient>(row), asOf));
        patients.add(row.id);
        break;
      case 'Group':
        for (const id of householdMembers(parse<Group>(row))) patients.add(id);
        break;
      case 'Condition': {
        const c = parse<Condition>(row);
        const encounter = /^Encounter\/(.+)$/.exec(c.encounter?.reference ?? '')?.[1];
        if (encounter) encounterIdsFromConditions.add(encounter);
        const programme = ncdConditionOf(c);
        if (programme && row.compartment) conditions.push([row.rid, row.compartment, programme]);
        else gone.push(row.rid);
        break;
      }
      case 'EpisodeOfCare': {
        const care = ncdCareOf(parse<EpisodeOfCare>(row));
        if (care && row.compartment) cares.push([row.rid, row.compartment, care.programme, care.active]);
        else gone.push(row.rid);
        break;
      }
      case 'Observation': {
        const m = measureOf(parse<Observation>(row));
        if (m && row.compartment) measures.push([row.rid, row.compartment, m.programme, m.measuredAt, m.controlled]);
        else gone.push(row.rid);
        break;
      }
      case 'Immunization': {
        const i = immunizationOf(parse<Immunization>(row));
        if (i && row.compartment) immunizations.push([row.rid, row.compartment, i.vaccine, i.givenOn]);
        else gone.push(row.rid);
        break;
      }
    }
  }
  // A deleted Condition may have been the main diagnosis of an episode.
  const goneConditions = rows.filter((r) => r.resource_type === 'Condition' && r.deleted).map((r) => r.rid);
  if (goneConditions.length) {
    const refs = await client.query<{ target_id: string }>(`SELECT target_id FROM search_reference WHERE p = $1 AND rid = ANY($2::bigint[])`, [
      CONDITION_ENCOUNTER,
      goneConditions,
    ]);
    for (const r of refs.rows) encounterIdsFromConditions.add(r.target_id);
  }
  if (encounterIdsFromConditions.size) {
    for (const r of await loadRows(client, `resource_type = 'Encounter' AND id = ANY($1)`, [[...encounterIdsFromConditions]])) {
      encounterRows.set(r.rid, r);
    }
  }

  trace('extract');
  const patientIds = [...patients];
  const episodeRids = [...encounterRows.keys()];
  // Every resident whose facts may change: the compartments of the changed resources, and the
  // residents the existing facts of those resources belong to (a merge moves them to another).
  const affected = [...new Set([...patientIds, ...(await factOwners(client, [...rows.map((r) => r.rid), ...episodeRids]))])];
  // Residents whose commune changed (or who are new) move their earlier episodes' cells.
  const moved = await movedPatients(client, persons);
  const cells = cellSet !== 'none';
  if (cells) await captureContributions(client, { patientIds: affected, asOf, province }, 'before', cellSet);
  const arrivalBefore = await arrivalCellsOf(client, episodeRids);

  trace('contributions-before');
  await upsertPersons(client, persons);
  await client.query(`DELETE FROM report_person WHERE patient_id IN (SELECT id FROM resource WHERE resource_type = 'Patient' AND id = ANY($1) AND deleted)`, [patientIds]);
  await deleteFacts(client, gone);
  const episodes = await extractEpisodes(client, [...encounterRows.values()]);
  const kept = new Set(episodes.map((e) => e.rid));
  await deleteFacts(client, episodeRids.filter((rid) => !kept.has(rid)));
  await upsertEpisodes(client, episodes);
  await upsertSimple(client, 'report_ncd_condition', [{ name: 'programme', type: 'text' }], conditions);
  await upsertSimple(client, 'report_ncd_care', [{ name: 'programme', type: 'text' }, { name: 'active', type: 'bool' }], cares);
  await upsertSimple(client, 'report_measure', [{ name: 'programme', type: 'text' }, { name: 'measured_at', type: 'timestamptz' }, { name: 'controlled', type: 'bool' }], measures);
  await upsertSimple(client, 'report_immunization', [{ name: 'vaccine', type: 'text' }, { name: 'given_on', type: 'date' }], immunizations);

  trace('facts');
  // Residents who moved take their episodes with them.
  await client.query(
    `UPDATE report_episode e SET commune = p.commune, old_district = p.old_district FROM report_person p
     WHERE e.patient_id = p.patient_id AND p.patient_id = ANY($1) AND (e.commune <> p.commune OR e.old_district <> p.old_district)`,
    [moved],
  );
  trace('moved');
  await updateDerivedPersonFacts(client, affected, GROUP_MEMBER);
  trace('derived');
  await recomputeNcdPersons(client, affected);
  trace('ncd');

  let changed: Record<string, number> = {};
  if (cells) {
    await captureContributions(client, { patientIds: affected, asOf, province }, 'after', cellSet);
    trace('contributions-after');
    changed = await applyContributions(client, cellSet);
    trace('apply');
  }
  const arrivalCells = uniqueBy([...arrivalBefore, ...(await arrivalCellsOf(client, episodeRids))], (c) => `${c.facility}|${c.day}`);
  if (cells) await recomputeArrivalCells(client, arrivalCells);
  trace('arrival-cells');
  return {
    resources: rows.length,
    patients: patientIds.length,
    episodes: episodes.length,
    cells: { residents: cells ? affected.length : 0, changed, arrivalCells: cells ? arrivalCells.length : 0 },
  };
}

/** The residents the current facts of these resources belong to. */
async function factOwners(client: pg.PoolClient, rids: string[]): Promise<string[]> {
  if (rids.length === 0) return [];
  const { rows } = await client.query<{ patient_id: string }>(
    `${FACT_TABLES.map((t) => `SELECT patient_id FROM ${t} WHERE rid = ANY($1::bigint[])`).join(' UNION ')}`,
    [rids],
  );
  return rows.map((r) => r.patient_id);
}

async function movedPatients(client: pg.PoolClient, persons: PersonFact[]): Promise<string[]> {
  if (persons.length === 0) return [];
  const { rows } = await client.query<{ patient_id: string; commune: string; old_district: string }>(
    'SELECT patient_id, commune, old_district FROM report_person WHERE patient_id = ANY($1)',
    [persons.map((p) => p.patientId)],
  );
  const known = new Map(rows.map((r) => [r.patient_id, `${r.commune}|${r.old_district}`]));
  return persons.filter((p) => known.get(p.patientId) !== `${p.commune}|${p.oldDistrict}`).map((p) => p.patientId);
}

function stepTimer(trace: RefreshOptions['trace']): (step: string) => void {
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    trace?.(step, Math.round(now - last));
    last = now;
  };
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const i of items) seen.set(key(i), i);
  return [...seen.values()];
}

/**
 * Brings the report cells up to date with every resource written so far. Once a day (Vietnam
 * date) every cell is rebuilt from the facts instead: ages, 12-month windows and recent visits
 * move with time even when no data arrives. The as-of time recorded is the start of the
 * transaction that found the queue empty: everything committed before it is counted.
 */
export async function refreshReports(db: Database, options: RefreshOptions): Promise<RefreshResult> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const asOf = vietnamDate(now);
  const total: RefreshResult = { resources: 0, patients: 0, episodes: 0, cells: { residents: 0, changed: {}, arrivalCells: 0 }, full: false, busy: false, ms: 0 };
  // The first build (or an explicit full one) only brings the facts up to date and then builds
  // every cell. Once a day the cells that depend on the date (coverage, NCD, vaccination) are
  // rebuilt: until then the batches skip them (their differences would mix two days' ages), while
  // disease and arrival cells, which do not depend on the date, follow by difference as always.
  // The state is cleared first, so an interrupted refresh still rebuilds next time.
  const first = options.full === true || !(await hasState(db.pool, 'cells'));
  const daily = first || (await fullRebuildDue(db.pool, asOf));
  if (options.full) await db.pool.query(`DELETE FROM report_state WHERE key IN ('cells', 'full')`);
  else if (daily) await db.pool.query(`DELETE FROM report_state WHERE key = 'full'`);
  const mode: CellSet | 'none' = first ? 'none' : daily ? 'undated' : 'all';
  for (;;) {
    const step = await db.transaction(async (client) => {
      const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [LOCK_KEY]);
      if (!locked.rows[0]!.ok) return 'busy' as const;
      await ensureProvinceDiseaseCells(client, options.province);
      const batch = await refreshBatch(client, options.batchSize ?? 5000, asOf, options.province, mode, stepTimer(options.trace));
      if (!batch) {
        // Re-read: another refresher may have started a first build or a daily rebuild meanwhile.
        if (first || !(await hasState(client, 'cells'))) {
          await rebuildAllCells(client, asOf, options.province);
          await setState(client, 'full', options.now);
          total.full = true;
        } else if (daily || (await fullRebuildDue(client, asOf))) {
          await rebuildCommuneCells(client, asOf);
          await setState(client, 'full', options.now);
          total.full = true;
        }
        await setState(client, 'cells', options.now);
        return 'done' as const;
      }
      total.resources += batch.resources;
      total.patients += batch.patients;
      total.episodes += batch.episodes;
      total.cells.residents += batch.cells.residents;
      total.cells.arrivalCells += batch.cells.arrivalCells;
      for (const [table, n] of Object.entries(batch.cells.changed)) total.cells.changed[table] = (total.cells.changed[table] ?? 0) + n;
      return 'more' as const;
    });
    if (step === 'busy') {
      total.busy = true;
      break;
    }
    if (step === 'done') break;
  }
  total.ms = Math.round(performance.now() - started);
  return total;
}

async function hasState(db: Queryable, key: string): Promise<boolean> {
  return ((await db.query('SELECT 1 FROM report_state WHERE key = $1', [key])).rowCount ?? 0) > 0;
}

async function fullRebuildDue(db: Queryable, asOf: string): Promise<boolean> {
  const last = await db.query<{ day: string }>(`SELECT to_char(updated_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS day FROM report_state WHERE key = 'full'`);
  return last.rows[0]?.day !== asOf;
}

/** Records a state time: the given clock (tests), or the start of this transaction. */
async function setState(client: pg.PoolClient, key: string, at: Date | undefined): Promise<void> {
  await client.query(
    'INSERT INTO report_state (key, updated_at) VALUES ($1, coalesce($2::timestamptz, now())) ON CONFLICT (key) DO UPDATE SET updated_at = EXCLUDED.updated_at',
    [key, at ?? null],
  );
}

/** When the cells were last brought up to date, and how many changes wait for the next refresh. */
export async function reportFreshness(db: Queryable): Promise<{ asOf: string | null; pending: number }> {
  const { rows } = await db.query<{ at: Date | null; pending: string }>(
    `SELECT (SELECT updated_at FROM report_state WHERE key = 'cells') AS at,
            (SELECT count(*) FROM (SELECT 1 FROM report_dirty_resource LIMIT 100000) d) + (SELECT count(*) FROM report_dirty_patient) AS pending`,
  );
  return { asOf: rows[0]?.at ? rows[0].at.toISOString() : null, pending: Number(rows[0]?.pending ?? 0) };
}
