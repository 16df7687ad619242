// Costs of one XML2/XML3 line. They are not clinical, but the issue asks to keep them (the claim is
// the only place a resident can see what an episode cost): one complex extension whose
// sub-extensions are named by the XML field, so nothing is renamed and nothing is lost.
import type { Extension } from '@medplum/fhirtypes';
import { XmlExtension } from './constants.ts';
import { decimal } from './convert.ts';
import type { XmlRecord } from './inner.ts';

/** Numeric cost fields of QĐ 130 and QĐ 4210 (XML2 and XML3), in the order of the tables. */
export const COST_FIELDS = [
  'DON_GIA', 'DON_GIA_BV', 'DON_GIA_BH', 'TYLE_TT', 'TYLE_TT_BH', 'TYLE_TT_DV', 'THANH_TIEN', 'THANH_TIEN_BV', 'THANH_TIEN_BH',
  'T_TRANTT', 'MUC_HUONG', 'T_NGUONKHAC_NSNN', 'T_NGUONKHAC_VTNN', 'T_NGUONKHAC_VTTN', 'T_NGUONKHAC_CL', 'T_NGUONKHAC',
  'T_NGUON_KHAC', 'T_BNTT', 'T_BNCCT', 'T_BHTT', 'T_NGOAIDS',
] as const;

/** Coded payment fields kept as text codes. */
export const COST_CODE_FIELDS = ['PHAM_VI', 'MA_PTTT', 'NGUON_CTRA', 'TT_THAU', 'MA_NHOM'] as const;

export function costExtension(record: XmlRecord): Extension | undefined {
  const parts: Extension[] = [];
  for (const field of COST_FIELDS) {
    const v = record[field];
    const n = v === undefined ? undefined : decimal(v);
    if (n !== undefined) parts.push({ url: field, valueDecimal: n });
  }
  for (const field of COST_CODE_FIELDS) {
    const v = record[field];
    if (v !== undefined) parts.push({ url: field, valueString: v });
  }
  return parts.length ? { url: XmlExtension.cost, extension: parts } : undefined;
}
