// structure-validator.ts must find exactly the errors of @medplum/core's validateResource: both
// are run on the resources of generated XML 130 episodes and on thousands of broken variants of
// them (missing, unknown, mistyped, empty, null and duplicated elements, bad choice types,
// primitive extensions, contained resources, violated invariants).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adaptXmlFile } from '../ingest/xml/adapter.ts';
import { generateEpisodes } from '../ingest/xml/generator.ts';
import { loadFhirDefinitions } from './definitions.ts';
import { originalErrors, structureErrors } from './structure-validator.ts';

const province = path.join(import.meta.dirname, '../../test/fixtures/xml/province');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-structure-'));
const resources: Resource[] = [];

beforeAll(async () => {
  loadFhirDefinitions();
  const g = await generateEpisodes({ provinceDir: province, count: 120, format: '130', outDir: dir, perFile: 120, seed: 'structure-validator' });
  for (const file of g.files) {
    for await (const r of adaptXmlFile(file)) {
      if (!r.ok) continue;
      resources.push({ ...r.record.patient, id: 'p' } as Resource);
      for (const e of r.record.entries) resources.push({ ...e.resource, id: 'r' } as Resource);
    }
  }
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const clone = <T,>(v: T): T => structuredClone(v);
/** Both validators on their own copy: the original writes primitive extensions into the objects it reads. */
const both = (r: Resource) => [outcomeOf(() => structureErrors(clone(r))), outcomeOf(() => originalErrors(clone(r)))];
/** The errors, or what was thrown: on some malformed input @medplum/core throws rather than reports. */
function outcomeOf(validate: () => unknown[]): unknown[] {
  try {
    return validate();
  } catch (err) {
    return [`thrown: ${String(err)}`];
  }
}

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

type Json = Record<string, unknown>;
/** Every object inside the resource (the resource itself included), with its parent key. */
function objectsOf(value: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(value)) value.forEach((v) => objectsOf(v, out));
  else if (value && typeof value === 'object') {
    out.push(value as Json);
    Object.values(value).forEach((v) => objectsOf(v, out));
  }
  return out;
}

const MUTATIONS: ((o: Json, key: string, random: () => number) => void)[] = [
  (o, k) => delete o[k],
  (o) => (o.unknownElement = 'x'),
  (o, k) => (o[k] = 42),
  (o, k) => (o[k] = ''),
  (o, k) => (o[k] = '   '),
  (o, k) => (o[k] = null),
  (o, k) => (o[k] = {}),
  (o, k) => (o[k] = []),
  (o, k) => (o[k] = [null]),
  (o, k) => (o[k] = Array.isArray(o[k]) ? o[k][0] : [o[k]]),
  (o, k) => (o[k] = Array.isArray(o[k]) ? [...(o[k] as unknown[]), ...(o[k] as unknown[])] : o[k]),
  (o, k) => (o[k] = '2024-02-30'),
  (o, k) => (o[k] = '2024-13-01T10:00:00+07:00'),
  (o, k) => (o[k] = true),
  (o, k) => (o[k] = 1.5),
  (o, k) => (o[k] = -3),
  (o, k) => (o[k] = { extension: [{ url: 'http://example.org/x', valueString: 'a' }] }),
  (o, k) => (o[`_${k}`] = { extension: [{ url: 'http://example.org/x', valueString: 'a' }] }),
  (o, k) => (o[`_${k}`] = { id: 'e1' }),
  (o, k) => (o[`_${k}`] = 'not an object'),
  (o) => (o.valueString = 'a'),
  (o) => Object.assign(o, { valueString: 'a', valueBoolean: true }),
  (o) => (o.valueFoo = 'a'),
  (o) => (o.extension = [{ url: 'http://example.org/x', valueString: 'a', extension: [{ url: 'y', valueCode: 'z' }] }]),
  (o) => (o.extension = [{ url: 'http://example.org/x' }]),
  (o) => (o.extension = [{ valueInteger: 2147483648 }]),
  (o) => (o.reference = 'Patient/1'),
  (o) => Object.assign(o, { reference: 'Patient/1', display: 42 }),
  (o) => (o.contained = [{ resourceType: 'Organization', id: 'o1', name: 'A', unknownElement: 1 }]),
  (o) => (o.contained = [{ resourceType: 'NotAType', id: 'o1' }]),
  (o) => (o.contained = [{ resourceType: 'Organization', id: 'o1', meta: { versionId: '2' }, contained: [{ resourceType: 'Organization', id: 'o2' }] }]),
  (o) => (o.contained = []),
  (o) => (o._contained = [{ id: 'c' }]),
  (o) => (o.extension = [{ url: 'http://example.org/x', valueString: '', valueBoolean: true }]),
  (o) => (o.extension = [{ url: 'http://example.org/x', valueBoolean: true, valueString: '' }]),
  (o) => (o.extension = [{ url: 'http://example.org/x', _valueString: { id: 'v' } }]),
  (o) => (o.extension = [{ url: 'http://example.org/x', valueCodeableConcept: {}, extension: [null] }]),
  (o) => (o.extension = [{ url: 'http://example.org/x', extension: [], valueQuantity: { value: 1 } }]),
  (o) => (o.modifierExtension = [{ url: 'http://example.org/x' }]),
  (o) => (o.coding = [{ system: 'urn:x', code: 'a b  c' }]),
  (o) => (o.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">a</div>' }),
  (o) => (o.meta = { lastUpdated: '2024-01-01' }),
  (o, k, random) => (o[k] = Object.values(o)[Math.floor(random() * Object.keys(o).length)]),
  // Elements of the invariants answered without FHIRPath (obs-6/7, cmp-1/2, app-1…4, mdd-1, con-4/5).
  (o) => (o.dataAbsentReason = { text: 'không đo' }),
  (o) => (o.component = [{ code: o.code ?? { text: 'x' }, valueString: 'b' }]),
  (o) => (o.emptyReason = { text: 'không có' }),
  (o) => (o.entry = [{}]),
  (o) => (o.abatementDateTime = '2024-01-02'),
  (o) => (o.verificationStatus = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] }),
  (o) => (o.whenPrepared = '2099-01-01'),
  (o) => (o.whenHandedOver = ['2024-01-01', '2024-01-02']),
  (o) => (o.cancelationReason = { text: 'bận' }),
  (o) => (o.status = ['booked', 'noshow']),
];

