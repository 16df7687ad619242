// Patient/{id}/$everything: the resident's whole record — every resource of their compartment,
// the organisations, practitioners and medications it points to, and nothing of anyone else.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fhirClient, type FhirClient } from './fhir-client.ts';

let t: TestApp;
let fhir: FhirClient;
let orgId: string;
let practitionerId: string;
let medicationId: string;
let patientA: string;
let patientB: string;
/** "Type/id" of every resource written into A's compartment. */
const compartmentA = new Set<string>();
const compartmentB = new Set<string>();

function recordFor(patient: string, n: number): Resource[] {
  const subject = { reference: `Patient/${patient}` };
  const out: Resource[] = [];
  for (let i = 0; i < n; i++) {
    switch (i % 6) {
      case 0:
      case 1:
      case 2:
        out.push({
          resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] }, subject,
          performer: [{ reference: `Practitioner/${practitionerId}` }], valueQuantity: { value: 60 + i, unit: '/min' },
        });
        break;
      case 3:
        out.push({ resourceType: 'Condition', subject, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }] } });
        break;
      case 4:
        out.push({ resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' }, subject, serviceProvider: { reference: `Organization/${orgId}` } });
        break;
      case 5:
        out.push({
          resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject,
          medicationReference: { reference: `Medication/${medicationId}` },
        });
        break;
    }
  }
  return out;
}

async function load(resources: Resource[], into: Set<string>): Promise<void> {
  const res = await fhir.request('POST', '/fhir', {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({ resource, request: { method: 'POST', url: resource.resourceType } })),
  });
  expect(res.status, res.raw).toBe(200);
  for (const e of res.body.entry as BundleEntry[]) into.add(e.response!.location!.split('/_history')[0]!.split('/fhir/')[1]!);
}

beforeAll(async () => {
  t = await createTestApp();
  fhir = fhirClient(t.app);
  orgId = (await fhir.create({ resourceType: 'Organization', name: 'Trung tâm Y tế huyện' })).id;
  practitionerId = (await fhir.create({ resourceType: 'Practitioner', name: [{ family: 'Lê', given: ['Bác sĩ'] }] })).id;
  medicationId = (await fhir.create({ resourceType: 'Medication', code: { text: 'Amlodipin 5mg' } })).id;
  await fhir.create({ resourceType: 'Organization', name: 'Không liên quan' });
  patientA = (await fhir.create({ resourceType: 'Patient', name: [{ family: 'Nguyễn', given: ['An'] }], managingOrganization: { reference: `Organization/${orgId}` } })).id;
  patientB = (await fhir.create({ resourceType: 'Patient', name: [{ family: 'Trần', given: ['Bình'] }] })).id;
  compartmentA.add(`Patient/${patientA}`);
  compartmentB.add(`Patient/${patientB}`);
  await load(recordFor(patientA, 196), compartmentA);
  await load([
    { resourceType: 'Immunization', status: 'completed', vaccineCode: { text: 'BCG' }, patient: { reference: `Patient/${patientA}` }, occurrenceDateTime: '2020-01-01' },
    {
      resourceType: 'AllergyIntolerance', patient: { reference: `Patient/${patientA}` }, code: { text: 'Penicillin' },
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
    },
    { resourceType: 'RelatedPerson', patient: { reference: `Patient/${patientA}` }, name: [{ family: 'Nguyễn', given: ['Bố'] }] },
  ], compartmentA);
  await load(recordFor(patientB, 30), compartmentB);
});
afterAll(async () => t.close());

function typeIds(bundle: Bundle, mode: 'match' | 'include'): string[] {
  return (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
}

describe('Patient/$everything', () => {
  it('returns the patient and every resource of their compartment (about 200), and nothing of another patient', async () => {
    expect(compartmentA.size).toBe(200);
    const res = await fhir.request('GET', `Patient/${patientA}/$everything`);
    expect(res.status).toBe(200);
    const bundle = res.body as Bundle;
    expect(bundle.type).toBe('searchset');
    const matches = typeIds(bundle, 'match');
    expect(new Set(matches).size).toBe(matches.length);
    expect(new Set(matches)).toEqual(compartmentA);
    for (const other of compartmentB) expect(matches).not.toContain(other);
    expect(bundle.total).toBe(200);
  });

  it('includes the Organization, Practitioner and Medication the record refers to, and no unrelated one', async () => {
    const bundle = (await fhir.request('GET', `Patient/${patientA}/$everything`)).body as Bundle;
    expect(typeIds(bundle, 'include').sort()).toEqual([`Medication/${medicationId}`, `Organization/${orgId}`, `Practitioner/${practitionerId}`].sort());
  });

  it('pages with next links without losing or repeating anything', async () => {
    const seen: string[] = [];
    let url: string | undefined = `Patient/${patientA}/$everything?_count=45`;
    let pages = 0;
    while (url) {
      const bundle = (await fhir.request('GET', url)).body as Bundle;
      seen.push(...typeIds(bundle, 'match'));
      url = bundle.link?.find((l) => l.relation === 'next')?.url?.replace('http://hssk.test', '');
      pages++;
    }
    expect(pages).toBe(5);
    expect(seen).toHaveLength(200);
    expect(new Set(seen)).toEqual(compartmentA);
  });

  it('_type restricts the record to some resource types', async () => {
    const bundle = (await fhir.request('GET', `Patient/${patientA}/$everything?_type=Condition,Immunization`)).body as Bundle;
    const matches = typeIds(bundle, 'match');
    expect(matches.every((m) => m.startsWith('Condition/') || m.startsWith('Immunization/'))).toBe(true);
    expect(matches).toHaveLength([...compartmentA].filter((m) => m.startsWith('Condition/') || m.startsWith('Immunization/')).length);
  });

  it('leaves out deleted resources, and answers 404 for an unknown patient and 410 for a deleted one', async () => {
    const victim = [...compartmentA].find((r) => r.startsWith('Condition/'))!;
    expect((await fhir.request('DELETE', victim)).status).toBeLessThan(300);
    const bundle = (await fhir.request('GET', `Patient/${patientA}/$everything`)).body as Bundle;
    expect(typeIds(bundle, 'match')).not.toContain(victim);
    expect(typeIds(bundle, 'match')).toHaveLength(199);
    expect((await fhir.request('GET', 'Patient/nobody/$everything')).status).toBe(404);
    const gone = await fhir.create({ resourceType: 'Patient' });
    await fhir.request('DELETE', `Patient/${gone.id}`);
    expect((await fhir.request('GET', `Patient/${gone.id}/$everything`)).status).toBe(410);
  });
});
