// The commune health worker's worklists in a real browser (Debian's Chromium) against a real HSSK
// server holding the demo province (1,500 generated residents, loaded as on the first run): every
// list opens, a child and a hypertension patient created by the test through the public API are
// on their lists, and a row leads to the record. Screenshots in test-results/.
import fs from 'node:fs';
import os from 'node:os';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshPatients } from '../../src/programs/state/refresh.ts';
import { Extension } from '../../src/fhir/systems.ts';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { buildWeb, daysAgo, demoWorkerApi, startDemoServer, type DemoServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const POLL = { timeout: 15_000 };

describe.skipIf(!hasChromium)('commune worklists in the browser', () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let password: string;
  let commune: string;
  let childId: string;
  let ncdId: string;
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    server = await startDemoServer(await buildWeb());
    figures.demoLoadMs = server.demoLoadMs;
    password = server.workerPassword;

    // Everything the test adds goes through the public API, signed in as the demo commune worker.
    const api = await demoWorkerApi(server);
    commune = api.communeCode;
    const post = api.post;
    const address = [{ use: 'home', text: 'Thôn Kiểm Thử, Lâm Đồng', extension: [{ url: Extension.addressCommune, valueCode: commune }] }];
    const mother = await post('/fhir/Patient', { resourceType: 'Patient', name: [{ text: 'Trần Thị Mẹ Kiểm Thử', family: 'Trần', given: ['Thị', 'Mẹ', 'Kiểm', 'Thử'] }], gender: 'female', birthDate: '1996-04-02', address });
    // A boy born 55 days ago: the birth doses (VGB0, BCG) are overdue.
    childId = (await post('/api/programs/births', { motherPatientId: mother.id, name: 'Trần Văn Bé Kiểm Thử', birthDate: daysAgo(55), gender: 'male', birthWeightGrams: 3100 })).patientId!;
    // Measured today at 52 cm: below −2 SD length-for-age (stunting).
    await post('/api/programs/health-checks', { patientId: childId, date: daysAgo(0), kind: 'general', weightKg: 4, heightCm: 52 });
    const ncd = await post('/fhir/Patient', { resourceType: 'Patient', name: [{ text: 'Lê Văn Huyết Áp Kiểm Thử', family: 'Lê', given: ['Văn', 'Huyết', 'Áp', 'Kiểm', 'Thử'] }], gender: 'male', birthDate: '1957-08-15', address });
    ncdId = ncd.id!;
    // Hypertension diagnosed 40 days ago, arriving like any channel's Condition: the register
    // enrols from it and the 30-day follow-up is now overdue. The nightly programme refresh
    // (the pg-boss job, `hssk programs refresh`) runs now.
    await post('/fhir/Condition', {
      resourceType: 'Condition', subject: { reference: `Patient/${ncdId}` }, recordedDate: daysAgo(40),
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10', display: 'Tăng huyết áp vô căn' }] },
    });
    await refreshPatients(server.db, [ncdId]);

    browser = await launch();
    page = await browser.context.newPage();
    errors = watchErrors(page);
  }, 600_000);

  afterAll(async () => {
    console.info(`[e2e figures] ${JSON.stringify(figures)}`);
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync('test-results/staff-worklists-figures.json', JSON.stringify(figures, null, 2));
    await browser?.close();
    await server?.close();
  });

  it('a commune health worker opens every list of the commune, timed from the click to the list on screen', async () => {
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel('Tên đăng nhập').fill('demo.xa');
    await page.getByLabel(/^Mật khẩu/).fill(password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: /Xin chào/ }).waitFor();
    const menuClicked = await page.evaluate(() => performance.now());
    await page.getByRole('link', { name: 'Danh sách công việc' }).click();
    await page.getByRole('heading', { name: 'Danh sách công việc của trạm y tế' }).waitFor();
    await expect.poll(() => page.getByText(`Xã/phường ${commune} · tính đến ngày`).count(), POLL).toBe(1);

    const tabs = page.getByRole('tab');
    await tabs.first().waitFor();
    const count = await tabs.count();
    expect(count).toBe(11);
    const opened: Record<string, number> = {};
    const api: Record<string, number> = {};
    let rowsSeen = 0;
    for (let i = 0; i < count; i++) {
      const tab = tabs.nth(i);
      const label = (await tab.textContent()) ?? '';
      const code = (await tab.getAttribute('data-code'))!;
      // The first list opens with the page (from the menu click); the others from their tab.
      const before = i === 0 ? menuClicked : await page.evaluate(() => performance.now());
      if (i > 0) await tab.click();
      // On screen: this list's table with its rows, or its empty-list message.
      await page.locator(`[data-testid="worklist"][data-list="${code}"], [data-testid="worklist-empty"][data-list="${code}"]`).first().waitFor();
      expect(await page.evaluate(() => location.pathname)).toBe(i === 0 ? '/worklists' : `/worklists/${code}`);
      const shownAt = await page.evaluate((c) => performance.getEntriesByName(`hssk:worklist:${c}`).at(-1)?.startTime ?? -1, code);
      opened[code] = Math.round(shownAt - before);
      // The API's share: the list request's duration as the browser saw it.
      api[code] = await page.evaluate((c) => Math.round(performance.getEntriesByType('resource').filter((e) => e.name.includes(`/api/worklists/${c}?`)).map((e) => e.duration).at(-1) ?? -1), code);
      const rows = await page.locator(`[data-testid="worklist"][data-list="${code}"] tbody tr`).count();
      rowsSeen += rows;
      const badge = Number((/(\d[\d.]*)$/.exec(label.trim())?.[1] ?? '0').replace(/\./g, ''));
      // The tab's count and the rows shown agree (up to the first page of 200).
      expect(rows).toBe(Math.min(badge, 200));
      if (i === 0 || rows === 0) await screenshot(page, `worklists-${String(i + 1).padStart(2, '0')}-${code}`);
    }
    figures.listsOpened = count;
    figures.rowsSeen = rowsSeen;
    const times = Object.values(opened).sort((a, b) => a - b);
    figures.slowestListMs = times.at(-1)!;
    figures.medianListMs = times[Math.floor(times.length / 2)]!;
    figures.loadAverage1m = Math.round(os.loadavg()[0]! * 10) / 10;
    Object.assign(figures, Object.fromEntries(Object.entries(opened).map(([c, ms]) => [`open.${c}`, ms])));
    Object.assign(figures, Object.fromEntries(Object.entries(api).map(([c, ms]) => [`api.${c}`, ms])));
    for (const [code, ms] of Object.entries(opened)) expect(ms, code).toBeGreaterThan(0);
    // Under a second is the requirement: measured here and reported (test-results/
    // staff-worklists-figures.json, the closing note), not asserted — a timer fails whenever the
    // test machine is busy. These bounds only catch a list that is broken, not slow.
    expect(figures.medianListMs).toBeLessThan(15_000);
    for (const [code, ms] of Object.entries(api)) {
      expect(ms, code).toBeGreaterThan(0);
      expect(ms, code).toBeLessThan(15_000);
    }
    expect(rowsSeen).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });

  /** The row of a resident in an open list, asking for the next 200 rows ("Xem thêm") until it shows. */
  async function rowOf(code: string, name: string) {
    await page.locator(`[data-list="${code}"]`).first().waitFor();
    const row = page.locator(`[data-testid="worklist"][data-list="${code}"] tbody tr`, { hasText: name });
    for (;;) {
      if ((await row.count()) > 0) return row;
      const more = page.getByRole('button', { name: 'Xem thêm' });
      if ((await more.count()) === 0) throw new Error(`${name} is not on ${code}`);
      const before = await page.locator(`[data-testid="worklist"][data-list="${code}"] tbody tr`).count();
      await more.click();
      await expect.poll(() => page.locator(`[data-testid="worklist"][data-list="${code}"] tbody tr`).count(), POLL).toBeGreaterThan(before);
    }
  }

  it('the child created through the API is on the overdue vaccinations and growth lists', async () => {
    await page.getByRole('tab', { name: /Tiêm chủng quá hạn/ }).click();
    const child = await rowOf('vaccination-overdue', 'Trần Văn Bé Kiểm Thử');
    const text = (await child.allTextContents()).join(' | ');
    expect(text).toContain('Quá hạn');
    expect(text).toMatch(/\d+ tháng tuổi|\d+ ngày tuổi/);
    expect(text).toContain('Thôn Kiểm Thử');
    await child.first().scrollIntoViewIfNeeded();
    await screenshot(page, 'worklists-20-overdue-child');

    await page.getByRole('tab', { name: /Trẻ suy dinh dưỡng, thừa cân/ }).click();
    const growth = await rowOf('malnutrition', 'Trần Văn Bé Kiểm Thử');
    const flag = (await growth.allTextContents()).join(' | ');
    expect(flag).toContain('thấp còi');
    expect(flag).toMatch(/z = −\d/);
    expect(flag).toContain('52 cm');
    await screenshot(page, 'worklists-21-growth-flag');
  });

  it('the hypertension patient is on the NCD follow-up list and the row opens the record', async () => {
    await page.getByRole('tab', { name: /Tái khám bệnh không lây nhiễm đến hạn/ }).click();
    const row = await rowOf('ncd-follow-up', 'Lê Văn Huyết Áp Kiểm Thử');
    expect(await row.count()).toBe(1);
    const ncdText = (await row.textContent()) ?? '';
    expect(ncdText).toContain('Tái khám Tăng huyết áp');
    expect(ncdText).toContain('Quá hạn');
    expect(ncdText).toMatch(/(6[89]|7\d) tuổi/);
    await screenshot(page, 'worklists-22-ncd-follow-up');
    await row.getByRole('link', { name: 'Lê Văn Huyết Áp Kiểm Thử' }).click();
    await expect.poll(() => page.evaluate(() => location.pathname), POLL).toBe(`/patients/${ncdId}`);
    await expect.poll(() => page.getByTestId('record-name').textContent(), POLL).toContain('Lê Văn Huyết Áp Kiểm Thử');
    await screenshot(page, 'worklists-23-record');

    // Back to the lists: the link in the navigation, the child's row leads to the child's record.
    await page.getByRole('link', { name: 'Danh sách công việc' }).click();
    await page.getByRole('tab', { name: /Tiêm chủng quá hạn/ }).click();
    await (await rowOf('vaccination-overdue', 'Trần Văn Bé Kiểm Thử')).first().getByRole('link').click();
    await expect.poll(() => page.evaluate(() => location.pathname), POLL).toBe(`/patients/${childId}`);
    expect(errors).toEqual([]);
  });
});
