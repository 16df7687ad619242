import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope, FIXTURES, hoso, tablesOf } from '../../test/fixtures/xml/build.ts';
import { SUPPORTED_RESOURCE_TYPES } from '../fhir/definitions.ts';
import { listSearchParams } from '../fhir/search-parameters.ts';
import { adaptXml, adaptXmlFile } from '../ingest/xml/adapter.ts';
import { generateEpisodes } from '../ingest/xml/generator.ts';
import { compilePath } from './index-paths.ts';
import { extractIndex } from './indexer.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-index-paths-'));
const resources: Resource[] = [];

/** Every resource of the adapted episodes, with urn:uuid references made `Type/id` as the pipeline does. */
async function collect(results: AsyncIterable<import('../ingest/adapted-record.ts').AdaptResult>): Promise<void> {
  let n = 0;
  for await (const r of results) {
    if (!r.ok) continue;
    const ids = new Map<string, string>([[r.record.patientFullUrl, `Patient/p${n++}`]]);
    for (const e of r.record.entries) ids.set(e.fullUrl, `${e.resource.resourceType}/r${n++}`);
    const rewrite = (res: Resource) => JSON.parse(JSON.stringify(res).replace(/"urn:uuid:[0-9a-f-]+"/g, (m) => JSON.stringify(ids.get(m.slice(1, -1)) ?? m.slice(1, -1)))) as Resource;
    resources.push(rewrite(r.record.patient), ...r.record.entries.map((e) => rewrite(e.resource)));
    // The adapter's own form too: urn:uuid and logical references.
    resources.push(...r.record.entries.map((e) => e.resource));
  }
}

beforeAll(async () => {
  await collect(adaptXml(envelope('68001', [hoso(tablesOf('qd130'))])));
  await collect(adaptXml(envelope('68001', [hoso(tablesOf('qd4210'))])));
  const g = await generateEpisodes({ provinceDir: path.join(FIXTURES, 'province'), count: 150, format: '130', outDir: work, seed: 'index-paths' });
  for (const f of g.files) await collect(adaptXmlFile(f));
  resources.push(
    {
      resourceType: 'Patient',
      id: 'x',
      name: [{ family: 'Nguyễn', given: ['Văn', 'An'] }, { text: 'An' }],
      telecom: [{ system: 'phone', value: '+84 912 345 678' }, { system: 'email', value: 'a@b.vn' }],
      address: [{ line: ['Thôn 1'], city: 'Đà Lạt', extension: [{ url: 'http://fhir.hssk.vn/StructureDefinition/address-commune', valueCode: '24850' }] }],
      contact: [{ name: { text: 'Mẹ' }, telecom: [{ system: 'phone', value: '0912000000' }] }],
      link: [{ other: { reference: 'Patient/y' }, type: 'seealso' }],
      generalPractitioner: [{ reference: 'Practitioner/1' }, { type: 'Organization', identifier: { system: 's', value: 'v' } }],
      birthDate: '1990',
      _birthDate: { extension: [{ url: 'u', valueString: 'x' }] },
      active: false,
    } as Resource,
    { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { type: 'Patient', identifier: { value: 'a' } }, performer: [{ reference: 'http://other/Patient/1' }] },
    { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Group/1' }, focus: [{ reference: 'Patient/1' }] },
    {
      resourceType: 'Patient',
      address: [{ city: 'A' }, { city: 'B', extension: [{ url: 'http://fhir.hssk.vn/StructureDefinition/address-commune', valueCode: '1' }] }],
      extension: [
        { url: 'http://fhir.hssk.vn/StructureDefinition/resident-group', valueCoding: { code: 'a' } },
        { url: 'http://fhir.hssk.vn/StructureDefinition/resident-group', valueCoding: { code: 'b' } },
        { url: 'http://fhir.hssk.vn/StructureDefinition/dan-toc', valueCodeableConcept: { coding: [{ code: '01' }] } },
      ],
      telecom: [{ system: 'email', value: 'x@y.vn' }, { system: 'phone', value: '0912 000 111' }, { value: 'no-system' }],
      deceasedDateTime: '2020-01-02',
    },
    {
      resourceType: 'Observation', status: 'final', code: { text: 'bp' }, effectivePeriod: { start: '2024-01-01' },
      valueCodeableConcept: { coding: [{ system: 's', code: 'c' }], text: 'Dương tính' },
      component: [{ code: { text: 'a' }, valueQuantity: { value: 120, unit: 'mmHg' } }, { code: { text: 'b' }, valueString: 'x' }, { code: { text: 'c' }, valueCodeableConcept: { text: 'y' } }],
    },
    { resourceType: 'Observation', status: 'final', code: { text: 'x' }, effectiveInstant: '2024-01-01T00:00:00Z', valueDateTime: '2024-02-02', valueString: 'both' } as Resource,
    { resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetAge: { value: 3, unit: 'a' }, abatementString: 'khỏi', recordedDate: '2024' },
    { resourceType: 'Condition', subject: { reference: 'Patient/1' }, onsetPeriod: { start: '2020' }, abatementRange: { low: { value: 1 } } },
    { resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: 'Patient/1' }, medicationReference: { reference: 'Medication/1' } },
    { resourceType: 'ChargeItem', status: 'billable', code: { text: 'x' }, subject: { reference: 'Patient/1' }, occurrenceDateTime: '2025-06-10T08:00:00+07:00', factorOverride: 0.5 },
    { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/1' }, participant: [{ individual: { reference: 'Practitioner/1' } }, { individual: { reference: 'Practitioner/1' } }] },
  );
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('compiled index paths', () => {
  it('cover most parameters of every supported type (plain element paths)', () => {
    let all = 0;
    let fast = 0;
    for (const type of SUPPORTED_RESOURCE_TYPES) {
      for (const p of listSearchParams(type)) {
        all++;
        if (compilePath(type, p.expression)) fast++;
      }
    }
    expect(fast / all).toBeGreaterThan(0.9);
    expect(compilePath('Observation', '(Observation.value as Quantity)')).toBeUndefined();
    expect(compilePath('Patient', 'Patient.deceased.exists() and Patient.deceased != false')).toBeUndefined();
    expect(compilePath('Observation', 'Observation.name')).toBeUndefined(); // no such element
  });

  it('give exactly the index rows and compartment of the FHIRPath engine on adapted episodes and hand-made resources', () => {
    expect(resources.length).toBeGreaterThan(1000);
    const types = new Set<string>();
    for (const r of resources) {
      types.add(r.resourceType);
      expect(extractIndex(r), `${r.resourceType} ${JSON.stringify(r).slice(0, 200)}`).toEqual(extractIndex(r, { usePaths: false }));
    }
    for (const t of ['Patient', 'Encounter', 'Condition', 'Observation', 'MedicationRequest', 'Procedure', 'ChargeItem', 'Composition', 'Coverage', 'RelatedPerson', 'Appointment']) expect(types).toContain(t);
  });
});
