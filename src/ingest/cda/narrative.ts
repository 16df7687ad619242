// Section narratives (the human-readable `text` of each CDA section) as XHTML for a FHIR
// Composition and as plain text for the storage policy. @medplum/ccda parses without element
// order, which scrambles mixed content ("Bệnh nhân <content>…</content> ổn định"), so the
// narrative is read again here with order preserved. The CDA narrative block is not XHTML:
// its elements are mapped to their XHTML equivalents, attributes and links dropped.
import { XMLParser } from 'fast-xml-parser';

export interface SectionNarrative {
  /** `<div xmlns="http://www.w3.org/1999/xhtml">…</div>`, empty when the section has no text. */
  xhtml: string;
  /** Plain text, words separated, for the storage policy. */
  text: string;
}

/** preserveOrder node: `{ tag: children, ':@'?: attributes }` or `{ '#text': string }`. */
type OrderedNode = Record<string, unknown>;

const ELEMENTS: Readonly<Record<string, string>> = {
  paragraph: 'p',
  content: 'span',
  item: 'li',
  table: 'table',
  thead: 'thead',
  tbody: 'tbody',
  tfoot: 'tfoot',
  tr: 'tr',
  th: 'th',
  td: 'td',
  caption: 'caption',
  sub: 'sub',
  sup: 'sup',
  br: 'br',
  linkHtml: 'span',
  footnote: 'span',
  footnoteRef: 'span',
};
const BLOCKS = new Set(['p', 'li', 'tr', 'td', 'th', 'caption', 'ul', 'ol', 'table', 'br']);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@');
}

function children(node: OrderedNode, tag: string): OrderedNode[] {
  const value = node[tag];
  return Array.isArray(value) ? (value as OrderedNode[]) : [];
}

function attribute(node: OrderedNode, name: string): string | undefined {
  const attributes = node[':@'];
  if (attributes === null || typeof attributes !== 'object') return undefined;
  const value = (attributes as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

function render(nodes: OrderedNode[], html: string[], text: string[]): void {
  for (const node of nodes) {
    const tag = tagOf(node);
    if (tag === undefined) continue;
    if (tag === '#text') {
      const value = String(node['#text']);
      html.push(escapeXml(value));
      text.push(value);
      continue;
    }
    if (tag === 'renderMultiMedia' || tag.startsWith('?') || tag === '#comment') continue;
    let element = ELEMENTS[tag] ?? 'span';
    if (tag === 'list') element = attribute(node, 'listType') === 'ordered' ? 'ol' : 'ul';
    if (element === 'br') {
      html.push('<br/>');
      text.push('\n');
      continue;
    }
    const span = ['td', 'th'].includes(element)
      ? ['colspan', 'rowspan'].map((a) => (attribute(node, a) ? ` ${a}="${escapeXml(attribute(node, a)!)}"` : '')).join('')
      : '';
    html.push(`<${element}${span}>`);
    render(children(node, tag), html, text);
    html.push(`</${element}>`);
    text.push(BLOCKS.has(element) ? '\n' : ' ');
  }
}

function findAll(nodes: OrderedNode[], tag: string): OrderedNode[] {
  return nodes.filter((n) => tagOf(n) === tag);
}

/** The narrative of each top-level section, in document order (the order @medplum/ccda uses). */
export function sectionNarratives(xml: string): SectionNarrative[] {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    trimValues: false,
    // The guard has refused DOCTYPE/ENTITY already; only the five XML entities remain.
    processEntities: true,
    htmlEntities: false,
  });
  const document = parser.parse(xml) as OrderedNode[];
  const out: SectionNarrative[] = [];
  for (const root of findAll(document, 'ClinicalDocument')) {
    for (const component of findAll(children(root, 'ClinicalDocument'), 'component')) {
      for (const body of findAll(children(component, 'component'), 'structuredBody')) {
        for (const inner of findAll(children(body, 'structuredBody'), 'component')) {
          for (const section of findAll(children(inner, 'component'), 'section')) {
            const textNode = findAll(children(section, 'section'), 'text')[0];
            const html: string[] = [];
            const text: string[] = [];
            if (textNode !== undefined) render(children(textNode, 'text'), html, text);
            const plain = text.join('').replace(/[ \t]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim();
            out.push({
              xhtml: plain === '' ? '' : `<div xmlns="http://www.w3.org/1999/xhtml">${html.join('')}</div>`,
              text: plain,
            });
          }
        }
      }
    }
  }
  return out;
}
