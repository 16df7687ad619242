import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { classifyResource } from '../../policy/sensitive-data.ts';
import { CodeSystem, episodeIdentifierSystem, Extension, IdentifierSystem } from '../../fhir/systems.ts';
import { envelope, fixture, hoso, tablesOf, type FileSpec } from '../../../test/fixtures/xml/build.ts';
import type { AdaptedRecord, AdaptResult } from '../adapted-record.ts';
import { adaptXml } from './adapter.ts';

async function results(text: string): Promise<AdaptResult[]> {
  const out: AdaptResult[] = [];
  for await (const r of adaptXml(text)) out.push(r);
  return out;
}

async function accepted(files: readonly FileSpec[], facility: string | undefined = '68001'): Promise<AdaptedRecord> {
  const [r] = await results(envelope(facility, [hoso(files)]));
  if (!r?.ok) throw new Error(`rejected: ${JSON.stringify(r)}`);
  return r.record;
}

function byType<T extends Resource['resourceType']>(record: AdaptedRecord, type: T): Extract<Resource, { resourceType: T }>[] {
  return record.entries.map((e) => e.resource).filter((r): r is Extract<Resource, { resourceType: T }> => r.resourceType === type);
}

const full130 = tablesOf('qd130');
const full4210 = tablesOf('qd4210');

