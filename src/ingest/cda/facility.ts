// Which facility (mã CSKCB) a CDA document comes from: the custodian organisation's id. No
// Vietnamese OID registry exists, so three spellings are recognised: root = the HSSK facility-code
// system (or the label MA_CSKCB) with the code as extension, and root = 2.16.704.0.<code> (the
// Vietnam arc 2.16.704 with the facility code as last arc, as the sample documents do).
import { IdentifierSystem } from '../../fhir/systems.ts';

const CUSTODIAN = /<(?:[\w.-]+:)?representedCustodianOrganization\b[^>]*>([\s\S]*?)<\/(?:[\w.-]+:)?representedCustodianOrganization>/;
const ID = /<(?:[\w.-]+:)?id\b([^>]*)\/?>/g;
const attr = (attrs: string, name: string): string | undefined => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(attrs)?.slice(1).find((v) => v !== undefined);

export function cdaFacilityCode(xml: string): string | undefined {
  const custodian = CUSTODIAN.exec(xml)?.[1];
  if (custodian === undefined) return undefined;
  for (const m of custodian.matchAll(ID)) {
    const root = attr(m[1] ?? '', 'root');
    const extension = attr(m[1] ?? '', 'extension');
    if ((root === IdentifierSystem.facilityCode || root?.toUpperCase() === 'MA_CSKCB') && extension) return extension.trim();
    const arc = root && !extension ? /^2\.16\.704\.0\.(\d{5})$/.exec(root) : null;
    if (arc?.[1]) return arc[1];
  }
  return undefined;
}
