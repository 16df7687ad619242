import { describe, expect, it } from 'vitest';
import { parseXmlTree, XmlSyntaxError } from './xml-tree.ts';

const bad = (xml: string) => {
  try {
    parseXmlTree(xml);
  } catch (e) {
    return (e as XmlSyntaxError).code;
  }
  return 'accepted';
};

describe('the single-pass XML reader', () => {
  it('builds children by upper-case local name, repeated ones as arrays, leaves as raw text', () => {
    expect(parseXmlTree('<?xml version="1.0"?>\n<p:Root a="1" b=\'x>y\'><b> x </b><B>&amp;</B><c/><d></d><!-- n --><?pi x?></p:Root>')).toEqual({
      ROOT: { B: [' x ', '&amp;'], C: '', D: '' },
    });
  });

  it('merges CDATA into the text and ignores text beside child elements', () => {
    expect(parseXmlTree('<a><b>x<![CDATA[<y>&]]>z</b>tail</a>')).toEqual({ A: { B: 'x<y>&z' } });
  });

  it('keeps stop elements as raw text, checked but not built', () => {
    const stop = { stopNodes: new Set(['NOIDUNGFILE']) };
    expect(parseXmlTree('<r><NOIDUNGFILE><x><y>1</y></x></NOIDUNGFILE><NOIDUNGFILE><![CDATA[<z>]]></NOIDUNGFILE></r>', stop)).toEqual({
      R: { NOIDUNGFILE: ['<x><y>1</y></x>', '<![CDATA[<z>]]>'] },
    });
    expect(() => parseXmlTree('<r><NOIDUNGFILE>abc<b>x</NOIDUNGFILE></r>', stop)).toThrow(XmlSyntaxError);
  });

  it('refuses what is not well-formed, saying where without quoting the content', () => {
    expect(bad('<a><b></a>')).toBe('InvalidTag');
    expect(bad('<a>')).toBe('InvalidTag');
    expect(bad('<a>1 < 2</a>')).toBe('InvalidTag');
    expect(bad('<a>AT&T</a>')).toBe('InvalidChar');
    expect(bad('<a x=1/>')).toBe('InvalidAttr');
    expect(bad('<a x="1" x="2"/>')).toBe('InvalidAttr');
    expect(bad('<a b></a>')).toBe('InvalidAttr');
    expect(bad('<a>x</a>text')).toBe('InvalidXml');
    expect(bad(' <?xml version="1.0"?><a/>')).toBe('InvalidXml');
    expect(bad('')).toBe('InvalidXml');
    expect(bad('<1a/>')).toBe('InvalidTag');
    expect(() => parseXmlTree('<a>\n\n<b></c></a>')).toThrow('dòng 3, cột 4');
  });

  it('refuses any DTD: no external entity, no entity expansion', () => {
    expect(bad('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')).toBe('InvalidDtd');
    expect(bad('<a><!ENTITY x "y"></a>')).toBe('InvalidDtd');
  });

  it('accepts a byte-order mark and entity references it leaves undecoded', () => {
    expect(parseXmlTree('\ufeff<a>&#x41;&#65;&lt;&foo;</a>')).toEqual({ A: '&#x41;&#65;&lt;&foo;' });
  });
});
