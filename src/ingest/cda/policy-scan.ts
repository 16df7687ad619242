// MISSION B8 over the CDA tree itself, independent of what the converter understands: every
// coded value (`code`/`codeSystem`/`displayName`) and every string — narrative, originalText,
// ids' extensions — of a subtree. Used for whole entries (all resources converted from an entry
// share its fate), for sections (kept in the Composition or not) and for the whole document
// (original XML kept or not).
import { classifyCode, classifyText, type ExcludedCategory } from '../../policy/sensitive-data.ts';

/** Attributes that are machinery: OIDs, structural codes, units. */
const SKIPPED = new Set([
  '@_root', '@_codeSystem', '@_codeSystemVersion', '@_classCode', '@_moodCode', '@_typeCode', '@_xsi:type',
  '@_use', '@_unit', '@_ID', '@_nullFlavor', '@_inversionInd', '@_negationInd', '@_contextControlCode',
  '@_contextConductionInd', '@_operator', '@_listType', '@_styleCode', '@_mediaType', '@_representation',
  '@_determinerCode', '@_xmlns', '@_xmlns:xsi', '@_xmlns:sdtc', '@_xmlns:voc',
]);

const ORDER: readonly ExcludedCategory[] = ['hiv', 'drug-use', 'sex-work'];

function collect(node: unknown, key: string, found: Set<ExcludedCategory>): void {
  if (typeof node === 'string') {
    if (SKIPPED.has(key)) return;
    const category = classifyText(node);
    if (category !== undefined) found.add(category);
    return;
  }
  if (Array.isArray(node)) {
    for (const item of node) collect(item, key, found);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const object = node as Record<string, unknown>;
  const code = object['@_code'];
  const system = object['@_codeSystem'];
  if (typeof code === 'string') {
    const display = object['@_displayName'];
    const category = classifyCode(
      typeof system === 'string' ? system : undefined,
      code,
      typeof display === 'string' ? display : undefined,
    );
    if (category !== undefined) found.add(category);
  }
  for (const [childKey, child] of Object.entries(object)) collect(child, childKey, found);
}

/** The excluded category found anywhere in a parsed CDA subtree. */
export function scanCdaTree(node: unknown): ExcludedCategory | undefined {
  const found = new Set<ExcludedCategory>();
  collect(node, '', found);
  return ORDER.find((c) => found.has(c));
}
