// One input unit of a file channel (an XML 4210/130 HOSO, a CDA document) adapted to FHIR and made
// ready for the pipeline (ready-unit.ts). No database: this runs in the importing thread or in a
// worker thread (unit-workers.ts), which then loads only the adapters, the policy and the R4
// definitions.
import type { RecordToIngest } from '../../pipeline/prepare.ts';
import type { AdaptResult, RejectionReason } from '../adapted-record.ts';
import { adaptCdaDocument } from '../cda/adapt-cda.ts';
import { cdaFacilityCode } from '../cda/facility.ts';
import { adaptHoso } from '../xml/episode.ts';
import type { HosoUnit } from '../xml/envelope.ts';
import { readyRecord } from './ready-unit.ts';

export interface ChannelUnit {
  /** The adapter's refusal, or the record made ready for the pipeline. */
  result: { ok: false; key: string; reasons: RejectionReason[] } | { ok: true; ready: RecordToIngest };
  /** Facility the unit comes from (mã CSKCB), when the input says. */
  facility: string | undefined;
}

/** One unit as the channel read it: an XML 4210/130 HOSO, or a CDA document's bytes. */
export type UnitInput =
  | { kind: 'xml'; hoso: HosoUnit }
  | {
      kind: 'cda';
      bytes: Uint8Array;
      /** The facility of a document that names none (the caller's, or the CLI's --facility). */
      fallbackFacility: string | undefined;
    };

/** A unit and whether its resources are validated against the R4 definitions. */
export type UnitTask = UnitInput & { validate: boolean };

/** The facility of an episode from its key `xml/<facility>/<MA_LK>` (set by the adapter). */
export function facilityOfXmlKey(key: string): string | undefined {
  const [, facility] = key.split('/');
  return facility && facility !== 'khong-ro-co-so' ? facility : undefined;
}

function ready(result: AdaptResult, validate: boolean): ChannelUnit['result'] {
  return result.ok ? { ok: true, ready: readyRecord(result.record, validate) } : result;
}

export function runUnitTask(task: UnitTask): ChannelUnit {
  if (task.kind === 'xml') {
    const result = adaptHoso(task.hoso);
    return { result: ready(result, task.validate), facility: facilityOfXmlKey(result.ok ? result.record.key : result.key) };
  }
  const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
  const result = adaptCdaDocument(bytes);
  // A document that names no facility is the caller's (it cannot be checked; the report says so).
  const named = result.ok ? cdaFacilityCode(bytes.toString('utf8')) : undefined;
  if (result.ok && !named && task.fallbackFacility) {
    result.record.warnings.push(`Tài liệu không ghi mã cơ sở KCB của đơn vị quản lý (custodian); ghi nhận là của cơ sở ${task.fallbackFacility}.`);
  }
  return { result: ready(result, task.validate), facility: named ?? task.fallbackFacility };
}
