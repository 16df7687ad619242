// The reports page of the staff portal in a real browser against a real HSSK server: an
// administrator reads every built-in report with its charts, map and as-of time, downloads the
// Excel file and composes, saves and shares a custom report; a manager then sees the same
// aggregates (and the shared report) and never a resident's identity. Screenshots in test-results/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Patient, Resource } from '@medplum/fhirtypes';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaffUser } from '../../src/auth/staff-users.ts';
import { CodeSystem } from '../../src/fhir/systems.ts';
import { importHouseholds } from '../../src/ingest/household/import-households.ts';
import { openHouseholdSource } from '../../src/ingest/household/read-rows.ts';
import type { PipelineContext } from '../../src/pipeline/types.ts';
import { generateProvince } from '../../src/province/generator.ts';
import { refreshReports } from '../../src/reports/refresh.ts';
import { bulkLoad } from '../../src/store/bulk-load.ts';
import { hasChromium, launch, screenshot, signInStaff, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { apiSession, buildWeb, demoTransaction, PASSWORD, startServer, type E2eServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const POLL = { timeout: 30_000 };

/** A square of about 5 km around a point: enough for the map to draw a commune. */
function square(code: string, lon: number, lat: number) {
  const d = 0.025;
  return { type: 'Feature', properties: { ma_xa: code, ten_xa: `Xã ${code}` }, geometry: { type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] } };
}

describe.skipIf(!hasChromium)('reports in the staff portal', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dataDir: string;
  let residentNames: string[] = [];
  let mapCommunes: string[] = [];

  beforeAll(async () => {
    const dist = await buildWeb();
    server = await startServer(dist);
    await createStaffUser(server.db.pool, { username: 'ql.so', displayName: 'Trần Quản Lý', role: 'manager', password: PASSWORD });
    const worker = await apiSession(server, 'yte.ductrong');
    await worker.post('/fhir', demoTransaction());
    // A generated province (households through the real import) and episodes of this year, so
    // that cells count more than 5 people and the charts have something to draw.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-e2e-reports-'));
    const ctx: PipelineContext = { db: server.db, actor: { kind: 'system', name: 'e2e:reports' }, province: '68', asOf: new Date().toISOString().slice(0, 10) };
    generateProvince({ residents: 400, seed: 'e2e-reports', outDir: path.join(dataDir, 'tinh'), pairs: 0 });
    await importHouseholds(ctx, openHouseholdSource(path.join(dataDir, 'tinh', 'households.csv')), { batchSize: 400, today: ctx.asOf });
    const { rows } = await server.db.pool.query<{ content: string }>(`SELECT content FROM resource WHERE resource_type = 'Patient' AND NOT deleted`);
    const patients = rows.map((r) => JSON.parse(r.content) as Patient & { id: string });
    residentNames = patients.map((p) => [p.name?.[0]?.family, ...(p.name?.[0]?.given ?? [])].filter(Boolean).join(' ')).filter((n) => n.length > 8);
    const year = new Date().getFullYear();
    const codes = ['J06.9', 'I10', 'E11.9', 'K29.7', 'J20.9', 'A09'];
    const episodes: Resource[] = [];
    patients.slice(0, 300).forEach((p, i) => {
      for (let k = 0; k < 2; k++) {
        const id = `e2e-rpt-${i}-${k}`;
        const month = String(1 + ((i + k * 5) % 10)).padStart(2, '0');
        episodes.push({ resourceType: 'Condition', id: `${id}-c`, subject: { reference: `Patient/${p.id}` }, code: { coding: [{ system: CodeSystem.icd10, code: codes[(i + k) % codes.length]! }] } } as Resource);
        episodes.push({
          resourceType: 'Encounter', id, status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: (i + k) % 7 === 0 ? 'IMP' : 'AMB' },
          subject: { reference: `Patient/${p.id}` }, period: { start: `${year}-${month}-05T08:00:00+07:00` }, diagnosis: [{ condition: { reference: `Condition/${id}-c` }, rank: 1 }],
        } as Resource);
      }
    });
    await bulkLoad(server.db, episodes, { validate: false, sourceFacility: '68120' });
    await refreshReports(server.db, { province: '68' });
    const top = await server.db.pool.query<{ commune: string }>(`SELECT commune FROM report_person WHERE commune <> '' GROUP BY 1 ORDER BY count(*) DESC LIMIT 3`);
    mapCommunes = top.rows.map((r) => r.commune);
    // The operator's boundary file, in a data directory of this test's own (the server reads
    // HSSK_DATA_DIR/boundaries/communes.geojson on each request).
    fs.mkdirSync(path.join(dataDir, 'boundaries'));
    fs.writeFileSync(
      path.join(dataDir, 'boundaries', 'communes.geojson'),
      JSON.stringify({ type: 'FeatureCollection', features: mapCommunes.map((c, i) => square(c, 108.4 + 0.025 * i, 11.9 + 0.0125 * (i % 2))) }),
    );
    Object.assign(server.app.config, { dataDir });
    browser = await launch();
    page = await browser.context.newPage();
    // Charts of a whole province render slowly on a shared two-core machine.
    page.setDefaultTimeout(30_000);
    errors = watchErrors(page);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const signIn = (username: string, totpSecret?: string) => signInStaff(page, server.baseUrl, username, PASSWORD, totpSecret);

  it('an administrator reads coverage against the targets, with the map, the as-of time and the Excel download', async () => {
    await signIn('admin.so', server.adminTotpSecret);
    await page.getByRole('link', { name: 'Báo cáo' }).click();
    await page.getByRole('heading', { name: 'Báo cáo Sở Y tế' }).waitFor();
    await page.getByTestId('chart-coverage').waitFor();
    await expect.poll(() => page.getByTestId('as-of').textContent(), POLL).toMatch(/^Số liệu tính đến \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    expect(await page.getByTestId('chart-coverage').locator('svg .recharts-bar-rectangle').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('chart-coverage').textContent()).toContain('Chỉ tiêu 95%');
    const table = page.getByTestId('coverage-table');
    expect(await table.textContent()).toContain('Tổng:');
    // The map colours the communes of the boundary file.
    await page.getByTestId('commune-map').locator(`path[data-commune="${mapCommunes[0]}"]`).waitFor();
    await screenshot(page, 'reports-01-coverage-admin');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-xlsx').click()]);
    expect(download.suggestedFilename()).toMatch(/^bao-cao-coverage-.*\.xlsx$/);
    const file = path.join(dataDir, 'coverage.xlsx');
    await download.saveAs(file);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0]!;
    expect(String(sheet.getRow(1).getCell(1).value)).toMatch(/bao phủ/i);
    expect(JSON.stringify(book.worksheets.map((w) => w.getSheetValues()))).toContain('Mã đơn vị');
  });

  it('the disease situation shows bars by chapter, the monthly line and the top diagnoses; vaccination and arrivals render', async () => {
    // A fresh page load: the download above leaves the page with a navigation that never ends.
    await page.goto(`${server.baseUrl}/reports`);
    await page.getByTestId('chart-coverage').waitFor();
    await page.getByRole('tab', { name: 'Tình hình bệnh tật' }).click();
    await page.getByTestId('chart-diseases').waitFor();
    await expect.poll(() => page.getByTestId('chart-months').locator('.recharts-line-curve').count(), POLL).toBe(3);
    expect(await page.getByTestId('chart-diseases').locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('disease-table').textContent(), POLL).toContain('Tổng');
    expect(await page.getByTestId('top-table').locator('tbody tr').count()).toBeGreaterThan(0);
    await screenshot(page, 'reports-02-diseases-admin');

    await page.getByLabel('Mức phân loại ICD-10').first().click();
    await page.getByRole('option', { name: 'Mã bệnh' }).click();
    await page.getByRole('button', { name: 'Xem báo cáo' }).click();
    await expect.poll(() => page.getByTestId('disease-table').textContent(), POLL).toMatch(/J06\.9|I10|E11\.9/);

    await page.getByRole('tab', { name: 'Tiêm chủng mở rộng' }).click();
    await page.getByTestId('as-of').waitFor();
    await screenshot(page, 'reports-03-vaccination-admin');
    await page.getByRole('tab', { name: 'Tiếp nhận dữ liệu' }).click();
    await expect.poll(() => page.getByTestId('arrivals-table').textContent(), POLL).toContain('68120');
    await screenshot(page, 'reports-04-arrivals-admin');
  });

  it('an administrator composes a custom report, saves it and shares it with a manager', async () => {
    await page.getByRole('tab', { name: 'Báo cáo tùy chỉnh' }).click();
    await page.getByLabel('Tên báo cáo').fill('Lượt khám theo chương bệnh');
    await page.getByRole('combobox', { name: 'Chiều phân tích (tối đa 4)' }).click({ force: true });
    await page.getByRole('option', { name: 'Chương ICD-10' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('combobox', { name: 'Chỉ số' }).click({ force: true });
    await page.getByRole('option', { name: 'Lượt khám chữa bệnh' }).click();
    await page.getByRole('option', { name: 'Người bệnh', exact: true }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Lưu báo cáo' }).click();
    await expect.poll(() => page.getByTestId('custom-message').textContent(), POLL).toContain('Đã lưu báo cáo');
    const saved = page.getByTestId('custom-list').getByText('Lượt khám theo chương bệnh');
    await saved.waitFor();
    await page.getByLabel('Tên đăng nhập người nhận (cách nhau bởi dấu phẩy)').fill('ql.so');
    await page.getByRole('button', { name: 'Chia sẻ' }).click();
    await page.getByText('Đã chia sẻ.').waitFor();
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    await expect.poll(() => page.getByTestId('custom-table').locator('tbody tr').count(), POLL).toBeGreaterThan(0);
    await screenshot(page, 'reports-05-custom-admin');
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
  });

  it('a manager sees the aggregates and the shared report, never a resident; without boundaries the table stands alone', async () => {
    fs.rmSync(path.join(dataDir, 'boundaries'), { recursive: true, force: true });
    await browser.context.clearCookies();
    await signIn('ql.so');
    // Managers have no resident search in the portal.
    expect(await page.getByRole('link', { name: 'Tìm người dân' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Báo cáo' }).click();
    await page.getByTestId('chart-coverage').waitFor();
    await page.getByTestId('no-map').waitFor();
    expect(await page.getByTestId('coverage-table').textContent()).toContain('Tổng:');
    await screenshot(page, 'reports-06-coverage-manager');

    await page.getByRole('tab', { name: 'Tình hình bệnh tật' }).click();
    await page.getByTestId('chart-diseases').waitFor();
    await page.getByRole('tab', { name: 'Báo cáo tùy chỉnh' }).click();
    await page.getByTestId('custom-list').getByText('Lượt khám theo chương bệnh').waitFor();
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    await expect.poll(() => page.getByTestId('custom-table').locator('tbody tr').count(), POLL).toBeGreaterThan(0);
    await screenshot(page, 'reports-07-custom-manager');

    const text = (await page.locator('body').textContent()) ?? '';
    expect(residentNames.length).toBeGreaterThan(0);
    for (const name of residentNames) expect(text).not.toContain(name);
    expect(text).not.toMatch(/Patient\//);
    expect(errors).toEqual([]);
  });
});
