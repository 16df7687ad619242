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

/** Scans Observations stored since the last scan; returns how many raised a Flag. */
export async function scanAlerts(db: Database, now: Date = new Date()): Promise<AlertScanResult> {
  const { rows: state } = await db.pool.query<{ value: { at: string } }>('SELECT value FROM program_job_state WHERE key = $1', [WATERMARK]);
  const since = state[0]?.value.at ?? new Date(now.getTime() - 86_400_000).toISOString();
  const { rows } = await db.pool.query<{ content: string; compartment: string; last_updated: Date }>(
    `SELECT content, compartment, last_updated FROM resource
     WHERE resource_type = 'Observation' AND NOT deleted AND compartment IS NOT NULL AND last_updated > $1 AND last_updated <= $2
     ORDER BY last_updated`,
    [since, now.toISOString()],
  );
  const flagsByPatient = new Map<string, Flag[]>();
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
  const last = rows.at(-1)?.last_updated.toISOString() ?? since;
  await db.pool.query(
    `INSERT INTO program_job_state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
    [WATERMARK, JSON.stringify({ at: last })],
  );
  return { scanned: rows.length, flagged };
}
