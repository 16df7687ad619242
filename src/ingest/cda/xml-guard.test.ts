import { describe, expect, it } from 'vitest';
import { guardCdaXml } from './xml-guard.ts';

const CDA = '<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3"><title>Tóm tắt</title></ClinicalDocument>';

describe('guardCdaXml', () => {
  it('accepts UTF-8 with or without a byte-order mark, as string or bytes', () => {
    expect(guardCdaXml(CDA).ok).toBe(true);
    expect(guardCdaXml(Buffer.from(CDA)).ok).toBe(true);
    expect(guardCdaXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(CDA)])).ok).toBe(true);
    expect(guardCdaXml(`\uFEFF${CDA}`).ok).toBe(true);
  });
  it('accepts UTF-16 with a byte-order mark', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CDA.replace('UTF-8', 'UTF-16'), 'utf16le')]);
    const result = guardCdaXml(utf16);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.xml).toContain('Tóm tắt');
  });
  it('refuses bytes that are not valid UTF-8', () => {
    const result = guardCdaXml(Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e]));
    expect(result.ok).toBe(false);
  });
  it('refuses an internal DTD and entity declarations even without external entities', () => {
    expect(guardCdaXml('<!DOCTYPE ClinicalDocument><ClinicalDocument xmlns="urn:hl7-org:v3"/>').ok).toBe(false);
    expect(guardCdaXml('<ClinicalDocument xmlns="urn:hl7-org:v3"><!ENTITY a "b"></ClinicalDocument>').ok).toBe(false);
  });
  it('refuses a prefixed ClinicalDocument with a clear message', () => {
    const result = guardCdaXml('<cda:ClinicalDocument xmlns:cda="urn:hl7-org:v3"/>');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons[0]!.message).toContain('tiền tố namespace');
  });
  it('finds the root element after comments and processing instructions', () => {
    const withProlog = `<?xml version="1.0"?>\n<!-- ghi chú -->\n<?xml-stylesheet type="text/xsl" href="CDA.xsl"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3"/>`;
    expect(guardCdaXml(withProlog).ok).toBe(true);
  });
});
