import { describe, expect, it } from 'vitest';
import { iiKey, iiToIdentifier } from './header.ts';
import { sectionNarratives } from './narrative.ts';
import { scanCdaTree } from './policy-scan.ts';
import { cdaDate, withVietnamOffset } from './time.ts';

describe('CDA timestamps', () => {
  it('adds the Vietnam offset to local times and keeps explicit offsets', () => {
    expect(withVietnamOffset('20240315')).toBe('20240315000000+0700');
    expect(withVietnamOffset('2024031510')).toBe('20240315100000+0700');
    expect(withVietnamOffset('202403151030')).toBe('202403151030+0700');
    expect(withVietnamOffset('20240315103000')).toBe('20240315103000+0700');
    expect(withVietnamOffset('20240315103000.123+0000')).toBe('20240315103000+0000');
    expect(withVietnamOffset('2024')).toBe('2024');
  });
  it('keeps the precision of a birth time', () => {
    expect(cdaDate('1985')).toBe('1985');
    expect(cdaDate('198503')).toBe('1985-03');
    expect(cdaDate('19850312')).toBe('1985-03-12');
    expect(cdaDate('198503120830+0700')).toBe('1985-03-12');
    expect(cdaDate(undefined)).toBeUndefined();
  });
});

describe('CDA instance identifiers', () => {
  it('escapes root and extension so that one key is never a prefix of another', () => {
    expect(iiKey({ '@_root': '1.2.3', '@_extension': 'BA/2024^1' })).toBe('1.2.3^BA%2F2024%5E1');
    expect(iiKey({ '@_root': '1.2.3' })).toBe('1.2.3');
    expect(iiKey({})).toBeUndefined();
  });
  it('maps root and extension to FHIR identifiers', () => {
    expect(iiToIdentifier({ '@_root': '1.2.3', '@_extension': 'X' })).toEqual({ system: 'urn:oid:1.2.3', value: 'X' });
    expect(iiToIdentifier({ '@_root': '1.2.3' })).toEqual({ system: 'urn:ietf:rfc:3986', value: 'urn:oid:1.2.3' });
    expect(iiToIdentifier({ '@_root': 'CCCD', '@_extension': '079185001234' })).toEqual({
      system: 'http://fhir.ehealth.gov.vn/core/sid/national_id',
      value: '079185001234',
    });
  });
});

describe('section narratives', () => {
  const xml = `<ClinicalDocument xmlns="urn:hl7-org:v3"><component><structuredBody>
    <component><section><title>A</title><text><paragraph>Bệnh nhân <content ID="c1">ổn định</content> &amp; tỉnh<br/>táo</paragraph><list listType="ordered"><item>Một</item></list></text></section></component>
    <component><section><title>B</title></section></component>
  </structuredBody></component></ClinicalDocument>`;
  it('renders the CDA narrative block as XHTML, in document order, without attributes', () => {
    const [first, second] = sectionNarratives(xml);
    expect(first!.xhtml).toBe(
      '<div xmlns="http://www.w3.org/1999/xhtml"><p>Bệnh nhân <span>ổn định</span> &amp; tỉnh<br/>táo</p><ol><li>Một</li></ol></div>',
    );
    expect(first!.text).toBe('Bệnh nhân ổn định & tỉnh\ntáo\nMột');
    expect(second).toEqual({ xhtml: '', text: '' });
  });
});

describe('policy scan of the CDA tree', () => {
  it('finds excluded codes in attributes, display names and ids', () => {
    expect(scanCdaTree({ value: { '@_code': 'B20.1', '@_codeSystem': '2.16.840.1.113883.6.3' } })).toBe('hiv');
    expect(scanCdaTree({ code: { '@_code': 'x', '@_displayName': 'Nghiện ma túy' } })).toBe('drug-use');
    expect(scanCdaTree({ id: [{ '@_root': '1.2', '@_extension': 'HIV-2024-01' }] })).toBe('hiv');
    expect(scanCdaTree({ text: { '#text': 'Bán dâm' } })).toBe('sex-work');
  });
  it('ignores OIDs and structural codes', () => {
    expect(scanCdaTree({ templateId: [{ '@_root': '2.16.840.1.113883.10.20.22.4.4' }], code: { '@_code': 'ASSERTION', '@_codeSystem': '2.16.840.1.113883.5.4' } })).toBeUndefined();
  });
});
