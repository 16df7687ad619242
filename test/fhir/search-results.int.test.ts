// What a search returns: _sort, _count, _total, _summary, _elements, _include (with :iterate),
// _revinclude, paging links (also while data changes), and unknown parameters (lenient/strict).
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { fhirClient, type FhirClient, type Json } from './fhir-client.ts';

let t: TestApp;
let fhir: FhirClient;
const TAG = 'urn:test:tag';
const id: Record<string, string> = {};

function names(bundle: Bundle): string[] {
  const byId = new Map(Object.entries(id).map(([k, v]) => [v, k]));
  return (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => byId.get(e.resource!.id!) ?? `?${e.resource!.id}`);
}
function link(bundle: Bundle, relation: string): string | undefined {
  return bundle.link?.find((l) => l.relation === relation)?.url?.replace('http://hssk.test', '');
}

beforeAll(async () => {
  t = await createTestApp();
  fhir = fhirClient(t.app);
  id.parentOrg = (await fhir.create({ resourceType: 'Organization', name: 'Sở Y tế' })).id;
  id.org = (await fhir.create({ resourceType: 'Organization', name: 'Trạm y tế xã', partOf: { reference: `Organization/${id.parentOrg}` } })).id;
  const sorted: [string, Patient['gender'] | undefined, string][] = [
    ['s1', 'female', '1990-05-01'],
    ['s2', 'male', '1985-05-01'],
    ['s3', 'female', '1970-05-01'],
    ['s4', 'male', '2000-05-01'],
    ['s5', undefined, '1995-05-01'],
  ];
  for (const [key, gender, birthDate] of sorted) {
    id[key] = (
      await fhir.create({
        resourceType: 'Patient',
        meta: { tag: [{ system: TAG, code: 'sort' }] },
        name: [{ family: 'Phan', given: [key] }],
        ...(gender ? { gender } : {}),
        birthDate,
        maritalStatus: { text: 'Đã kết hôn' },
        managingOrganization: { reference: `Organization/${id.org}` },
      })
    ).id;
  }
  for (const [key, subject] of [['o1', 's1'], ['o2', 's1'], ['o3', 's2']] as const) {
    id[key] = (
      await fhir.create({
        resourceType: 'Observation',
        status: 'final',
        code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
        subject: { reference: `Patient/${id[subject]}` },
        performer: [{ reference: `Organization/${id.org}` }],
      })
    ).id;
  }
});
afterAll(async () => t.close());

describe('_sort and _count', () => {
  it('sorts by several keys, ascending and descending, with resources lacking a key last', async () => {
    expect(names(await fhir.search(`Patient?_tag=${TAG}|sort&_sort=gender,-birthdate`))).toEqual(['s1', 's3', 's4', 's2', 's5']);
    expect(names(await fhir.search(`Patient?_tag=${TAG}|sort&_sort=-gender,birthdate`))).toEqual(['s2', 's4', 's3', 's1', 's5']);
    expect(names(await fhir.search(`Patient?_tag=${TAG}|sort&_sort=-birthdate`))).toEqual(['s4', 's5', 's1', 's2', 's3']);
    expect(names(await fhir.search(`Patient?_tag=${TAG}|sort&_sort=given`))).toEqual(['s1', 's2', 's3', 's4', 's5']);
    expect(names(await fhir.search(`Patient?_tag=${TAG}|sort&_sort=-_lastUpdated`))).toEqual(['s5', 's4', 's3', 's2', 's1']);
  });

  it('pages through a multi-key sort with next links, and back with previous links', async () => {
    const expected = ['s1', 's3', 's4', 's2', 's5'];
    const pages: string[][] = [];
    let url: string | undefined = `Patient?_tag=${TAG}|sort&_sort=gender,-birthdate&_count=2`;
    const bundles: Bundle[] = [];
    while (url) {
      const bundle = await fhir.search(url);
      bundles.push(bundle);
      pages.push(names(bundle));
      url = link(bundle, 'next');
    }
    expect(pages).toEqual([['s1', 's3'], ['s4', 's2'], ['s5']]);
    expect(pages.flat()).toEqual(expected);
    expect(link(bundles[0]!, 'previous')).toBeUndefined();
    const back = await fhir.search(link(bundles[2]!, 'previous')!);
    expect(names(back)).toEqual(['s4', 's2']);
    expect(names(await fhir.search(link(back, 'previous')!))).toEqual(['s1', 's3']);
    expect(names(await fhir.search(link(back, 'next')!))).toEqual(['s5']);
  });

  it('_count limits the page; an invalid _count or _sort is a 400', async () => {
    const bundle = await fhir.search(`Patient?_tag=${TAG}|sort&_count=3`);
    expect(names(bundle)).toHaveLength(3);
    expect(link(bundle, 'next')).toBeDefined();
    expect((await fhir.request('GET', 'Patient?_count=abc')).status).toBe(400);
    expect((await fhir.request('GET', 'Patient?_sort=nonsense')).status).toBe(400);
  });
});

