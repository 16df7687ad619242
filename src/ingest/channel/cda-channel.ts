// The HL7 CDA channel: documents (one per file or request) → the shared pipeline.
import { adaptCdaDocument } from '../cda/adapt-cda.ts';
import { cdaFacilityCode } from '../cda/facility.ts';
import type { PipelineContext } from '../../pipeline/types.ts';
import { ingestUnits, type ChannelUnit, type IngestUnitsOptions } from './ingest-units.ts';
import type { ImportSummary } from './report.ts';

export interface CdaDocumentInput {
  /** File name or request id: the report key of a document that has no id. */
  name: string;
  load(): Promise<Buffer>;
}

export type CdaIngestOptions = Omit<IngestUnitsOptions, 'channel'> & {
  /** The facility of documents that name none (CLI --facility); the caller's facility when set. */
  defaultFacility?: string;
};

async function* units(documents: AsyncIterable<CdaDocumentInput> | Iterable<CdaDocumentInput>, fallbackFacility: string | undefined): AsyncGenerator<ChannelUnit> {
  for await (const doc of documents) {
    const bytes = await doc.load();
    const result = adaptCdaDocument(bytes);
    // A document that names no facility is the caller's (it cannot be checked; the report says so).
    const named = result.ok ? cdaFacilityCode(bytes.toString('utf8')) : undefined;
    if (result.ok && !named && fallbackFacility) result.record.warnings.push(`Tài liệu không ghi mã cơ sở KCB của đơn vị quản lý (custodian); ghi nhận là của cơ sở ${fallbackFacility}.`);
    yield { result, facility: named ?? fallbackFacility };
  }
}

export function ingestCdaDocuments(ctx: PipelineContext, documents: AsyncIterable<CdaDocumentInput> | Iterable<CdaDocumentInput>, options: CdaIngestOptions = {}): Promise<ImportSummary> {
  return ingestUnits(ctx, units(documents, options.callerFacility ?? options.defaultFacility), { ...options, channel: 'cda' });
}
