// The gate every CDA document passes before any parser sees it: decoding, size, no DOCTYPE or
// ENTITY (the parser in @medplum/ccda expands internal entities, and no legitimate CDA needs a
// DTD — refusing them outright is the simplest defence against XXE and "billion laughs"),
// well-formedness, and a ClinicalDocument root in the HL7 v3 namespace.
import { XMLValidator } from 'fast-xml-parser';
import type { RejectionReason } from '../adapted-record.ts';
import { HL7_V3_NAMESPACE } from './cda-systems.ts';

/** Larger than any clinical document we expect (a CCD with years of results is a few MB). */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

export type GuardResult = { ok: true; xml: string } | { ok: false; reasons: RejectionReason[] };

function reject(field: string, message: string): GuardResult {
  return { ok: false, reasons: [{ field, message }] };
}

/** UTF-8 (with or without BOM) or UTF-16 with a BOM; anything else is refused, not guessed. */
function decode(input: string | Buffer): string | undefined {
  if (typeof input === 'string') return input.replace(/^\uFEFF/, '');
  if (input[0] === 0xff && input[1] === 0xfe) return new TextDecoder('utf-16le').decode(input.subarray(2));
  if (input[0] === 0xfe && input[1] === 0xff) return new TextDecoder('utf-16be').decode(input.subarray(2));
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  } catch {
    return undefined;
  }
}

const ROOT_ELEMENT = /^\s*(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*)*<([^\s/>]+)([^>]*)>/;

export function guardCdaXml(input: string | Buffer, maxBytes: number = DEFAULT_MAX_BYTES): GuardResult {
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size === 0) return reject('document', 'Tài liệu rỗng.');
  if (size > maxBytes) {
    return reject('document', `Tài liệu quá lớn (${size} byte, tối đa ${maxBytes} byte).`);
  }
  const xml = decode(input);
  if (xml === undefined) return reject('document', 'Tài liệu không được mã hóa UTF-8 hoặc UTF-16 hợp lệ.');

  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(xml)?.[1];
  if (declared !== undefined && !/^utf-?(8|16)$/i.test(declared)) {
    return reject('document', `Bảng mã "${declared}" không được hỗ trợ; hãy gửi tài liệu mã hóa UTF-8.`);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    return reject(
      'document',
      'Tài liệu có khai báo DOCTYPE hoặc ENTITY. Vì lý do an toàn (chống tấn công XXE), HSSK không chấp nhận khai báo này; tài liệu CDA không cần đến nó.',
    );
  }
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    return reject('document', `Tài liệu không phải XML hợp lệ (dòng ${line}, cột ${col}): ${msg}`);
  }

  const root = ROOT_ELEMENT.exec(xml);
  const name = root?.[1] ?? '';
  const attributes = root?.[2] ?? '';
  if (name.endsWith(':ClinicalDocument')) {
    return reject(
      'ClinicalDocument',
      'Phần tử gốc ClinicalDocument dùng tiền tố namespace; HSSK chỉ nhận CDA dùng namespace mặc định xmlns="urn:hl7-org:v3".',
    );
  }
  if (name !== 'ClinicalDocument') {
    return reject('ClinicalDocument', `Không phải tài liệu HL7 CDA: phần tử gốc là <${name}>, cần <ClinicalDocument>.`);
  }
  const namespace = /\bxmlns\s*=\s*["']([^"']*)["']/.exec(attributes)?.[1];
  if (namespace !== HL7_V3_NAMESPACE) {
    return reject(
      'ClinicalDocument',
      `Không phải tài liệu HL7 CDA: phần tử gốc ClinicalDocument phải thuộc namespace "${HL7_V3_NAMESPACE}"${namespace === undefined ? '' : ` (đang là "${namespace}")`}.`,
    );
  }
  return { ok: true, xml };
}