describe('_total and _summary', () => {
  it('_total=accurate counts every match; _total=estimate gives a number; _total=none gives none while there are more pages', async () => {
    expect((await fhir.search(`Patient?_tag=${TAG}|sort&_count=2&_total=accurate`)).total).toBe(5);
    expect(typeof (await fhir.search(`Patient?_tag=${TAG}|sort&_count=2&_total=estimate`)).total).toBe('number');
    expect((await fhir.search(`Patient?_tag=${TAG}|sort&_count=2&_total=none`)).total).toBeUndefined();
  });

  it('_summary=count answers only the total', async () => {
    const bundle = await fhir.search(`Patient?_tag=${TAG}|sort&_summary=count`);
    expect(bundle.total).toBe(5);
    expect(bundle.entry ?? []).toEqual([]);
  });

  it('_summary=true keeps only the summary elements and marks the resources SUBSETTED', async () => {
    const bundle = await fhir.search(`Patient?_id=${id.s1}&_summary=true`);
    const p = bundle.entry![0]!.resource as Patient;
    expect(p.name).toBeDefined();
    expect(p.birthDate).toBe('1990-05-01');
    expect(p.maritalStatus).toBeUndefined();
    expect(p.meta?.tag?.some((tag) => tag.code === 'SUBSETTED')).toBe(true);
  });

  it('_elements keeps only the listed elements (and id, meta)', async () => {
    const bundle = await fhir.search(`Patient?_id=${id.s1}&_elements=name,birthDate`);
    const p = bundle.entry![0]!.resource as Patient;
    expect(Object.keys(p).sort()).toEqual(['birthDate', 'id', 'meta', 'name', 'resourceType']);
    expect(p.meta?.tag?.some((tag) => tag.code === 'SUBSETTED')).toBe(true);
  });

  it('_elements and _summary apply to read too', async () => {
    const res = await fhir.request('GET', `Patient/${id.s1}?_elements=gender`);
    expect(Object.keys(res.body).sort()).toEqual(['gender', 'id', 'meta', 'resourceType']);
  });
});

describe('_include and _revinclude', () => {
  it('_include adds the referenced resources once, marked include', async () => {
    const bundle = await fhir.search(`Observation?subject=Patient/${id.s1}&_include=Observation:patient`);
    expect(names(bundle).sort()).toEqual(['o1', 'o2']);
    const included = bundle.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id);
    expect(included).toEqual([id.s1]);
  });

  it('_include with a target type, and _include=* follows every reference', async () => {
    const typed = await fhir.search(`Observation?_id=${id.o3}&_include=Observation:subject:Patient`);
    expect(typed.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id)).toEqual([id.s2]);
    const all = await fhir.search(`Observation?_id=${id.o3}&_include=*`);
    expect(all.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id).sort()).toEqual([id.s2, id.org].sort());
  });

  it('_include:iterate follows references of included resources', async () => {
    const bundle = await fhir.search(
      `Observation?_id=${id.o3}&_include=Observation:patient&_include:iterate=Patient:organization&_include:iterate=Organization:partof`,
    );
    expect(bundle.entry!.some((e) => e.search?.mode === 'outcome')).toBe(false);
    const included = bundle.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id);
    expect(included.sort()).toEqual([id.s2, id.org, id.parentOrg].sort());
  });

  it('without :iterate, references of included resources are not followed', async () => {
    const bundle = await fhir.search(`Observation?_id=${id.o3}&_include=Observation:patient&_include=Patient:organization`);
    expect(bundle.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id)).toEqual([id.s2]);
  });

  it('_revinclude adds the resources that point to the matches', async () => {
    const bundle = await fhir.search(`Patient?_id=${id.s1},${id.s3}&_revinclude=Observation:subject`);
    expect(names(bundle).sort()).toEqual(['s1', 's3']);
    const included = bundle.entry!.filter((e) => e.search?.mode === 'include').map((e) => e.resource!.id);
    expect(included.sort()).toEqual([id.o1, id.o2].sort());
  });

  it('an _include that is not a reference parameter is a 400', async () => {
    expect((await fhir.request('GET', 'Observation?_include=Observation:code')).status).toBe(400);
  });
});

