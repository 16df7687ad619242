// Enrolling a resident on a register by hand or from a centre's list, and discharging: the
// EpisodeOfCare `eoc-{programme}-{patientId}` the refresh then keeps.
import type { EpisodeOfCare, Extension as FhirExtension } from '@medplum/fhirtypes';
import type { Database } from '../../store/database.ts';
import { Repository } from '../../store/repository.ts';
import { todayInVietnam, type IsoDate } from '../dates.ts';
import { loadStations } from '../state/load.ts';
import { communeOfPatient } from '../state/patient-facts.ts';
import { buildEpisode, episodeId } from '../state/register-state.ts';
import type { Programme } from './programmes.ts';
import { ProgramExtension } from '../codes.ts';

export interface EnrolOptions {
  source: 'manual' | 'centre';
  /** Referring centre (mã CSKCB) for a centre list. */
  centre?: string;
  start?: IsoDate;
  sourceFacility?: string | null;
}

export async function enrol(db: Database, prog: Programme, patientId: string, options: EnrolOptions): Promise<EpisodeOfCare> {
  const repo = new Repository(db);
  const patientRow = await repo.read('Patient', patientId);
  const patient = JSON.parse(patientRow.content!);
  const stations = await loadStations(db.pool);
  const station = stations.get(communeOfPatient(patient) ?? '');
  const existing = await repo.readVersionRow('EpisodeOfCare', episodeId(prog.code, patientId));
  const start = options.start ?? todayInVietnam();
  const centreExt: FhirExtension[] = options.centre ? [{ url: ProgramExtension.referringCentre, valueIdentifier: { system: 'http://fhir.hssk.vn/sid/ma-cskcb', value: options.centre } }] : [];
  let episode: EpisodeOfCare & { id: string };
  if (existing && !existing.deleted && existing.content) {
    const current = JSON.parse(existing.content) as EpisodeOfCare & { id: string };
    const others = (current.extension ?? []).filter((e) => e.url !== ProgramExtension.referringCentre);
    episode = {
      ...current,
      status: 'active',
      period: current.status === 'active' ? current.period! : { start },
      extension: [...others, ...(centreExt.length ? centreExt : (current.extension ?? []).filter((e) => e.url === ProgramExtension.referringCentre))],
    };
    if (!episode.extension?.length) delete episode.extension;
  } else {
    episode = buildEpisode(prog, patientId, start, station, options.source, centreExt.length ? { extension: centreExt } : {});
  }
  const written = await repo.update(episode, { sourceFacility: options.sourceFacility ?? null });
  return written.resource as EpisodeOfCare;
}

export async function discharge(db: Database, prog: Programme, patientId: string, on: IsoDate = todayInVietnam()): Promise<boolean> {
  const repo = new Repository(db);
  const row = await repo.readVersionRow('EpisodeOfCare', episodeId(prog.code, patientId));
  if (!row?.content || row.deleted) return false;
  const e = JSON.parse(row.content) as EpisodeOfCare & { id: string };
  await repo.update({ ...e, status: 'finished', period: { ...e.period, end: on } });
  return true;
}