describe('a QĐ 130 episode with every table', () => {
  it('is keyed by facility and MA_LK and replaces its earlier version', async () => {
    const r = await accepted(full130);
    expect(r.key).toBe('xml/68001/BV68001-2025-000777');
    expect(r.replaces).toEqual({ system: episodeIdentifierSystem('68001'), valuePrefix: 'BV68001-2025-000777' });
  });

  it('maps XML1 to the Patient: identifiers, year-only birth date, sex, address with commune code', async () => {
    const { patient } = await accepted(full130);
    const ids = Object.fromEntries(patient.identifier!.map((i) => [`${i.system}|${i.value}`, true]));
    expect(ids[`${IdentifierSystem.cccd}|068188002345`]).toBe(true);
    expect(ids[`${IdentifierSystem.bhytCard}|GD4686898765432`]).toBe(true);
    expect(ids[`${IdentifierSystem.bhytCard}|TE1686898765432`]).toBe(true);
    expect(ids[`${IdentifierSystem.bhxh}|6898765432`]).toBe(true);
    expect(patient.birthDate).toBe('1988');
    expect(patient.gender).toBe('female');
    expect(patient.name?.[0]).toMatchObject({ text: 'TRẦN THỊ MAI', family: 'TRẦN', given: ['THỊ', 'MAI'] });
    expect(patient.address?.[0]?.text).toBe('Thôn 1, Xã Lạc Dương, Tỉnh Lâm Đồng');
    expect(patient.address?.[0]?.extension).toContainEqual({ url: Extension.addressCommune, valueCode: '24850' });
    expect(patient.telecom?.[0]?.value).toBe('0987654321');
    expect(patient.extension?.map((e) => e.url)).toEqual(expect.arrayContaining([Extension.ethnicity, Extension.occupation, Extension.nationality]));
  });

  it('makes one Coverage per BHYT card from the ;-separated parallel lists', async () => {
    const coverages = byType(await accepted(full130), 'Coverage');
    expect(coverages.map((c) => [c.subscriberId, c.period, c.class?.[0]?.value, c.extension?.[0]?.valueIdentifier?.value])).toEqual([
      ['GD4686898765432', { start: '2025-01-01', end: '2025-05-31' }, '4', '68123'],
      ['TE1686898765432', { start: '2025-06-01', end: '2025-12-31' }, '1', '68001'],
    ]);
  });

  it('maps the Encounter: MA_LK, inpatient class, +07:00 period, departments, outcome, referral, facility', async () => {
    const r = await accepted(full130);
    const [enc] = byType(r, 'Encounter');
    expect(enc!.identifier).toContainEqual({ system: episodeIdentifierSystem('68001'), value: 'BV68001-2025-000777' });
    expect(enc!.class.code).toBe('IMP');
    expect(enc!.type?.[0]?.coding?.[0]).toMatchObject({ system: CodeSystem.careType, code: '03' });
    expect(enc!.period).toEqual({ start: '2025-06-10T06:30:00+07:00', end: '2025-06-13T10:00:00+07:00' });
    expect(enc!.status).toBe('finished');
    expect(enc!.serviceType?.coding?.[0]?.code).toBe('K01');
    expect(enc!.location?.map((l) => l.location.display)).toEqual(['Khoa K01', 'Khoa K26']);
    expect(enc!.hospitalization?.origin).toEqual({ type: 'Organization', identifier: { system: IdentifierSystem.facilityCode, value: '68123' } });
    expect(enc!.hospitalization?.dischargeDisposition?.coding?.map((c) => c.code)).toEqual(['1', 'home']);
    expect(enc!.serviceProvider).toEqual({ type: 'Organization', identifier: { system: IdentifierSystem.facilityCode, value: '68001' } });
    expect(enc!.extension?.[0]?.valueCodeableConcept?.coding?.[0]).toMatchObject({ code: '1', display: 'Khỏi' });
    expect(enc!.length).toMatchObject({ value: 4, code: 'd' });
  });

  it('maps diagnoses with normalised ICD-10 codes and their Vietnamese text, dropping HIV (Z21)', async () => {
    const r = await accepted(full130);
    const conditions = byType(r, 'Condition');
    expect(conditions.map((c) => [c.code?.coding?.[0]?.code, c.code?.text])).toEqual([
      ['O80.0', 'Đẻ thường một thai'],
      ['O99.0', 'Thiếu máu thai kỳ'],
    ]);
    expect(conditions[0]!.note?.[0]?.text).toBe('Chẩn đoán vào viện: Thai 39 tuần chuyển dạ');
    expect(conditions[0]!.clinicalStatus?.coding?.[0]?.code).toBe('resolved');
    const [enc] = byType(r, 'Encounter');
    expect(enc!.diagnosis).toHaveLength(2);
  });

  it('maps XML2 to MedicationRequest + MedicationDispense, dropping the antiretroviral', async () => {
    const r = await accepted(full130);
    const requests = byType(r, 'MedicationRequest');
    expect(requests.map((m) => m.medicationCodeableConcept?.text)).toEqual(['Oxytocin', 'Amoxicilin']);
    const oxy = requests[0]!;
    expect(oxy.identifier?.[0]?.value).toBe('BV68001-2025-000777/XML2/1');
    expect(oxy.dosageInstruction?.[0]).toMatchObject({ text: '1 ống tiêm bắp sau sổ thai', patientInstruction: 'Tiêm bắp', route: { coding: [{ code: '2.15' }] } });
    expect(oxy.dispenseRequest?.quantity).toEqual({ value: 2, unit: 'Ống' });
    expect(oxy.authoredOn).toBe('2025-06-10T08:00:00+07:00');
    expect(oxy.extension?.find((e) => e.url.endsWith('ham-luong'))?.valueString).toBe('5UI/1ml');
    expect(oxy.extension?.find((e) => e.url.endsWith('chi-phi-xml'))?.extension).toContainEqual({ url: 'THANH_TIEN_BV', valueDecimal: 12000 });
    const dispenses = byType(r, 'MedicationDispense');
    expect(dispenses).toHaveLength(2);
    expect(dispenses[0]!.whenHandedOver).toBe('2025-06-10T08:15:00+07:00');
  });

  it('maps XML3 services to Procedures (costs kept) and supplies and beds to ChargeItems, dropping the HIV test', async () => {
    const r = await accepted(full130);
    const procedures = byType(r, 'Procedure');
    const names = procedures.map((p) => p.code?.text);
    expect(names).toContain('Đỡ đẻ thường ngôi chỏm');
    expect(names).toContain('Tổng phân tích tế bào máu ngoại vi');
    expect(names.join()).not.toMatch(/HIV/);
    const delivery = procedures.find((p) => p.code?.text === 'Đỡ đẻ thường ngôi chỏm')!;
    expect(delivery.performedPeriod).toEqual({ start: '2025-06-10T11:05:00+07:00', end: '2025-06-10T11:50:00+07:00' });
    expect(delivery.performer).toHaveLength(2);
    expect(delivery.reasonCode?.map((c) => c.coding?.[0]?.code)).toEqual(['O80.0']);
    expect(delivery.code?.coding?.map((c) => c.system)).toContain('http://hl7.org/fhir/sid/icd-9-cm');
    expect(delivery.extension?.[0]?.extension).toContainEqual({ url: 'DON_GIA_BV', valueDecimal: 675000 });
    const charges = byType(r, 'ChargeItem');
    expect(charges.map((c) => c.code.text)).toEqual(['Găng tay phẫu thuật', 'Giường Phụ sản loại 1']);
  });

  it('maps XML4 to Observations grouped in one DiagnosticReport per service, linked from its Procedure', async () => {
    const r = await accepted(full130);
    const observations = byType(r, 'Observation').filter((o) => o.identifier?.[0]?.value?.includes('/XML4/'));
    expect(observations).toHaveLength(3);
    const hb = observations[0]!;
    expect(hb.valueQuantity).toEqual({ value: 98, unit: 'g/L', system: CodeSystem.ucum, code: 'g/L' });
    expect(hb.code.coding?.map((c) => c.code)).toEqual(['22.0121.HGB', '718-7']);
    expect(hb.device?.display).toBe('HH.1.68001.1');
    expect(hb.interpretation?.[0]?.text).toBe('Thiếu máu nhẹ');
    const echo = observations[2]!;
    expect(echo.note?.[0]?.text).toContain('tim thai 140');
    expect(echo.category?.[0]?.coding?.[0]?.code).toBe('imaging');
    const reports = byType(r, 'DiagnosticReport');
    expect(reports.map((d) => d.result?.length)).toEqual([2, 1]);
    const cbc = byType(r, 'Procedure').find((p) => p.code?.text === 'Tổng phân tích tế bào máu ngoại vi')!;
    const cbcReport = r.entries.find((e) => e.fullUrl === cbc.report?.[0]?.reference)?.resource;
    expect(cbcReport?.resourceType).toBe('DiagnosticReport');
  });

  it('maps XML5 to clinical-course Observations, dropping a text about ARV', async () => {
    const course = byType(await accepted(full130), 'Observation').filter((o) => o.identifier?.[0]?.value?.includes('/XML5/'));
    expect(course.map((o) => o.valueString)).toEqual([expect.stringContaining('cổ tử cung mở 6 cm'), 'Sau đẻ ngày 2, sản phụ ổn định']);
    expect(course[0]!.component?.[0]?.valueString).toBe('Chuyển dạ giai đoạn 1');
    expect(course[1]!.component).toBeUndefined();
  });

  it('writes the discharge summary Composition residents read, from XML1, XML7, XML8 and the papers', async () => {
    const r = await accepted(full130);
    const [summary] = byType(r, 'Composition');
    expect(summary!.type.coding?.[0]?.code).toBe('18842-5');
    const titles = summary!.section?.map((s) => s.title);
    expect(titles).toEqual([
      'Tóm tắt đợt khám bệnh, chữa bệnh',
      'Giấy ra viện',
      'Tóm tắt hồ sơ bệnh án',
      'Giấy chứng sinh',
      'Giấy chứng sinh',
      'Giấy chứng nhận nghỉ dưỡng thai',
      'Giấy chứng nhận nghỉ việc hưởng bảo hiểm xã hội',
      'Biên bản giám định y khoa',
      'Giấy chuyển tuyến',
      'Giấy hẹn khám lại',
      'Diễn biến lâm sàng',
      'Thuốc đã dùng',
      'Kết quả cận lâm sàng',
      'Phẫu thuật, thủ thuật, dịch vụ kỹ thuật',
    ]);
    const discharge = summary!.section!.find((s) => s.title === 'Giấy ra viện')!;
    expect(discharge.text?.div).toContain('Nghỉ từ ngày:</b> 14/06/2025');
    const record = summary!.section!.find((s) => s.title === 'Tóm tắt hồ sơ bệnh án')!;
    expect(record.text?.div).toContain('hai trẻ khỏe');
    expect(record.text?.div).not.toMatch(/ARV/);
    expect(summary!.author).toContainEqual({ type: 'Practitioner', identifier: { system: IdentifierSystem.bhxh, value: '6800000002' }, display: 'Nguyễn Thị Hạnh' });
  });

  it('maps XML9 to newborn Patients linked to their mother, with birth weight', async () => {
    const r = await accepted(full130);
    const newborns = byType(r, 'Patient');
    expect(newborns.map((p) => [p.name?.[0]?.text, p.gender, p.birthDate, p.multipleBirthInteger])).toEqual([
      ['Lê Gia An', 'male', '2025-06-10', 1],
      ['Con của Trần Thị Mai', 'female', '2025-06-10', 2],
    ]);
    expect(newborns[0]!.extension?.[0]).toEqual({ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '2025-06-10T11:05:00+07:00' });
    expect(newborns[0]!.contact?.map((c) => c.relationship?.[0]?.coding?.[0]?.code)).toEqual(['MTH', 'FTH']);
    const mothers = byType(r, 'RelatedPerson');
    expect(mothers[0]!.patient.reference).toBe(r.entries.find((e) => e.resource === newborns[0])!.fullUrl);
    expect(mothers[0]!.identifier).toContainEqual({ system: IdentifierSystem.cccd, value: '068188002345' });
    const weights = byType(r, 'Observation').filter((o) => o.code.coding?.[0]?.code === '8339-4');
    expect(weights.map((w) => w.valueQuantity?.value)).toEqual([3200, 2900]);
  });

  it('maps XML13 to a referral, XML14 and NGAY_TAI_KHAM to Appointments, XML12 to a disability finding', async () => {
    const r = await accepted(full130);
    const [referral] = byType(r, 'ServiceRequest');
    expect(referral!.performer).toEqual([{ type: 'Organization', identifier: { system: IdentifierSystem.facilityCode, value: '79001' } }]);
    expect(referral!.reasonCode?.map((c) => c.coding?.[0]?.code)).toEqual(['O99.0', 'D50.9', '2']);
    const appointments = byType(r, 'Appointment');
    expect(appointments.map((a) => a.start)).toEqual(['2025-09-10T00:00:00+07:00', '2025-07-25T08:00:00+07:00']);
    const disability = byType(r, 'Observation').find((o) => o.identifier?.[0]?.value?.endsWith('/XML12'));
    expect(disability?.valueCodeableConcept?.coding?.[0]).toMatchObject({ code: '1', display: 'Khuyết tật vận động' });
  });

  it('maps XML15 without its HIV fields, and gives the XML11 mã số BHXH to the Patient', async () => {
    const r = await accepted(full130);
    const tb = byType(r, 'Observation').find((o) => o.identifier?.[0]?.value?.includes('/XML15/'))!;
    expect(tb.component?.map((c) => c.code.coding?.[0]?.code)).toEqual(['PHANLOAI_LAO_VITRI', 'PHANLOAI_LAO_TS', 'PHANLOAI_LAO_VK', 'LOAI_DTRI_LAO', 'PHACDO_DTRI_LAO']);
    expect(tb.effectivePeriod).toEqual({ start: '2025-03-01' });
  });

  it('never stores XML6 nor any HIV item, and counts every one (B8)', async () => {
    const r = await accepted(full130);
    // XML6 table 1, Z21 1 (and its aligned text), ARV 1, HIV test service 1, HIV result 1,
    // ARV consultation note 1, B20.9 reason of a procedure 1, CHAN_DOAN_RV on the summary 1,
    // ARV remark in XML8 1, B20 of the referral 1, XML15 HIV fields 4.
    expect(r.excluded).toEqual({ hiv: expect.any(Number) });
    expect(r.excluded['hiv']).toBeGreaterThanOrEqual(14);
    const text = JSON.stringify({ ...r, excluded: undefined }).replace(/urn:uuid:[0-9a-f-]+/g, '');
    expect(text).not.toMatch(/\b(HIV|ARV|B20(\.\d)?|Z21|Tenofovir|Dolutegravir|NGAYKD_HIV|BDDT_ARV)\b/i);
    for (const e of [{ resource: r.patient }, ...r.entries]) expect(classifyResource(e.resource)).toBeUndefined();
  });

  it('ignores XML0 with a note, and unknown tags without failing', async () => {
    const r = await accepted(full130);
    expect(r.warnings).toContainEqual(expect.stringContaining('XML0'));
    expect(JSON.stringify(r)).not.toContain('TRUONG_LA_CUA_HANG');
  });

  it('gives every resource a stable identifier in the episode system, the same on a re-send', async () => {
    const a = await accepted(full130);
    const b = await accepted(full130);
    const ids = (r: AdaptedRecord) => r.entries.map((e) => (e.resource as { identifier?: { value?: string }[] | { value?: string } }).identifier).map((i) => (Array.isArray(i) ? i[0]?.value : i?.value));
    expect(ids(a)).toEqual(ids(b));
    expect(new Set(ids(a)).size).toBe(a.entries.length);
    for (const id of ids(a)) expect(id?.startsWith('BV68001-2025-000777')).toBe(true);
    for (const e of a.entries) expect(e.fullUrl).toMatch(/^urn:uuid:/);
  });
});