describe('unknown parameters', () => {
  it('are ignored and reported in an OperationOutcome entry by default', async () => {
    const bundle = await fhir.search(`Patient?_tag=${TAG}|sort&foo=bar&name:sounds=x`);
    expect(names(bundle)).toHaveLength(5);
    const outcomes = bundle.entry!.filter((e) => e.search?.mode === 'outcome');
    expect(outcomes).toHaveLength(1);
    const issues = (outcomes[0]!.resource as Json).issue;
    expect(issues.map((i: Json) => i.expression[0]).sort()).toEqual(['foo', 'name:sounds']);
    expect(issues.every((i: Json) => i.severity === 'warning')).toBe(true);
  });

  it('are a 400 under Prefer: handling=strict', async () => {
    const res = await fhir.request('GET', 'Patient?foo=bar', undefined, { prefer: 'handling=strict' });
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0].expression).toEqual(['foo']);
    const ok = await fhir.request('GET', `Patient?_tag=${TAG}|sort`, undefined, { prefer: 'handling=strict' });
    expect(ok.status).toBe(200);
  });
});

describe('paging while data changes', () => {
  let lastPage: Bundle | undefined;
  async function walk(first: string, between: (page: number) => Promise<void>, relation: 'next' | 'previous' = 'next'): Promise<string[][]> {
    const pages: string[][] = [];
    let url: string | undefined = first;
    while (url) {
      const bundle = await fhir.search(url);
      lastPage = bundle;
      pages.push((bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!));
      url = link(bundle, relation);
      if (url) await between(pages.length);
      expect(pages.length).toBeLessThan(50);
    }
    return pages;
  }

  // The third walk filters by a name alone: its page is cut from the name index's rids before
  // any resource is read (pageFromCandidates in src/store/search/execute.ts).
  const walks = [
    { label: 'default order', tag: 'page', sort: '', given: undefined },
    { label: '_sort=-birthdate,family', tag: 'page-sorted', sort: '&_sort=-birthdate,family', given: undefined },
    { label: 'name alone, default order', tag: 'page-name', sort: '', given: 'Kiểmtrang' },
  ];
  for (const { label, tag, sort, given } of walks) {
    it(`no resource that existed throughout is skipped or repeated while others are added and deleted (${label})`, async () => {
      const make = async (i: number) =>
        (
          await fhir.create({
            resourceType: 'Patient',
            meta: { tag: [{ system: TAG, code: tag }] },
            name: [{ family: `Họ${i % 3}`, ...(given ? { given: [given] } : {}) }],
            birthDate: `19${String(50 + (i % 7) * 5)}-01-0${(i % 9) + 1}`,
          })
        ).id;
      const filter = given ? `name=${encodeURIComponent('kiemtrang')}` : `_tag=${TAG}|${tag}`;
      const initial: string[] = [];
      for (let i = 0; i < 35; i++) initial.push(await make(i));
      const deleted = new Set<string>();
      let added = 100;
      const pages = await walk(`Patient?${filter}&_count=7${sort}`, async (page) => {
        // Between pages: add three new resources and delete two existing ones, some already
        // seen and some not yet.
        for (let k = 0; k < 3; k++) await make(added++);
        for (const victim of [initial[page * 3]!, initial[34 - page * 2]!]) {
          if (deleted.has(victim)) continue;
          deleted.add(victim);
          await fhir.request('DELETE', `Patient/${victim}`);
        }
      });
      const seen = pages.flat();
      expect(new Set(seen).size).toBe(seen.length);
      const survivors = initial.filter((i) => !deleted.has(i));
      for (const survivor of survivors) expect(seen).toContain(survivor);

      // And back again with previous links from the last page, still adding and deleting.
      const backFrom = link(lastPage!, 'previous');
      expect(backFrom).toBeDefined();
      const back = await walk(backFrom!, async (page) => {
        await make(added++);
        const victim = survivors[page * 4]!;
        if (!deleted.has(victim)) {
          deleted.add(victim);
          await fhir.request('DELETE', `Patient/${victim}`);
        }
      }, 'previous');
      const seenBack = [...back.flat(), ...pages.at(-1)!];
      expect(new Set(seenBack).size).toBe(seenBack.length);
      for (const survivor of initial.filter((i) => !deleted.has(i))) expect(seenBack).toContain(survivor);
    });
  }
});
