// The one XML reader of the adapter (./xml-tree.ts), and the guards that run before it. The
// formats have no use for a DTD, so any DOCTYPE/ENTITY declaration is refused outright (no XXE,
// no "billion laughs") and entities are never expanded. The five predefined entities are decoded
// afterwards by `decodeXmlText`, one character each.
import { parseXmlTree, XmlSyntaxError, type XmlDocument } from './xml-tree.ts';

export { localName, type XmlDocument, type XmlNode } from './xml-tree.ts';

const DTD = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

/** True when the text declares a DTD or entities. */
export function hasDtd(xml: string): boolean {
  return DTD.test(xml);
}

const HOSO_STOP = new Set(['NOIDUNGFILE']);

export type Parsed = { ok: true; doc: XmlDocument } | { ok: false; problem: string; dtd: boolean };

function parse(xml: string, stopNodes?: ReadonlySet<string>): Parsed {
  try {
    return { ok: true, doc: parseXmlTree(xml, stopNodes ? { stopNodes } : {}) };
  } catch (err) {
    // Line/column and a code only: the content itself is never repeated.
    if (err instanceof XmlSyntaxError) return { ok: false, problem: err.message, dtd: err.code === 'InvalidDtd' };
    throw err;
  }
}

/** Parses one HOSO; NOIDUNGFILE is kept as raw text (base64, CDATA or literal XML). */
export function parseHosoXml(xml: string): Parsed {
  return parse(xml, HOSO_STOP);
}

/** Parses one inner table document. */
export function parseTableXml(xml: string): Parsed {
  return parse(xml);
}
