import { describe, expect, it } from 'vitest';
import { envelope, fixture, hoso } from '../../../test/fixtures/xml/build.ts';
import { EnvelopeError, readEnvelope, readEnvelopeFile, type HosoUnit } from './envelope.ts';

async function all(source: Parameters<typeof readEnvelope>[0]): Promise<HosoUnit[]> {
  const out: HosoUnit[] = [];
  for await (const u of readEnvelope(source)) out.push(u);
  return out;
}

async function* inChunks(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const xml1 = '<TONG_HOP><MA_LK>A</MA_LK></TONG_HOP>';
const three = envelope('68001', [hoso([['XML1', xml1]]), hoso([['XML1', xml1.replace('>A<', '>B<')]]), hoso([['XML1', xml1], ['XML2', '<X/>']])]);

describe('the GIAMDINHHS envelope reader', () => {
  it('yields each HOSO with the facility of THONGTINDONVI', async () => {
    const units = await all(three);
    expect(units.map((u) => u.index)).toEqual([1, 2, 3]);
    expect(units[0]!.header).toEqual({ facilityCode: '68001', createdOn: '20250613', declaredCount: 3 });
    expect(units[2]!.files.map((f) => f.type)).toEqual(['XML1', 'XML2']);
  });

  it('gives the same result whatever the chunk boundaries, even inside a multi-byte character', async () => {
    const bytes = new TextEncoder().encode(three.replace('68001', '68001<!-- Bệnh viện Đa khoa -->'));
    const whole = await all(bytes);
    for (const size of [1, 7, 4096]) expect(await all(inChunks(bytes, size))).toEqual(whole);
  });

  it('reads a UTF-8 file with a byte-order mark', async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(three)]);
    expect(await all(bytes)).toHaveLength(3);
  });

  it('tolerates vendor prefixes, lower-case tags, wrappers and extra elements', async () => {
    const units = await all(fixture('vendor-envelope.xml'));
    expect(units).toHaveLength(1);
    expect(units[0]!.header.facilityCode).toBe('68123');
    expect(units[0]!.files.map((f) => f.type)).toEqual(['XML1', 'XML02', 'XML3']);
  });

  it('is not fooled by a </HOSO> inside CDATA', async () => {
    const tricky = envelope('68001', [hoso([['XML1', '<TONG_HOP><GHI_CHU>x</HOSO>y</GHI_CHU></TONG_HOP>', 'cdata']])]);
    const units = await all(tricky);
    expect(units).toHaveLength(1);
    expect(units[0]!.files[0]!.content).toContain('</HOSO>');
  });

  it('yields the complete HOSO of a truncated file, then says clearly that the rest is missing', async () => {
    const cut = three.slice(0, three.lastIndexOf('<HOSO>') + 40);
    const seen: HosoUnit[] = [];
    await expect(async () => {
      for await (const u of readEnvelope(cut)) seen.push(u);
    }).rejects.toThrow(/cắt cụt.*2 hồ sơ/);
    expect(seen).toHaveLength(2);
  });

  it('calls a file that stops after its last HOSO truncated too', async () => {
    await expect(all(three.slice(0, three.indexOf('</DANHSACHHOSO>')))).rejects.toMatchObject({ code: 'truncated' });
  });

  it('refuses a DOCTYPE outright (no XXE, no entity expansion)', async () => {
    await expect(all(fixture('xxe-envelope.xml'))).rejects.toMatchObject({ name: 'EnvelopeError', code: 'forbidden-dtd' });
  });

  it('refuses text that is not an envelope, and bytes that are not UTF-8', async () => {
    await expect(all('<TONG_HOP><MA_LK>1</MA_LK></TONG_HOP>')).rejects.toMatchObject({ code: 'not-an-envelope' });
    await expect(all(new Uint8Array([0x3c, 0x41, 0xff, 0xfe, 0x3e]))).rejects.toBeInstanceOf(EnvelopeError);
  });

  it('reports a HOSO that is not well-formed without stopping the file', async () => {
    const bad = envelope('68001', ['<HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO></FILEHOS></HOSO>', hoso([['XML1', xml1]])]);
    const units = await all(bad);
    expect(units[0]!.malformed).toBeDefined();
    expect(units[1]!.files).toHaveLength(1);
  });

  it('streams a file from disk', async () => {
    const units: HosoUnit[] = [];
    for await (const u of readEnvelopeFile(new URL('../../../test/fixtures/xml/reference-samples/synthetic-qd130-envelope.xml', import.meta.url).pathname)) units.push(u);
    expect(units).toHaveLength(1);
    expect(units[0]!.files.map((f) => f.type)).toEqual(['XML1', 'XML2', 'XML3', 'XML4', 'XML5']);
  });
});
