// The one XML parser configuration of the adapter, and the guards that run before it.
// fast-xml-parser never fetches anything, but it does expand DTD entities when asked to; the
// formats have no use for a DTD, so any DOCTYPE/ENTITY declaration is refused outright (no XXE,
// no "billion laughs") and entity processing stays off. The five predefined entities are decoded
// afterwards by `decodeXmlText`, one character each.
import { XMLParser, XMLValidator } from 'fast-xml-parser';

const DTD = /<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

/** True when the text declares a DTD or entities. */
export function hasDtd(xml: string): boolean {
  return DTD.test(xml);
}

/** Element names are matched by local name in upper case: vendors add namespace prefixes and
 *  some write tags in lower case. */
export function localName(name: string): string {
  const i = name.indexOf(':');
  return (i >= 0 ? name.slice(i + 1) : name).toUpperCase();
}

const common = {
  processEntities: false,
  ignoreAttributes: true,
  parseTagValue: false,
  // Text is trimmed per field by the reader: trimming per text node would glue CDATA pieces.
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  transformTagName: localName,
} as const;

/** Parses one HOSO; NOIDUNGFILE is kept as raw text (base64, CDATA or literal XML). */
export const hosoParser = new XMLParser({ ...common, stopNodes: ['*.NOIDUNGFILE'] });

/** Parses one inner table document. */
export const tableParser = new XMLParser({ ...common });

/** Undefined when well-formed, else a short description (line/column, no content). */
export function wellFormedError(xml: string): string | undefined {
  const r = XMLValidator.validate(xml);
  if (r === true) return undefined;
  return `dòng ${r.err.line}, cột ${r.err.col}: ${r.err.code}`;
}

/** A parsed element: text, or children by local name (repeated children become arrays). */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };
