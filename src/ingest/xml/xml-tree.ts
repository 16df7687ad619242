// A small single-pass XML reader for the flat documents of the 4210/130 formats: it checks
// well-formedness and builds the element tree in the same pass (fast-xml-parser needed a
// validation pass and a parsing pass, and was most of the adapter's time). It knows exactly what
// the formats need and refuses the rest:
//   - elements by local name in upper case (vendor prefixes and lower-case tags pass);
//   - attributes are checked (quoted, not repeated) and dropped;
//   - text is kept as written (CDATA content included, entities NOT decoded: the reader of a field
//     decodes the five predefined ones) — an element with child elements keeps only its children;
//   - comments and processing instructions are skipped, the XML declaration only at the start;
//   - any `<!DOCTYPE`/`<!ENTITY`/… is an error: no DTD, hence no XXE and no entity expansion;
//   - "stop" elements (NOIDUNGFILE) are checked but kept as raw text, for a second decoding.

/** A parsed element: text, or children by local name (repeated children become arrays). */
export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };
export type XmlDocument = { [name: string]: XmlNode | XmlNode[] };

export type XmlSyntaxCode = 'InvalidXml' | 'InvalidTag' | 'InvalidAttr' | 'InvalidChar' | 'InvalidDtd';

/** Where and why a text is not well-formed XML (never its content). */
export class XmlSyntaxError extends Error {
  override name = 'XmlSyntaxError';
  readonly code: XmlSyntaxCode;
  readonly line: number;
  readonly col: number;
  constructor(code: XmlSyntaxCode, line: number, col: number) {
    super(`dòng ${line}, cột ${col}: ${code}`);
    this.code = code;
    this.line = line;
    this.col = col;
  }
}

export interface TreeOptions {
  /** Local names (upper case) whose content is returned as raw text. */
  stopNodes?: ReadonlySet<string>;
}

interface Frame {
  /** The name as written, for matching the closing tag. */
  raw: string;
  /** Local name, upper case. */
  name: string;
  children: XmlDocument | undefined;
  text: string;
  /** Start of the raw content of a stop element, else -1. */
  rawFrom: number;
}

const GT = 62, SLASH = 47, BANG = 33, QUESTION = 63, EQUALS = 61, QUOT = 34, APOS = 39;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;
}

const ENTITY_REF = /^&(?:[A-Za-z_][\w.-]*|#\d+|#x[0-9A-Fa-f]+);/;

/** Local name in upper case (`ns:Tong_Hop` → `TONG_HOP`). */
export function localName(name: string): string {
  const i = name.indexOf(':');
  return (i >= 0 ? name.slice(i + 1) : name).toUpperCase();
}

function addChild(parent: XmlDocument, name: string, value: XmlNode): void {
  const existing = parent[name];
  if (existing === undefined) parent[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent[name] = [existing, value];
}

/** Parses `xml` into its element tree; throws `XmlSyntaxError` when it is not well-formed. */
export function parseXmlTree(xml: string, options: TreeOptions = {}): XmlDocument {
  const stopNodes = options.stopNodes;
  const n = xml.length;
  const doc: XmlDocument = {};
  const stack: Frame[] = [];
  /** Depth inside the open stop element (its own frame is the last one built). */
  let rawDepth = 0;
  let rootSeen = false;
  let i = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  const start = i;

  const fail = (code: XmlSyntaxCode, at: number): never => {
    let line = 1, col = 1;
    for (let k = 0; k < at && k < n; k++) {
      if (xml.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw new XmlSyntaxError(code, line, col);
  };

  const checkText = (from: number, to: number): void => {
    let amp = xml.indexOf('&', from);
    while (amp >= 0 && amp < to) {
      const m = ENTITY_REF.exec(xml.slice(amp, Math.min(to, amp + 40)));
      if (!m) fail('InvalidChar', amp);
      amp = xml.indexOf('&', amp + 1);
    }
  };

  const appendText = (from: number, to: number): void => {
    if (from >= to) return;
    const top = stack[stack.length - 1];
    if (top === undefined) {
      // Outside the root only white space is allowed.
      for (let k = from; k < to; k++) if (!isSpace(xml.charCodeAt(k))) fail('InvalidXml', k);
      return;
    }
    checkText(from, to);
    if (rawDepth === 0) top.text = top.text === '' ? xml.slice(from, to) : top.text + xml.slice(from, to);
  };

  const close = (frame: Frame, rawTo: number): void => {
    if (rawDepth > 0) {
      rawDepth--;
      if (rawDepth > 0) return;
      const value = xml.slice(frame.rawFrom, rawTo);
      const parent = stack[stack.length - 1];
      if (parent) addChild((parent.children ??= {}), frame.name, value);
      else addChild(doc, frame.name, value);
      return;
    }
    const value: XmlNode = frame.children ?? frame.text;
    const parent = stack[stack.length - 1];
    if (parent) addChild((parent.children ??= {}), frame.name, value);
    else addChild(doc, frame.name, value);
  };

  while (i < n) {
    const lt = xml.indexOf('<', i);
    if (lt < 0) {
      appendText(i, n);
      break;
    }
    appendText(i, lt);
    const c1 = xml.charCodeAt(lt + 1);
    if (c1 === BANG) {
      if (xml.startsWith('<!--', lt)) {
        const end = xml.indexOf('-->', lt + 4);
        if (end < 0) fail('InvalidXml', lt);
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', lt)) {
        const end = xml.indexOf(']]>', lt + 9);
        if (end < 0 || stack.length === 0) fail('InvalidXml', lt);
        const top = stack[stack.length - 1]!;
        if (rawDepth === 0 && end > lt + 9) top.text = top.text === '' ? xml.slice(lt + 9, end) : top.text + xml.slice(lt + 9, end);
        i = end + 3;
      } else {
        fail('InvalidDtd', lt);
      }
      continue;
    }
    if (c1 === QUESTION) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) fail('InvalidXml', lt);
      const target = /^<\?([^\s?]*)/.exec(xml.slice(lt, Math.min(end, lt + 40)))?.[1] ?? '';
      if (target.toLowerCase() === 'xml' && lt !== start) fail('InvalidXml', lt);
      i = end + 2;
      continue;
    }
    if (c1 === SLASH) {
      let k = lt + 2;
      while (k < n && isNameChar(xml.charCodeAt(k))) k++;
      const raw = xml.slice(lt + 2, k);
      while (k < n && isSpace(xml.charCodeAt(k))) k++;
      if (raw === '' || xml.charCodeAt(k) !== GT) fail('InvalidTag', lt);
      const frame = stack.pop();
      if (frame === undefined || frame.raw !== raw) fail('InvalidTag', lt);
      close(frame!, lt);
      i = k + 1;
      continue;
    }
    if (!isNameStart(c1)) fail('InvalidTag', lt);
    rootSeen = true;
    let k = lt + 1;
    while (k < n && isNameChar(xml.charCodeAt(k))) k++;
    const raw = xml.slice(lt + 1, k);
    // Attributes: name="value" or name='value', each once; values may hold '>'.
    let attrs: string[] | undefined;
    let selfClosing = false;
    for (;;) {
      const before = k;
      while (k < n && isSpace(xml.charCodeAt(k))) k++;
      const c = xml.charCodeAt(k);
      if (c === GT) {
        k++;
        break;
      }
      if (c === SLASH && xml.charCodeAt(k + 1) === GT) {
        selfClosing = true;
        k += 2;
        break;
      }
      if (k >= n || k === before || !isNameStart(c)) fail(k >= n ? 'InvalidTag' : 'InvalidAttr', Math.min(k, n));
      const nameFrom = k;
      while (k < n && isNameChar(xml.charCodeAt(k))) k++;
      const attr = xml.slice(nameFrom, k);
      while (k < n && isSpace(xml.charCodeAt(k))) k++;
      if (xml.charCodeAt(k) !== EQUALS) fail('InvalidAttr', nameFrom);
      k++;
      while (k < n && isSpace(xml.charCodeAt(k))) k++;
      const quote = xml.charCodeAt(k);
      if (quote !== QUOT && quote !== APOS) fail('InvalidAttr', nameFrom);
      const end = xml.indexOf(quote === QUOT ? '"' : "'", k + 1);
      if (end < 0) fail('InvalidAttr', nameFrom);
      if (xml.slice(k + 1, end).includes('<')) fail('InvalidAttr', nameFrom);
      if (xml.indexOf('&', k + 1) >= 0 && xml.indexOf('&', k + 1) < end) checkText(k + 1, end);
      if ((attrs ??= []).includes(attr)) fail('InvalidAttr', nameFrom);
      attrs.push(attr);
      k = end + 1;
    }
    const name = localName(raw);
    if (selfClosing) {
      if (rawDepth === 0) {
        const parent = stack[stack.length - 1];
        if (parent) addChild((parent.children ??= {}), name, '');
        else addChild(doc, name, '');
      }
    } else {
      const frame: Frame = { raw, name, children: undefined, text: '', rawFrom: -1 };
      if (rawDepth > 0) rawDepth++;
      else if (stopNodes?.has(name) && stack.length > 0) {
        frame.rawFrom = k;
        rawDepth = 1;
      }
      stack.push(frame);
    }
    i = k;
  }
  if (stack.length > 0) fail('InvalidTag', n);
  if (!rootSeen) fail('InvalidXml', start);
  return doc;
}
