// The HL7 CDA channel: documents (one per file or request) → the shared pipeline.
import type { PipelineContext } from '../../pipeline/types.ts';
import { ingestUnits, type IngestUnitsOptions } from './ingest-units.ts';
import type { ImportSummary } from './report.ts';
import type { UnitInput } from './unit-tasks.ts';

export interface CdaDocumentInput {
  /** File name or request id: the report key of a document that has no id. */
  name: string;
  load(): Promise<Buffer>;
}

export type CdaIngestOptions = Omit<IngestUnitsOptions, 'channel'> & {
  /** The facility of documents that name none (CLI --facility); the caller's facility when set. */
  defaultFacility?: string;
};

async function* inputs(documents: AsyncIterable<CdaDocumentInput> | Iterable<CdaDocumentInput>, fallbackFacility: string | undefined): AsyncGenerator<UnitInput> {
  for await (const doc of documents) yield { kind: 'cda', bytes: await doc.load(), fallbackFacility };
}

export function ingestCdaDocuments(ctx: PipelineContext, documents: AsyncIterable<CdaDocumentInput> | Iterable<CdaDocumentInput>, options: CdaIngestOptions = {}): Promise<ImportSummary> {
  return ingestUnits(ctx, inputs(documents, options.callerFacility ?? options.defaultFacility), { ...options, channel: 'cda' });
}
