// NOIDUNGFILE → records. The content is base64 of a UTF-8 XML document (with or without its own
// BOM and declaration) or, from some vendors, the XML itself — literal, in CDATA, or escaped.
import { isUtf8 } from 'node:buffer';
import { decodeXmlText } from './convert.ts';
import { TABLES, type TableType } from './tables.ts';
import { hasDtd, parseTableXml, type XmlNode } from './xml-parse.ts';

/** One record of a table: field name (upper case) → trimmed text; empty fields are absent. */
export type XmlRecord = Readonly<Record<string, string>>;

export interface ParsedTable {
  type: TableType;
  /** Local name of the document element (e.g. CHITIEU_CHITIET_THUOC): a generation signal. */
  root: string;
  records: XmlRecord[];
}

export type InnerResult = { ok: true; table: ParsedTable } | { ok: false; message: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/g;

/**
 * Strict base64 (standard alphabet, white space allowed), or undefined. Node's decoder skips what
 * it does not know, so a clean string is recognised by its decoded length alone (no pattern pass
 * over the text); anything else gets the full check.
 */
function decodeBase64(s: string): Buffer | undefined {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const significant = s.length - pad;
  if (significant % 4 !== 1 && !s.includes('-') && !s.includes('_')) {
    const bytes = Buffer.from(s, 'base64');
    if (bytes.length === Math.floor((significant * 3) / 4)) return bytes;
  }
  const compact = s.replace(/\s+/g, '');
  if (!BASE64.test(compact) || compact.length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64');
}

/** The inner XML text of a NOIDUNGFILE, or why it cannot be had. */
export function decodeContent(raw: string): { ok: true; xml: string } | { ok: false; message: string } {
  let s = raw.trim();
  if (s.startsWith('<![CDATA[')) s = s.replace(CDATA, '$1').trim();
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1).trimStart();
  if (s === '') return { ok: false, message: 'NOIDUNGFILE rỗng.' };
  if (s.startsWith('&lt;')) s = decodeXmlText(s);
  if (s.startsWith('<')) return { ok: true, xml: s };
  const bytes = decodeBase64(s);
  if (bytes === undefined) return { ok: false, message: 'NOIDUNGFILE không phải base64 hợp lệ (cũng không phải XML).' };
  if (!isUtf8(bytes)) return { ok: false, message: 'NOIDUNGFILE giải mã base64 không ra văn bản UTF-8.' };
  let text = bytes.toString('utf8').trim();
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1).trimStart();
  if (!text.startsWith('<')) return { ok: false, message: 'NOIDUNGFILE giải mã base64 không ra tài liệu XML.' };
  return { ok: true, xml: text };
}

function asArray(node: XmlNode | XmlNode[] | undefined): XmlNode[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

/** Leaf children as trimmed, entity-decoded text; nested elements (vendor extras) are skipped. */
function toRecord(node: XmlNode): XmlRecord {
  const out: Record<string, string> = {};
  if (typeof node === 'string') return out;
  // Every field of every row passes here: no entries array, no one-item array per field.
  for (const name in node) {
    if (name === '#text' || !Object.hasOwn(node, name)) continue;
    const value = node[name]!;
    if (typeof value === 'string') addField(out, name, value);
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') addField(out, name, v);
  }
  return out;
}

function addField(out: Record<string, string>, name: string, raw: string): void {
  if (out[name] !== undefined) return;
  const text = decodeXmlText(raw).trim();
  if (text !== '') out[name] = text;
}

function findByName(node: XmlNode, names: readonly string[], out: XmlNode[]): void {
  if (typeof node === 'string') return;
  for (const [name, value] of Object.entries(node)) {
    for (const child of asArray(value)) {
      if (names.includes(name)) out.push(child);
      else findByName(child, names, out);
    }
  }
}

function hasLeaf(node: XmlNode, name: string): boolean {
  return typeof node === 'object' && asArray(node[name]).some((v) => typeof v === 'string');
}

/** Elements with an MA_LK leaf: the fallback for vendors with other record names. */
function findWithMaLk(node: XmlNode, out: XmlNode[]): void {
  if (typeof node === 'string') return;
  if (hasLeaf(node, 'MA_LK')) {
    out.push(node);
    return;
  }
  for (const value of Object.values(node)) for (const child of asArray(value)) findWithMaLk(child, out);
}

/** Parses the inner XML of one table. */
export function parseTable(type: TableType, xml: string): InnerResult {
  const parsed = parseTableXml(xml);
  // The reader refuses any declaration; say so plainly when it is a DTD (XXE, entity bombs).
  if (!parsed.ok && parsed.dtd && hasDtd(xml)) return { ok: false, message: 'Nội dung có khai báo DOCTYPE/ENTITY: bị từ chối vì lý do an toàn.' };
  if (!parsed.ok) return { ok: false, message: `Nội dung XML không hợp lệ (${parsed.problem}).` };
  const doc = parsed.doc;
  const rootName = Object.keys(doc).find((k) => k !== '#text');
  if (rootName === undefined) return { ok: false, message: 'Nội dung XML không có phần tử gốc.' };
  const rootNode = asArray(doc[rootName])[0] ?? '';
  const def = TABLES[type];
  const found: XmlNode[] = [];
  if (def.record.includes(rootName)) found.push(rootNode);
  else findByName(rootNode, def.record, found);
  if (found.length === 0) findWithMaLk(rootNode, found);
  if (found.length === 0 && def.single) found.push(rootNode);
  const records = found.map(toRecord).filter((r) => Object.keys(r).length > 0);
  return { ok: true, table: { type, root: rootName, records } };
}
