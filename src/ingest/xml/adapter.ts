// The XML 4210/130 input adapter: an envelope in, one AdaptResult per episode (HOSO) out, in file
// order and in bounded memory. Pure: no database, no identity, no storage — the shared pipeline
// takes each result from here. An unreadable rest of file (truncated, DTD, not UTF-8) surfaces as
// the `EnvelopeError` the iterator throws after the episodes that were complete.
import type { AdaptResult } from '../adapted-record.ts';
import { readEnvelope, readEnvelopeFile, type EnvelopeOptions, type EnvelopeSource, type HosoUnit } from './envelope.ts';
import { adaptHoso } from './episode.ts';

async function* adaptUnits(units: AsyncIterable<HosoUnit>): AsyncGenerator<AdaptResult> {
  for await (const unit of units) yield adaptHoso(unit);
}

/** Adapts an envelope given as text, bytes or a stream of chunks. */
export function adaptXml(source: EnvelopeSource, options?: EnvelopeOptions): AsyncGenerator<AdaptResult> {
  return adaptUnits(readEnvelope(source, options));
}

/** Adapts an envelope file, streamed from disk. */
export function adaptXmlFile(path: string, options?: EnvelopeOptions): AsyncGenerator<AdaptResult> {
  return adaptUnits(readEnvelopeFile(path, options));
}
