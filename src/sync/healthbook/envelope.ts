// The envelope of the Ministry's data-sync API for the 2026 electronic health book (QĐ 1551/QĐ-BYT
// amended by QĐ 2062/QĐ-BYT, Phụ lục 02; vn-standards §7.2): body `{header, data, signature}`,
// `data.file_content` the record as base64 (`data_type` `xml/base64` or `json/base64`), and the
// signature RSA-SHA256 over `SHA256(header) + "." + SHA256(data)`, each digest upper-case hex,
// made with the facility's private key.
//
// The published summary does not say how `header` and `data` are serialised before hashing; we
// hash their compact JSON (JSON.stringify, keys in the order below), which is also exactly the
// text placed in the body, so a receiver that re-serialises what it parsed gets the same bytes.
import { createHash, createSign, createVerify, randomUUID, type KeyObject } from 'node:crypto';

export interface EnvelopeHeader {
  /** The facility's 13-digit ID on the Cổng dữ liệu sức khỏe. */
  facility_id: string;
  transaction_id: string;
  created_at: string;
  service_type: '100';
}

export interface EnvelopeData {
  data_type: 'xml/base64' | 'json/base64';
  file_content: string;
}

export interface Envelope {
  header: EnvelopeHeader;
  data: EnvelopeData;
  signature: string;
}

const sha256Hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex').toUpperCase();

/** The signed string: SHA256(header) "." SHA256(data), upper-case hex. */
export function signingInput(header: EnvelopeHeader, data: EnvelopeData): string {
  return `${sha256Hex(JSON.stringify(header))}.${sha256Hex(JSON.stringify(data))}`;
}

export function buildEnvelope(options: { facilityId: string; content: Buffer | string; type: 'xml' | 'json'; privateKey: KeyObject | string; now?: Date }): Envelope {
  if (!/^\d{13}$/.test(options.facilityId)) throw new Error('facility ID must have 13 digits');
  const header: EnvelopeHeader = {
    facility_id: options.facilityId,
    transaction_id: randomUUID(),
    created_at: (options.now ?? new Date()).toISOString(),
    service_type: '100',
  };
  const data: EnvelopeData = {
    data_type: options.type === 'xml' ? 'xml/base64' : 'json/base64',
    file_content: Buffer.from(options.content).toString('base64'),
  };
  const signature = createSign('RSA-SHA256').update(signingInput(header, data), 'utf8').sign(options.privateKey, 'base64');
  return { header, data, signature };
}

export function verifyEnvelope(envelope: Envelope, publicKey: KeyObject | string): boolean {
  try {
    return createVerify('RSA-SHA256').update(signingInput(envelope.header, envelope.data), 'utf8').verify(publicKey, envelope.signature, 'base64');
  } catch {
    return false;
  }
}
