// Streaming reader of the GIAMDINHHS envelope (QĐ 4210 and QĐ 130 use the same one):
//   GIAMDINHHS / THONGTINDONVI / MACSKCB
//              / THONGTINHOSO / NGAYLAP, SOLUONGHOSO, DANHSACHHOSO / HOSO / FILEHOSO / {LOAIHOSO, NOIDUNGFILE}
//              / CHUKYDONVI
// Files reach hundreds of MB, so the text is scanned for HOSO boundaries by hand and only one
// HOSO at a time is held and handed to the XML parser: memory is bounded by the largest episode,
// not by the file. Elements are matched by local name, so vendor prefixes and wrappers pass.
import { createReadStream } from 'node:fs';
import { hasDtd, localName, parseHosoXml, type XmlNode } from './xml-parse.ts';

export interface EnvelopeHeader {
  /** MACSKCB of THONGTINDONVI: the sending facility. */
  facilityCode?: string;
  /** NGAYLAP (yyyymmdd), as sent. */
  createdOn?: string;
  /** SOLUONGHOSO, as sent. */
  declaredCount?: number;
}

/** One FILEHOSO: the table type and its content exactly as in the file (not yet decoded). */
export interface TableFile {
  /** LOAIHOSO in upper case, e.g. `XML1`; empty when absent. */
  type: string;
  /** NOIDUNGFILE: base64, CDATA or literal XML. */
  content: string;
}

/** One HOSO: one treatment episode. */
export interface HosoUnit {
  /** 1-based position in the file, for reports when MA_LK is missing. */
  index: number;
  header: EnvelopeHeader;
  files: TableFile[];
  /** Set when the HOSO itself is not well-formed XML (its files are then empty). */
  malformed?: string;
}

export type EnvelopeErrorCode = 'truncated' | 'forbidden-dtd' | 'not-an-envelope' | 'too-large' | 'encoding';

/** The file as a whole cannot be read further. Episodes yielded before it stand. */
export class EnvelopeError extends Error {
  override name = 'EnvelopeError';
  readonly code: EnvelopeErrorCode;
  constructor(code: EnvelopeErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export type EnvelopeSource = string | Uint8Array | AsyncIterable<Uint8Array | string>;

export interface EnvelopeOptions {
  /** Largest single HOSO accepted, in characters (default 64 Mi): the memory bound. */
  maxHosoChars?: number;
}

const HEADER_CAP = 1 << 20;

async function* chunks(source: EnvelopeSource): AsyncGenerator<string> {
  // fatal: a file that is not UTF-8 is refused rather than read as mojibake; the decoder drops a BOM.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (bytes: Uint8Array, stream: boolean): string => {
    try {
      return decoder.decode(bytes, { stream });
    } catch {
      throw new EnvelopeError('encoding', 'Tệp không phải văn bản UTF-8 hợp lệ.');
    }
  };
  if (typeof source === 'string') {
    yield source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
    return;
  }
  if (source instanceof Uint8Array) {
    yield decode(source, false);
    return;
  }
  let first = true;
  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      yield first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
    } else {
      yield decode(chunk, true);
    }
    first = false;
  }
  const rest = decode(new Uint8Array(0), false);
  if (rest) yield rest;
}

function headerValue(text: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]+:)?${name}\\b[^>]*>\\s*([^<]*?)\\s*<`, 'i').exec(text);
  return m?.[1] || undefined;
}

function parseHeader(text: string): EnvelopeHeader {
  const count = headerValue(text, 'SOLUONGHOSO');
  return {
    facilityCode: headerValue(text, 'MACSKCB'),
    createdOn: headerValue(text, 'NGAYLAP'),
    declaredCount: count !== undefined && /^\d+$/.test(count) ? Number(count) : undefined,
  };
}

function asArray(node: XmlNode | XmlNode[] | undefined): XmlNode[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

/** Every FILEHOSO below the node, whatever wrappers a vendor put around them. */
function collectFiles(node: XmlNode, out: TableFile[]): void {
  if (typeof node === 'string') return;
  for (const [name, value] of Object.entries(node)) {
    for (const child of asArray(value)) {
      if (name === 'FILEHOSO' && typeof child === 'object') {
        const type = asArray(child['LOAIHOSO']).find((v): v is string => typeof v === 'string');
        const content = asArray(child['NOIDUNGFILE']).find((v): v is string => typeof v === 'string');
        out.push({ type: (type ?? '').trim().toUpperCase(), content: content ?? '' });
      } else {
        collectFiles(child, out);
      }
    }
  }
}

/** Parses the text of one HOSO element. Exported for tests and for single-episode channels. */
export function parseHoso(xml: string, index: number, header: EnvelopeHeader): HosoUnit {
  const parsed = parseHosoXml(xml);
  if (!parsed.ok) return { index, header, files: [], malformed: parsed.problem };
  const files: TableFile[] = [];
  collectFiles(parsed.doc, files);
  return { index, header, files };
}

const TAG_NAME = /^<\/?([A-Za-z_][\w.:-]*)/;

/**
 * Yields the HOSO of an envelope one at a time. Throws `EnvelopeError` (after the complete HOSO
 * before it) when the file is truncated, declares a DTD, is not an envelope, is not UTF-8, or has
 * a HOSO larger than the bound.
 */
export async function* readEnvelope(source: EnvelopeSource, options: EnvelopeOptions = {}): AsyncGenerator<HosoUnit> {
  const maxHoso = options.maxHosoChars ?? 64 * 1024 * 1024;
  let buf = '';
  let pos = 0; // next position to scan in buf
  let hosoStart = -1; // start of the open HOSO in buf, or -1
  let headerText = '';
  let header: EnvelopeHeader | undefined;
  let root: string | undefined;
  let rootClosed = false;
  let index = 0;

  // The header is everything before the first HOSO.
  const currentHeader = (upTo: number): EnvelopeHeader => (header ??= parseHeader(headerText + buf.slice(0, upTo)));

  for await (const chunk of chunks(source)) {
    buf += chunk;
    const units: HosoUnit[] = [];
    for (;;) {
      const lt = buf.indexOf('<', pos);
      if (lt < 0) {
        pos = buf.length;
        break;
      }
      const skipTo = (terminator: string, from: number): boolean => {
        const end = buf.indexOf(terminator, from);
        if (end < 0) return false;
        pos = end + terminator.length;
        return true;
      };
      if (buf.length - lt < 10 && buf.startsWith('<!', lt)) {
        // Too short to tell CDATA, a comment or a DOCTYPE apart: wait for more text.
        pos = lt;
        break;
      }
      if (buf.startsWith('<![CDATA[', lt)) {
        if (!skipTo(']]>', lt + 9)) { pos = lt; break; }
        continue;
      }
      if (buf.startsWith('<!--', lt)) {
        if (!skipTo('-->', lt + 4)) { pos = lt; break; }
        continue;
      }
      if (buf.startsWith('<?', lt)) {
        if (!skipTo('?>', lt + 2)) { pos = lt; break; }
        continue;
      }
      if (buf[lt + 1] === '!') {
        if (hasDtd(buf.slice(lt, lt + 64))) {
          throw new EnvelopeError('forbidden-dtd', 'Tệp có khai báo DOCTYPE/ENTITY: bị từ chối vì lý do an toàn (XXE, bom thực thể).');
        }
        if (!skipTo('>', lt + 2)) { pos = lt; break; }
        continue;
      }
      const gt = buf.indexOf('>', lt);
      if (gt < 0) { pos = lt; break; }
      pos = gt + 1;
      const m = TAG_NAME.exec(buf.slice(lt, Math.min(gt + 1, lt + 200)));
      if (!m) continue;
      const name = localName(m[1]!);
      const closing = buf[lt + 1] === '/';
      const selfClosing = buf[gt - 1] === '/';
      if (root === undefined && !closing) root = name;
      else if (closing && name === root) rootClosed = true;
      if (name !== 'HOSO') continue;
      if (!closing && selfClosing) {
        units.push({ index: ++index, header: currentHeader(lt), files: [] });
      } else if (!closing) {
        currentHeader(lt);
        hosoStart = lt;
      } else if (hosoStart >= 0) {
        units.push(parseHoso(buf.slice(hosoStart, gt + 1), ++index, currentHeader(hosoStart)));
        hosoStart = -1;
      }
    }
    // Drop what is scanned, keeping the open HOSO; text before the first HOSO feeds the header.
    const keepFrom = hosoStart >= 0 ? hosoStart : pos;
    if (header === undefined && headerText.length < HEADER_CAP) headerText += buf.slice(0, Math.min(keepFrom, HEADER_CAP));
    buf = buf.slice(keepFrom);
    pos -= keepFrom;
    if (hosoStart >= 0) hosoStart = 0;
    if (hosoStart >= 0 && buf.length > maxHoso) {
      throw new EnvelopeError('too-large', `Hồ sơ (HOSO) thứ ${index + 1} vượt quá ${maxHoso} ký tự.`);
    }
    for (const unit of units) yield unit;
  }

  if (root === undefined || (index === 0 && root !== 'GIAMDINHHS')) {
    throw new EnvelopeError('not-an-envelope', 'Tệp không phải hồ sơ XML theo mẫu GIAMDINHHS (QĐ 4210/130).');
  }
  if (hosoStart >= 0 || !rootClosed) {
    throw new EnvelopeError(
      'truncated',
      `Tệp bị cắt cụt: đã đọc đủ ${index} hồ sơ; phần còn lại${hosoStart >= 0 ? ` (từ hồ sơ thứ ${index + 1})` : ''} không đọc được.`,
    );
  }
}

/** The header of an envelope given whole (for channels that receive one small file). */
export function envelopeHeader(text: string): EnvelopeHeader {
  const first = text.search(/<(?:[\w.-]+:)?HOSO[\s>/]/i);
  return parseHeader(first >= 0 ? text.slice(0, first) : text.slice(0, HEADER_CAP));
}

/** Streams an envelope file from disk in 1 MiB reads. */
export function readEnvelopeFile(path: string, options?: EnvelopeOptions): AsyncGenerator<HosoUnit> {
  return readEnvelope(createReadStream(path, { highWaterMark: 1 << 20 }), options);
}
