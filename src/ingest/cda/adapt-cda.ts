// HL7 CDA input channel: one C-CDA document (CCD, discharge summary, referral note, …) → one
// AdaptedRecord for the shared pipeline. Pure: no database, no clock except for fresh urn:uuid
// full URLs. See docs/integration/cda.md.
import { createHash, randomUUID } from 'node:crypto';
import { convertXmlToCcda, type CcdaId } from '@medplum/ccda';
import type {
  Composition,
  CompositionSection,
  DocumentReference,
  Encounter,
  Identifier,
  Organization,
  Practitioner,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { classifyResource, classifyText, type ExcludedCategory } from '../../policy/sensitive-data.ts';
import type { AdaptedEntry, AdaptResult, RejectionReason } from '../adapted-record.ts';
import { CCDA_FORMAT, CDA_RECORD_SYSTEM, CONFIDENTIALITY_SYSTEM, DocumentType } from './cda-systems.ts';
import { ENTRY_STATEMENTS, convertEntry, finishResource, headerOnly, prepareSection } from './entries.ts';
import {
  asList,
  asTree,
  authorDisplays,
  custodianDisplay,
  dateTimeOf,
  iiKey,
  iiToIdentifier,
  mapCode,
  mapEncompassingEncounter,
  mapPatient,
  textOf,
  type Tree,
} from './header.ts';
import { sectionNarratives, type SectionNarrative } from './narrative.ts';
import { scanCdaTree } from './policy-scan.ts';
import { normaliseTimestamps } from './time.ts';
import { DEFAULT_MAX_BYTES, guardCdaXml } from './xml-guard.ts';

export interface AdaptCdaOptions {
  /** Refuse larger documents (bytes). */
  maxBytes?: number;
}

/** Why the original XML of a document is not kept; neutral on purpose: the stored note must not
 *  itself say that the resident has excluded information. */
export const ORIGINAL_NOT_KEPT = 'Bản gốc tài liệu không được lưu trong HSSK; chỉ lưu các mục dữ liệu đã chuyển đổi.';

function rejected(key: string, reasons: RejectionReason[]): AdaptResult {
  return { ok: false, key, reasons };
}

function fullUrl(): string {
  return `urn:uuid:${randomUUID()}`;
}

/** The key of the statement an entry holds: its first id, else its position. */
function entryKey(entry: Tree, position: string): string {
  for (const name of ENTRY_STATEMENTS) {
    const statement = asList(entry[name])[0];
    const key = statement === undefined ? undefined : iiKey(asList(statement['id'])[0] as CcdaId | undefined);
    if (key !== undefined) return key;
  }
  return position;
}

class ExclusionCounter {
  readonly counts: Record<string, number> = {};
  add(category: ExcludedCategory, n = 1): void {
    this.counts[category] = (this.counts[category] ?? 0) + n;
  }
  get total(): number {
    return Object.values(this.counts).reduce((a, b) => a + b, 0);
  }
}

export function adaptCdaDocument(input: string | Buffer, options: AdaptCdaOptions = {}): AdaptResult {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  // Before the document's own id is known, reports key it by content.
  const contentKey = `cda/sha256-${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;

  const guard = guardCdaXml(input, options.maxBytes ?? DEFAULT_MAX_BYTES);
  if (!guard.ok) return rejected(contentKey, guard.reasons);
  const xml = guard.xml;

  let ccda: Tree;
  try {
    ccda = asTree(convertXmlToCcda(xml)) ?? {};
  } catch {
    return rejected(contentKey, [{ field: 'ClinicalDocument', message: 'Không đọc được cấu trúc tài liệu CDA.' }]);
  }
  normaliseTimestamps(ccda);

  // Identity of the document: its id, and the set it is a version of.
  const documentId = asList(ccda['id'])[0] as CcdaId | undefined;
  const documentKey = iiKey(documentId);
  if (documentKey === undefined) {
    return rejected(contentKey, [{ field: 'ClinicalDocument/id', message: 'Thiếu mã tài liệu (ClinicalDocument/id với thuộc tính root).' }]);
  }
  const key = `cda/${documentKey}`;
  const setKey = iiKey(asTree(ccda['setId']) as CcdaId | undefined) ?? documentKey;

  const reasons: RejectionReason[] = [];
  const recordTargets = asList(ccda['recordTarget']);
  const patientRole = asTree(recordTargets[0]?.['patientRole']);
  if (patientRole === undefined) {
    reasons.push({ field: 'recordTarget/patientRole', message: 'Thiếu thông tin người bệnh (recordTarget/patientRole).' });
  } else if (recordTargets.length > 1) {
    reasons.push({ field: 'recordTarget', message: 'Tài liệu có nhiều người bệnh (nhiều recordTarget); mỗi tài liệu chỉ được về một người.' });
  }
  const documentDate = dateTimeOf(ccda['effectiveTime']);
  if (documentDate === undefined) {
    reasons.push({ field: 'ClinicalDocument/effectiveTime', message: 'Thiếu hoặc sai thời điểm lập tài liệu (ClinicalDocument/effectiveTime).' });
  }
  const mapped = patientRole === undefined ? undefined : mapPatient(patientRole);
  if (mapped !== undefined && mapped.patient.identifier === undefined && mapped.patient.name === undefined) {
    reasons.push({ field: 'recordTarget/patientRole', message: 'Người bệnh không có mã định danh và không có họ tên; không thể xác định là ai.' });
  }
  if (reasons.length > 0 || mapped === undefined || documentDate === undefined) return rejected(key, reasons);

  const warnings: string[] = [];
  if (mapped.unknownRoots.length > 0) {
    warnings.push(
      `Mã định danh người bệnh có gốc (root) HSSK chưa biết: ${mapped.unknownRoots.join(', ')}; giữ nguyên dạng urn:oid, đối chiếu người bệnh theo họ tên, ngày sinh, giới tính.`,
    );
  }
  if (mapped.patient.identifier === undefined) {
    warnings.push('Người bệnh không có mã định danh (CCCD, BHYT…); đối chiếu theo họ tên, ngày sinh, giới tính.');
  }

  const patientFullUrl = fullUrl();
  const excluded = new ExclusionCounter();
  const entries: AdaptedEntry[] = [];
  const documentCategory = scanCdaTree(ccda);
  const stable = (suffix: string): Identifier => ({ system: CDA_RECORD_SYSTEM, value: `${setKey}/${suffix}` });

  const documentType = mapCode(ccda['code']);
  const typeCode = asTree(ccda['code'])?.['@_code'];
  const title = textOf(ccda['title']) ?? documentType?.text ?? documentType?.coding?.[0]?.display ?? 'Tài liệu lâm sàng';

  // The encounter the document is about (discharge summary, referral).
  let encounterReference: Reference<Encounter> | undefined;
  const encounter = mapEncompassingEncounter(ccda, typeCode === DocumentType.dischargeSummary);
  if (encounter !== undefined) {
    const category = classifyResource(encounter);
    if (category !== undefined) {
      excluded.add(category);
    } else {
      const url = fullUrl();
      const withSubject: Encounter = {
        ...encounter,
        identifier: [...(encounter.identifier ?? []), stable('encounter')],
        subject: { reference: patientFullUrl },
      };
      entries.push({ fullUrl: url, resource: withSubject });
      encounterReference = { reference: url };
    }
  }

  // Sections and their entries.
  const narratives = sectionNarratives(xml);
  const header = headerOnly(ccda);
  const compositionSections: CompositionSection[] = [];
  const usedKeys = new Set<string>();
  let unreadable = 0;
  const sections = asList(asTree(asTree(ccda['component'])?.['structuredBody'])?.['component']).flatMap((c) => asList(c['section']));
  sections.forEach((rawSection, sectionIndex) => {
    const section = prepareSection(rawSection);
    const narrative: SectionNarrative = narratives[sectionIndex] ?? { xhtml: '', text: '' };
    const sectionTitle = textOf(section['title']);
    let sectionExcluded = false;
    let entryExcluded = false;
    const sectionReferences: Reference[] = [];

    asList(section['entry']).forEach((entry, entryIndex) => {
      let entryKeyValue = entryKey(entry, `s${sectionIndex + 1}e${entryIndex + 1}`);
      if (usedKeys.has(entryKeyValue)) entryKeyValue = `${entryKeyValue}~s${sectionIndex + 1}e${entryIndex + 1}`;
      usedKeys.add(entryKeyValue);

      const conversion = convertEntry(header, section, entry);
      const resources = conversion.ok ? conversion.resources : [];
      // The entry as written and everything converted from it share one fate.
      const category = scanCdaTree(entry) ?? resources.map(classifyResource).find((c) => c !== undefined);
      if (category !== undefined) {
        excluded.add(category);
        sectionExcluded = true;
        entryExcluded = true;
        return;
      }
      if (!conversion.ok) {
        unreadable++;
        return;
      }
      const targets = new Map<string, string>();
      if (conversion.patientReference !== undefined) targets.set(conversion.patientReference, patientFullUrl);
      const urls = resources.map((resource) => {
        const url = fullUrl();
        if (resource.id !== undefined) targets.set(`${resource.resourceType}/${resource.id}`, url);
        return url;
      });
      resources.forEach((resource, index) => {
        const finished = finishResource(resource, targets) as Resource & { identifier?: Identifier[] };
        finished.identifier = [...(finished.identifier ?? []), stable(`${entryKeyValue}/${resource.resourceType}-${index + 1}`)];
        entries.push({ fullUrl: urls[index]!, resource: finished });
      });
      // The section lists the statements themselves, not the members they point to.
      const memberIds = new Set(
        resources.flatMap((r) => (r.resourceType === 'Observation' ? (r.hasMember ?? []).map((m) => m.reference) : [])),
      );
      resources.forEach((resource, index) => {
        if (!memberIds.has(`${resource.resourceType}/${resource.id}`)) sectionReferences.push({ reference: urls[index]! });
      });
    });

    // Narrative and title are judged as text; a section is kept or removed whole, never edited.
    const narrativeCategory = classifyText(`${sectionTitle ?? ''}\n${narrative.text}`) ?? scanCdaTree(rawSection);
    if (narrativeCategory !== undefined) {
      if (!entryExcluded) excluded.add(narrativeCategory);
      sectionExcluded = true;
    }
    if (sectionExcluded) return;
    if (narrative.xhtml === '' && sectionReferences.length === 0) return;
    const compositionSection: CompositionSection = { title: sectionTitle, code: mapCode(section['code']) };
    if (narrative.xhtml !== '') compositionSection.text = { status: 'generated', div: narrative.xhtml };
    if (sectionReferences.length > 0) compositionSection.entry = sectionReferences;
    compositionSections.push(compositionSection);
  });
  if (unreadable > 0) {
    warnings.push(`${unreadable} mục dữ liệu có cấu trúc không đọc được và đã bỏ qua (phần văn bản của mục vẫn được giữ nếu có).`);
  }

  const authors = authorDisplays(ccda);
  const custodian = custodianDisplay(ccda);
  const confidentiality = asTree(ccda['confidentialityCode'])?.['@_code'];
  const authorReferences: Reference<Practitioner | Organization>[] = (authors.length > 0 ? authors : [custodian ?? 'Không rõ']).map((display) => ({ display }));

  // The readable summary: the sections that passed the policy.
  if (compositionSections.length > 0) {
    const composition: Composition = {
      resourceType: 'Composition',
      identifier: stable('composition'),
      status: 'final',
      type: documentType ?? { text: title },
      subject: { reference: patientFullUrl },
      encounter: encounterReference,
      date: documentDate,
      author: authorReferences,
      title,
      confidentiality: typeof confidentiality === 'string' ? (confidentiality as Composition['confidentiality']) : undefined,
      custodian: custodian === undefined ? undefined : { display: custodian },
      section: compositionSections,
    };
    const category = classifyResource(composition);
    if (category !== undefined) excluded.add(category);
    else entries.push({ fullUrl: fullUrl(), resource: stripUndefined(composition) });
  }

  // The source document. Its original XML is kept only when nothing in it is excluded: the XML
  // would carry the excluded content past the policy.
  const keepOriginal = documentCategory === undefined && excluded.total === 0;
  const masterIdentifier = iiToIdentifier(documentId);
  const documentReference: DocumentReference = {
    resourceType: 'DocumentReference',
    masterIdentifier,
    identifier: [stable('document')],
    status: 'current',
    docStatus: 'final',
    type: documentType,
    subject: { reference: patientFullUrl },
    date: documentDate,
    author: authorReferences,
    custodian: custodian === undefined ? undefined : { display: custodian },
    description: keepOriginal ? title : `${title}. ${ORIGINAL_NOT_KEPT}`,
    securityLabel:
      typeof confidentiality === 'string' ? [{ coding: [{ system: CONFIDENTIALITY_SYSTEM, code: confidentiality }] }] : undefined,
    content: [
      {
        attachment: keepOriginal
          ? {
              contentType: 'application/xml',
              data: bytes.toString('base64'),
              size: bytes.length,
              hash: createHash('sha1').update(bytes).digest('base64'),
              title,
              creation: documentDate,
            }
          : { contentType: 'application/xml', title },
        format: { ...CCDA_FORMAT },
      },
    ],
    context: encounterReference === undefined ? undefined : { encounter: [encounterReference] },
  };
  if (!keepOriginal) {
    warnings.push('Tài liệu có nội dung thuộc nhóm không lưu trữ (quy định B8): các mục đó đã bị loại và bản gốc XML không được lưu.');
  }
  const documentReferenceCategory = classifyResource(documentReference);
  if (documentReferenceCategory !== undefined) excluded.add(documentReferenceCategory);
  else entries.push({ fullUrl: fullUrl(), resource: stripUndefined(documentReference) });

  return {
    ok: true,
    record: {
      key,
      patient: mapped.patient,
      patientFullUrl,
      entries,
      // The pipeline replaces what is stored under the prefix itself or prefix + '/…'.
      replaces: { system: CDA_RECORD_SYSTEM, valuePrefix: setKey },
      excluded: excluded.counts,
      warnings,
    },
  };
}

/** Drops keys whose value is undefined, so stored JSON has no `"key": undefined` holes. */
function stripUndefined<T extends Resource>(resource: T): T {
  return JSON.parse(JSON.stringify(resource)) as T;
}