describe('the fast structure validator', () => {
  it('accepts and rejects the generated episodes exactly as @medplum/core does', () => {
    expect(resources.length).toBeGreaterThan(1000);
    for (const r of resources) {
      const [fast, original] = both(r);
      expect(fast, `${r.resourceType} ${JSON.stringify(r)}`).toEqual(original);
    }
  });

  it('reports the same errors as @medplum/core on thousands of broken variants', () => {
    const random = rng(4);
    let broken = 0;
    for (let n = 0; n < 8000; n++) {
      const r = clone(resources[Math.floor(random() * resources.length)]!);
      const times = 1 + Math.floor(random() * 3);
      for (let t = 0; t < times; t++) {
        const objects = objectsOf(r);
        const o = objects[Math.floor(random() * objects.length)]!;
        const keys = Object.keys(o).filter((k) => k !== 'resourceType');
        const key = keys.length ? keys[Math.floor(random() * keys.length)]! : 'status';
        MUTATIONS[Math.floor(random() * MUTATIONS.length)]!(o, key, random);
      }
      const [fast, original] = both(r);
      if (original!.length) broken++;
      expect(fast, `variant ${n}: ${JSON.stringify(r)}`).toEqual(original);
    }
    // The variants must really exercise the error paths.
    expect(broken).toBeGreaterThan(4000);
  });

  it('finds the invariants it answers without FHIRPath broken exactly as @medplum/core does', () => {
    const of = (type: string) => clone(resources.find((r) => r.resourceType === type)!) as unknown as Json;
    const cases: [key: string, build: () => Json][] = [
      ['obs-6', () => ({ ...of('Observation'), valueString: 'a', dataAbsentReason: { text: 'không đo' } })],
      ['obs-7', () => {
        const o = of('Observation');
        return { ...o, valueString: 'a', component: [{ code: o.code, valueString: 'b' }] };
      }],
      ['cmp-1', () => {
        const c = of('Composition');
        return { ...c, section: [{ title: 'Trống' }] };
      }],
      ['cmp-2', () => {
        const c = of('Composition');
        return { ...c, section: [{ title: 'A', emptyReason: { text: 'không có' }, entry: [{ reference: 'Observation/1' }] }] };
      }],
      ['app-1', () => ({ ...of('Appointment'), participant: [{ status: 'accepted' }] })],
      ['app-2', () => {
        const { end: _end, ...a } = of('Appointment');
        return { ...a, start: '2024-01-02T08:00:00+07:00' };
      }],
      ['app-3', () => {
        const { start: _start, end: _end, ...a } = of('Appointment');
        return { ...a, status: 'booked' };
      }],
      ['app-4', () => ({ ...of('Appointment'), status: 'booked', cancelationReason: { text: 'bận' } })],
      ['mdd-1', () => ({ ...of('MedicationDispense'), whenPrepared: '2024-01-03', whenHandedOver: '2024-01-02' })],
      ['con-4', () => ({ ...of('Condition'), abatementDateTime: '2024-01-02', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] } })],
      ['con-5', () => ({
        ...of('Condition'),
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] },
      })],
    ];
    for (const [key, build] of cases) {
      const r = build() as unknown as Resource;
      const [fast, original] = both(r);
      expect(fast, key).toEqual(original);
      expect(JSON.stringify(fast), key).toContain(key);
    }
  });

  it('names the offending element of a broken Patient like @medplum/core', () => {
    const r = { resourceType: 'Patient', id: 'p', gender: 'x  y', birthDate: '2024-02-30', name: { family: 'A' }, extra: 1 } as unknown as Resource;
    const fast = structureErrors(r);
    expect(fast.map((i) => i.expression?.[0])).toEqual(['Patient.name', 'Patient.gender', 'Patient.birthDate', 'Patient.extra']);
    expect(fast).toEqual(originalErrors(r));
  });
});
