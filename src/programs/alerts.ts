// Readings in the alert range sent by residents' own devices (C6): a vital-signs Observation
// performed by the resident (or a RelatedPerson, or from a Device) at or above a programme
// measure's alert threshold (e.g. BP ≥ 180/120) raises a Flag for the commune station and a
// worklist row at once — when the person is on a register.
import type { Flag, Observation } from '@medplum/fhirtypes';
import type { Database } from '../store/database.ts';
import { Repository } from '../store/repository.ts';
import { ProgramSystem } from './codes.ts';
import { alertReadings } from './registers/control.ts';
import { programmes } from './registers/programmes.ts';
import { loadResidents } from './state/load.ts';
import { refreshPatients } from './state/refresh.ts';
import { programmeOfEpisode } from './state/register-state.ts';

const WATERMARK = 'alerts.last-updated';

export function isSelfMeasured(o: Observation): boolean {
  const subject = o.subject?.reference;
  const vital = (o.category ?? []).some((c) => (c.coding ?? []).some((x) => x.code === 'vital-signs'));
  const byResident = (o.performer ?? []).some((p) => (subject && p.reference === subject) || p.reference?.startsWith('RelatedPerson/'));
  return vital && (byResident || o.device !== undefined);
}

export interface AlertScanResult {
  scanned: number;
  flagged: number;
}

/** Observations read per query: a scan's memory is bounded however much arrived meanwhile. */
const PAGE = 2000;
/** Pages per run; the next run (a minute later) goes on from where this one stopped. */
const MAX_PAGES = 50;

interface Watermark {
  at: string;
  /** Set when a run stopped inside a timestamp's rows (after MAX_PAGES): the last rid read. */
  rid?: number;
}

/**
 * Scans Observations stored since the last scan; returns how many raised a Flag. Only
 * vital-signs readings can raise one, so the others are skipped inside PostgreSQL (a text match
 * on the stored JSON, confirmed in `isSelfMeasured`), and the rest are read page by page: a day's
 * XML import of millions of Observations once made this one-minute job load every one of them.
 */
export async function scanAlerts(db: Database, now: Date = new Date(), limits: { page?: number; maxPages?: number } = {}): Promise<AlertScanResult> {
  const pageSize = limits.page ?? PAGE;
  const { rows: state } = await db.pool.query<{ value: Watermark }>('SELECT value FROM program_job_state WHERE key = $1', [WATERMARK]);
  let mark: Watermark = state[0]?.value ?? { at: new Date(now.getTime() - 86_400_000).toISOString() };
  // Never past the present: a complete scan moves the watermark to `upTo`.
  const upTo = new Date(Math.min(now.getTime(), Date.now())).toISOString();
  const flagsByPatient = new Map<string, Flag[]>();
  let scanned = 0;
  let complete = false;
  for (let page = 0; page < (limits.maxPages ?? MAX_PAGES); page++) {
    const { rows } = await db.pool.query<{ rid: number; content: string; compartment: string; last_updated: Date }>(
      `SELECT rid, content, compartment, last_updated FROM resource
       WHERE resource_type = 'Observation' AND NOT deleted AND compartment IS NOT NULL
         AND last_updated >= $1::timestamptz AND (last_updated, rid) > ($1::timestamptz, $2::bigint) AND last_updated <= $3
         AND content LIKE '%"vital-signs"%'
       ORDER BY last_updated, rid LIMIT ${Math.max(1, Math.floor(pageSize))}`,
      // Without a rid, every row of the watermark's own instant was read: start after them all.
      [mark.at, mark.rid ?? '9223372036854775807', upTo],
    );
    scanned += rows.length;
    for (const row of rows) {
      const o = JSON.parse(row.content) as Observation;
      if (!isSelfMeasured(o)) continue;
      const hits = alertReadings(programmes(), o);
      if (hits.length === 0) continue;
      const text = hits.map((h) => `${h.measure.display} ${h.reading.value} ${h.measure.unit} (ngưỡng ${h.measure.alertAtOrAbove})`).join('; ');
      const flag: Flag = {
        resourceType: 'Flag',
        id: `alert-${o.id}`,
        status: 'active',
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/flag-category', code: 'clinical', display: 'Clinical' }] }],
        code: { coding: [{ system: ProgramSystem.alert, code: 'self-measured-alert', display: 'Chỉ số tự đo trong ngưỡng cảnh báo' }], text: `Chỉ số tự đo vượt ngưỡng: ${text}` },
        subject: { reference: `Patient/${row.compartment}` },
        period: { start: o.effectiveDateTime ?? row.last_updated.toISOString() },
      };
      flagsByPatient.set(row.compartment, [...(flagsByPatient.get(row.compartment) ?? []), flag]);
    }
    const last = rows.at(-1);
    if (rows.length < pageSize) {
      complete = true;
      break;
    }
    mark = { at: last!.last_updated.toISOString(), rid: Number(last!.rid) };
  }
  // A complete scan covered everything up to `now`; an interrupted one resumes after its last row.
  if (complete) mark = { at: upTo };
  let flagged = 0;
  if (flagsByPatient.size > 0) {
    const residents = await loadResidents(db.pool, [...flagsByPatient.keys()]);
    const onRegister = residents.filter((r) => r.episodes.some((e) => e.status === 'active' && programmes().some((p) => p.code === programmeOfEpisode(e))));
    const repo = new Repository(db);
    for (const r of onRegister) {
      for (const flag of flagsByPatient.get(r.patient.id) ?? []) {
        await repo.update(flag);
        flagged++;
      }
    }
    // The station sees the alert at once; the rest of the worklist is recomputed with it.
    if (onRegister.length) await refreshPatients(db, onRegister.map((r) => r.patient.id));
  }
  await db.pool.query(
    `INSERT INTO program_job_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [WATERMARK, JSON.stringify(mark)],
  );
  return { scanned, flagged };
}
