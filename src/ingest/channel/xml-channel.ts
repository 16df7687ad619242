// The XML 4210/130 channel: an envelope (file, upload, stream) → episodes → the shared pipeline.
import type { PipelineContext } from '../../pipeline/types.ts';
import { EnvelopeError, readEnvelope, readEnvelopeFile, type EnvelopeSource, type HosoUnit } from '../xml/envelope.ts';
import { ingestUnits, type FatalInput, type IngestUnitsOptions } from './ingest-units.ts';
import type { ImportSummary } from './report.ts';
import type { UnitInput } from './unit-tasks.ts';

async function* inputs(units: AsyncIterable<HosoUnit>): AsyncGenerator<UnitInput> {
  for await (const hoso of units) yield { kind: 'xml', hoso };
}

export function envelopeFatal(err: unknown): FatalInput | undefined {
  return err instanceof EnvelopeError ? { code: err.code, message: err.message } : undefined;
}

export type XmlIngestOptions = Omit<IngestUnitsOptions, 'channel'>;

/** Ingests an envelope given as text, bytes or a stream. */
export function ingestXml(ctx: PipelineContext, source: EnvelopeSource, options: XmlIngestOptions = {}): Promise<ImportSummary> {
  return ingestUnits(ctx, inputs(readEnvelope(source)), { ...options, channel: 'xml' }, envelopeFatal);
}

/** Ingests an envelope file, streamed from disk. */
export function ingestXmlFile(ctx: PipelineContext, path: string, options: XmlIngestOptions = {}): Promise<ImportSummary> {
  return ingestUnits(ctx, inputs(readEnvelopeFile(path)), { ...options, channel: 'xml' }, envelopeFatal);
}