describe('a QĐ 4210 episode', () => {
  it('is recognised as 4210 and mapped with its own field names', async () => {
    const r = await accepted(full4210, '68123');
    expect(r.patient.birthDate).toBe('1960-01-01');
    expect(r.warnings).toContainEqual(expect.stringContaining('01/01 có thể thay cho ngày và tháng sinh không rõ'));
    expect(r.patient.identifier).toContainEqual({ system: IdentifierSystem.bhytCard, value: 'HT3686812345678' });
    const [enc] = byType(r, 'Encounter');
    expect(enc!.type?.[0]?.coding?.[0]?.code).toBe('01');
    expect(enc!.priority?.coding?.[0]?.code).toBe('EM');
    expect(enc!.hospitalization?.dischargeDisposition?.coding?.[0]?.display).toBe('Ra viện');
    expect(byType(r, 'Condition').map((c) => [c.code?.coding?.[0]?.code, c.code?.text])).toEqual([
      ['E11.9', 'Đái tháo đường không phụ thuộc insuline không có biến chứng'],
      ['I10', 'Tăng huyết áp vô căn'],
      ['K29.7', 'Viêm dạ dày'],
    ]);
    const [glucose] = byType(r, 'Observation').filter((o) => o.identifier?.[0]?.value?.includes('/XML4/'));
    expect(glucose!.valueQuantity?.value).toBe(8.4);
    expect(glucose!.code.coding?.[1]?.code).toBe('2345-7');
    const [course] = byType(r, 'Observation').filter((o) => o.identifier?.[0]?.value?.includes('/XML5/'));
    expect(course!.valueString).toContain('HA 150/90');
    expect(byType(r, 'Composition')[0]!.type.coding?.[0]?.code).toBe('34133-9');
  });

  it('reads the vendor envelope: literal XML, CDATA, base64 with BOM, prefixes and extras', async () => {
    const [r] = await results(fixture('vendor-envelope.xml'));
    expect(r?.ok).toBe(true);
    if (!r?.ok) return;
    expect(r.record.key).toBe('xml/68123/VENDOR-1');
    expect(byType(r.record, 'MedicationRequest')).toHaveLength(1);
    expect(byType(r.record, 'Procedure')).toHaveLength(2);
  });

  it('reads the public synthetic samples of both generations', async () => {
    for (const f of ['synthetic-qd130-envelope.xml', 'synthetic-qd4210-envelope.xml']) {
      const [r] = await results(fixture(`reference-samples/${f}`));
      expect(r?.ok).toBe(true);
    }
  });
});

