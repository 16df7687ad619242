// The XML 4210/130 channel: an envelope (file, upload, stream) → episodes → the shared pipeline.
import type { PipelineContext } from '../../pipeline/types.ts';
import { adaptXml, adaptXmlFile } from '../xml/adapter.ts';
import { EnvelopeError, type EnvelopeSource } from '../xml/envelope.ts';
import type { AdaptResult } from '../adapted-record.ts';
import { ingestUnits, type ChannelUnit, type FatalInput, type IngestUnitsOptions } from './ingest-units.ts';
import type { ImportSummary } from './report.ts';

/** The facility of an episode from its key `xml/<facility>/<MA_LK>` (set by the adapter). */
export function facilityOfXmlKey(key: string): string | undefined {
  const [, facility] = key.split('/');
  return facility && facility !== 'khong-ro-co-so' ? facility : undefined;
}

async function* units(results: AsyncIterable<AdaptResult>): AsyncGenerator<ChannelUnit> {
  for await (const result of results) yield { result, facility: facilityOfXmlKey(result.ok ? result.record.key : result.key) };
}

export function envelopeFatal(err: unknown): FatalInput | undefined {
  return err instanceof EnvelopeError ? { code: err.code, message: err.message } : undefined;
}

export type XmlIngestOptions = Omit<IngestUnitsOptions, 'channel'>;

/** Ingests an envelope given as text, bytes or a stream. */
export function ingestXml(ctx: PipelineContext, source: EnvelopeSource, options: XmlIngestOptions = {}): Promise<ImportSummary> {
  return ingestUnits(ctx, units(adaptXml(source)), { ...options, channel: 'xml' }, envelopeFatal);
}

/** Ingests an envelope file, streamed from disk. */
export function ingestXmlFile(ctx: PipelineContext, path: string, options: XmlIngestOptions = {}): Promise<ImportSummary> {
  return ingestUnits(ctx, units(adaptXmlFile(path)), { ...options, channel: 'xml' }, envelopeFatal);
}
