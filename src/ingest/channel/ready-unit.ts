// A unit made ready for the pipeline without the database: entries of types the store serves,
// then the storage policy (MISSION B8) and R4 validation (`prepareRecord`). Pure CPU work, the
// same function in the importing thread or in a worker thread (unit-workers.ts).
import { prepareRecord, type RecordToIngest } from '../../pipeline/prepare.ts';
import type { AdaptedRecord } from '../adapted-record.ts';
import { withSupportedTypes } from './supported-types.ts';

export type ValidateMode = 'all' | 'sample' | 'none';

/**
 * Whether the unit at this 0-based input position is validated: every unit, none, or ('sample')
 * the first `batchSize` units and then one window of `batchSize` in ten.
 */
export function validatesUnit(mode: ValidateMode, position: number, batchSize: number): boolean {
  return mode === 'all' || (mode === 'sample' && Math.floor(position / batchSize) % 10 === 0);
}

/**
 * The record as the pipeline will store it: its `entries` are the ones the policy kept (copies;
 * the adapter's record is not changed), and `prepared.value.record` is that same object, so a
 * worker thread's answer carries each resource once.
 */
export function readyRecord(record: AdaptedRecord, validate: boolean): RecordToIngest {
  const supported = withSupportedTypes(record);
  const prepared = prepareRecord(supported, { validate });
  if (!prepared.ok) return { record: supported, prepared };
  const ready: AdaptedRecord = { ...supported, entries: prepared.value.entries };
  return { record: ready, prepared: { ok: true, value: { ...prepared.value, record: ready } } };
}
