// GET /fhir/metadata is truthful: exactly the supported types, and every advertised search
// parameter, _include and _revinclude actually works; nothing unadvertised is accepted.
import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUPPORTED_RESOURCE_TYPES } from '../../src/fhir/definitions.ts';
import { getSearchParam } from '../../src/fhir/search-parameters.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fhirClient, type FhirClient } from './fhir-client.ts';

let t: TestApp;
let fhir: FhirClient;
let capability: CapabilityStatement;
let byType: Map<string, CapabilityStatementRestResource>;

beforeAll(async () => {
  t = await createTestApp();
  fhir = fhirClient(t.app);
  const res = await fhir.request('GET', 'metadata');
  expect(res.status).toBe(200);
  capability = res.body;
  byType = new Map(capability.rest![0]!.resource!.map((r) => [r.type!, r]));
});
afterAll(async () => t.close());

/** A value of the right shape for a search parameter of a given type. */
function sampleValue(resourceType: string, code: string, type: string): string {
  switch (type) {
    case 'string': return 'nguyen';
    case 'token': return 'urn:test|x';
    case 'date': return 'ge2020-01-01';
    case 'reference': return `${getSearchParam(resourceType, code)?.targets[0] ?? 'Patient'}/x`;
    case 'quantity': return 'gt5';
    case 'number': return '5';
    case 'uri': return 'http://hssk.vn/x';
    default: throw new Error(`unexpected parameter type ${type}`);
  }
}

describe('CapabilityStatement', () => {
  it('is a FHIR R4 CapabilityStatement for JSON, readable without logging in', async () => {
    expect(capability.resourceType).toBe('CapabilityStatement');
    expect(capability.fhirVersion).toBe('4.0.1');
    expect(capability.kind).toBe('instance');
    expect(capability.format).toContain('application/fhir+json');
    expect(capability.patchFormat).toEqual(['application/json-patch+json']);
  });

  it('lists exactly the supported resource types', () => {
    expect([...byType.keys()].sort()).toEqual([...SUPPORTED_RESOURCE_TYPES].sort());
    expect(byType.has('MolecularSequence')).toBe(false);
  });

  it('lists the interactions the server implements, per type and for the whole system', () => {
    // The audit trail is read-only, served from its own store.
    expect(byType.get('AuditEvent')!.interaction!.map((i) => i.code).sort()).toEqual(['read', 'search-type']);
    for (const resource of byType.values()) {
      if (resource.type === 'AuditEvent') continue;
      expect(resource.interaction!.map((i) => i.code).sort()).toEqual(
        ['create', 'delete', 'history-instance', 'history-type', 'patch', 'read', 'search-type', 'update', 'vread'].sort(),
      );
      expect(resource.versioning).toBe('versioned-update');
      expect(resource.conditionalCreate).toBe(true);
      expect(resource.conditionalUpdate).toBe(true);
      expect(resource.conditionalDelete).toBe('single');
      expect(resource.updateCreate).toBe(true);
    }
    expect(capability.rest![0]!.interaction!.map((i) => i.code).sort()).toEqual(['batch', 'history-system', 'transaction']);
    expect(byType.get('Patient')!.operation?.map((o) => o.name)).toContain('everything');
  });

  it('every advertised search parameter of every type works in a search and in _sort', async () => {
    const failures: string[] = [];
    for (const [type, resource] of byType) {
      for (const param of resource.searchParam ?? []) {
        const value = param.name === '_id' ? 'x' : type === 'AuditEvent' && param.type === 'token' ? 'read' : sampleValue(type, param.name, param.type!);
        // The audit trail always answers newest first and advertises no sort.
        const sort = type === 'AuditEvent' ? '' : `&_sort=${encodeURIComponent(param.name)}`;
        const url = `${type}?${encodeURIComponent(param.name)}=${encodeURIComponent(value)}${sort}`;
        const res = await fhir.request('GET', url, undefined, { prefer: 'handling=strict' });
        if (res.status !== 200) failures.push(`${url} → ${res.status} ${res.raw.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('every advertised search parameter of Patient finds a Patient that has that value', async () => {
    const patient = await fhir.create({
      resourceType: 'Patient',
      identifier: [{ system: 'urn:test:cap', value: 'p1' }],
      active: true,
      name: [{ family: 'Nguyễn', given: ['Văn', 'An'] }],
      telecom: [{ system: 'phone', value: '0912345678' }, { system: 'email', value: 'an@example.vn' }],
      gender: 'male',
      birthDate: '1980-05-01',
      address: [{ use: 'home', line: ['Số 1'], city: 'Hà Nội', state: 'HN', postalCode: '100000', country: 'VN' }],
    });
    const probes: Record<string, string> = {
      identifier: 'urn:test:cap|p1', active: 'true', name: 'nguyen van an', family: 'nguyen', given: 'an', phone: '0912345678',
      telecom: '0912345678', email: 'an@example.vn', gender: 'male', birthdate: '1980-05-01', address: 'ha noi', 'address-city': 'ha noi',
      'address-state': 'HN', 'address-postalcode': '100000', 'address-country': 'VN', 'address-use': 'home', _id: patient.id,
    };
    for (const [code, value] of Object.entries(probes)) {
      expect(byType.get('Patient')!.searchParam!.map((p) => p.name)).toContain(code);
      expect(await fhir.ids(`Patient?${code}=${encodeURIComponent(value)}`), code).toEqual([patient.id]);
    }
  });

  it('every advertised _include and _revinclude of Patient and Observation is accepted', async () => {
    for (const type of ['Patient', 'Observation']) {
      const resource = byType.get(type)!;
      for (const include of resource.searchInclude ?? []) {
        const res = await fhir.request('GET', `${type}?_include=${encodeURIComponent(include)}`, undefined, { prefer: 'handling=strict' });
        expect(res.status, `${type} _include=${include}`).toBe(200);
      }
      for (const revinclude of resource.searchRevInclude ?? []) {
        const res = await fhir.request('GET', `${type}?_revinclude=${encodeURIComponent(revinclude)}`, undefined, { prefer: 'handling=strict' });
        expect(res.status, `${type} _revinclude=${revinclude}`).toBe(200);
      }
    }
  });

  it('a parameter that is not advertised is not accepted (it is reported as unknown)', async () => {
    const advertised = new Set(byType.get('Patient')!.searchParam!.map((p) => p.name));
    for (const code of ['phonetic', '_text', '_content', '_has', 'nonsense']) {
      expect(advertised.has(code)).toBe(false);
      const res = await fhir.request('GET', `Patient?${code}=x`, undefined, { prefer: 'handling=strict' });
      expect(res.status, code).toBe(400);
    }
  });
});