describe('rejections, one episode at a time', () => {
  const xml1 = fixture('qd4210/XML1.xml');
  const reasons = async (files: readonly FileSpec[], facility: string | null = '68123') => {
    const [r] = await results(envelope(facility ?? undefined, [hoso(files)]));
    if (r?.ok !== false) throw new Error('accepted');
    return r;
  };

  it('missing MA_LK', async () => {
    const r = await reasons([['XML1', xml1.replace('<MA_LK>TYT68123-0042</MA_LK>', '<MA_LK></MA_LK>')]]);
    expect(r.reasons).toEqual([{ field: 'XML1.MA_LK', message: 'Thiếu MA_LK (mã đợt điều trị).' }]);
    expect(r.key).toBe('xml/68123/HOSO-1');
  });

  it('bad base64', async () => {
    const bad = envelope('68123', [hoso([['XML1', xml1]]).replace(/<NOIDUNGFILE>[^<]+/, '<NOIDUNGFILE>PD94bWwg!!!')]);
    const [r] = await results(bad);
    expect(r).toMatchObject({ ok: false, reasons: [{ field: 'XML1.NOIDUNGFILE', message: expect.stringContaining('base64') }] });
  });

  it('impossible dates', async () => {
    const r = await reasons([['XML1', xml1.replace('202305100800', '202302300800')]]);
    expect(r.reasons).toEqual([{ field: 'XML1.NGAY_VAO', message: expect.stringContaining('không tồn tại') }]);
    const r2 = await reasons([['XML1', xml1.replace('<NGAY_RA>202305100930', '<NGAY_RA>202305090930')]]);
    expect(r2.reasons[0]!.field).toBe('XML1.NGAY_RA');
  });

  it('unknown table type', async () => {
    const r = await reasons([['XML1', xml1], ['XML99', '<A/>']]);
    expect(r.reasons[0]).toMatchObject({ field: 'LOAIHOSO', message: expect.stringContaining('XML99') });
  });

  it('malformed inner XML', async () => {
    const r = await reasons([['XML1', xml1], ['XML2', '<DSACH_CHI_TIET_THUOC><CHI_TIET_THUOC></DSACH_CHI_TIET_THUOC>']]);
    expect(r.reasons[0]).toMatchObject({ field: 'XML2.NOIDUNGFILE', message: expect.stringContaining('không hợp lệ') });
  });

  it('entity declarations inside a table (billion laughs) are refused, not expanded', async () => {
    const r = await reasons([['XML1', fixture('billion-laughs-inner.xml')]]);
    expect(r.reasons[0]).toMatchObject({ field: 'XML1.NOIDUNGFILE', message: expect.stringContaining('DOCTYPE') });
  });

  it('missing XML1', async () => {
    const r = await reasons([['XML2', fixture('qd4210/XML2.xml')]]);
    expect(r.reasons).toEqual([{ field: 'XML1', message: expect.stringContaining('Thiếu bảng XML1') }]);
  });

  it('facility code absent, or different from the sender', async () => {
    const noFacility = xml1.replace('<MA_CSKCB>68123</MA_CSKCB>', '');
    expect((await reasons([['XML1', noFacility]], null)).reasons[0]!.field).toBe('MACSKCB');
    expect((await reasons([['XML1', xml1]], '79001')).reasons[0]!.field).toBe('XML1.MA_CSKCB');
  });

  it('a table whose MA_LK differs from XML1', async () => {
    const r = await reasons([['XML1', xml1], ['XML2', fixture('qd4210/XML2.xml').replace('TYT68123-0042', 'KHAC')]]);
    expect(r.reasons[0]!.field).toBe('XML2.MA_LK');
  });

  it('one bad episode never affects the others in the file', async () => {
    const good = hoso([['XML1', xml1]]);
    const bad = hoso([['XML1', xml1.replace('<MA_LK>TYT68123-0042</MA_LK>', '')]]);
    const out = await results(envelope('68123', [good, bad, good.replace(/TYT68123-0042/g, 'X')]));
    expect(out.map((r) => r.ok)).toEqual([true, false, true]);
  });
});
