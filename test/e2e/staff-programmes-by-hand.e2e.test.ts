// A commune health worker acts on the programmes by hand from a record, in a real browser
// (Debian's Chromium) against a real HSSK server holding the demo province: a child's
// vaccination book with its overdue birth doses, an adult enrolled in the hypertension register,
// a pregnancy registered (after a refused date). Screenshots in test-results/.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { loadDemoIfFirstRun } from '../../src/demo/demo.ts';
import { buildApp, systemFhirWriter } from '../../src/http/app.ts';
import { webRoutes } from '../../src/http/plugins/web.ts';
import { Extension } from '../../src/fhir/systems.ts';
import { createLogger } from '../../src/logging.ts';
import type { Database } from '../../src/store/database.ts';
import { createTestDatabase } from '../support/db.ts';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { buildWeb } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const POLL = { timeout: 15_000 };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function daysAgo(n: number): string {
  const d = new Date(Date.now() + 7 * 3600_000 - n * 86_400_000);
  return d.toISOString().slice(0, 10);
}

describe.skipIf(!hasChromium)('programme actions by hand on a record', () => {
  let server: { app: FastifyInstance; db: Database; baseUrl: string };
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dataDir: string;
  let password: string;
  let childId: string;
  let adultId: string;
  let motherId: string;
  let get: (url: string) => Promise<{ statusCode: number; json: () => unknown }>;

  beforeAll(async () => {
    const dist = await buildWeb();
    const db = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-e2e-programmes-'));
    const demo = await loadDemoIfFirstRun(db, loadConfig({ HSSK_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), systemFhirWriter(db), () => undefined);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const app = await buildApp({ config: loadConfig({ HSSK_BASE_URL: baseUrl, PORT: String(port), LOG_LEVEL: 'silent' }), db, logger: createLogger('silent') });
    if (!app.hasRoute({ method: 'GET', url: '/' })) await app.register(webRoutes, { distDir: dist });
    await app.listen({ port, host: '127.0.0.1' });
    server = { app, db, baseUrl };
    // The demo commune health worker (src/demo/demo.ts).
    const account = fs.readFileSync(demo!.credentialsFile, 'utf8').split('\n').find((l) => l.startsWith('demo.xa\t'))!;
    password = account.split('\t')[1]!;

    const login = await server.app.inject({ method: 'POST', url: '/auth/login', payload: { username: 'demo.xa', password } });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const { csrfToken, actor } = login.json() as { csrfToken: string; actor: { communeCode: string } };
    const post = async (url: string, payload: unknown) => {
      const r = await server.app.inject({
        method: 'POST', url, payload: JSON.stringify(payload),
        headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': url.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' },
      });
      if (r.statusCode >= 300) throw new Error(`POST ${url}: ${r.statusCode} ${r.body}`);
      return r.json() as Record<string, string>;
    };
    get = (url) => server.app.inject({ method: 'GET', url, headers: { cookie } });
    const address = [{ use: 'home', text: 'Thôn Thử Tay, Lâm Đồng', extension: [{ url: Extension.addressCommune, valueCode: actor.communeCode }] }];
    motherId = (await post('/fhir/Patient', { resourceType: 'Patient', name: [{ text: 'Phạm Thị Mẹ Thử Tay', family: 'Phạm', given: ['Thị', 'Mẹ', 'Thử', 'Tay'] }], gender: 'female', birthDate: '1997-03-10', address })).id!;
    // Born 50 days ago with no vaccination recorded: the birth doses are overdue.
    childId = (await post('/api/programs/births', { motherPatientId: motherId, name: 'Phạm Văn Bé Thử Tay', birthDate: daysAgo(50), gender: 'male', birthWeightGrams: 3000 })).patientId!;
    adultId = (await post('/fhir/Patient', { resourceType: 'Patient', name: [{ text: 'Đỗ Văn Người Lớn Thử Tay', family: 'Đỗ', given: ['Văn', 'Người', 'Lớn', 'Thử', 'Tay'] }], gender: 'male', birthDate: '1960-06-01', address })).id!;

    browser = await launch();
    page = await browser.context.newPage();
    errors = watchErrors(page);
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel('Tên đăng nhập').fill('demo.xa');
    await page.getByLabel(/^Mật khẩu/).fill(password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: /Xin chào/ }).waitFor();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.app.close();
    await server?.db.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function openRecord(id: string, name: string) {
    await page.goto(`${server.baseUrl}/patients/${id}`);
    await expect.poll(() => page.getByTestId('record-name').textContent(), POLL).toContain(name);
  }

  it("a child's record shows the vaccination book with the overdue birth doses, dates dd/mm/yyyy", async () => {
    await openRecord(childId, 'Phạm Văn Bé Thử Tay');
    const book = page.getByTestId('vaccination-book');
    await book.waitFor(POLL);
    await expect.poll(() => book.getByRole('heading', { name: 'Sổ tiêm chủng' }).count(), POLL).toBe(1);
    const overdue = book.locator('tbody tr[data-status="overdue"]');
    expect(await overdue.count()).toBeGreaterThan(0);
    const row = (await overdue.first().textContent()) ?? '';
    expect(row).toContain('Quá hạn');
    // A birth dose is due on the day of birth.
    const [y, m, d] = daysAgo(50).split('-');
    expect(row).toContain(`${d}/${m}/${y}`);
    // Later doses are still ahead of this 50-day-old.
    expect(await book.locator('tbody tr[data-status="upcoming"], tbody tr[data-status="due"]').count()).toBeGreaterThan(0);
    await book.scrollIntoViewIfNeeded();
    await screenshot(page, 'programmes-01-vaccination-book');
    expect(errors).toEqual([]);
  });

  it('an adult is enrolled in the hypertension register by hand, after a refused empty choice', async () => {
    await openRecord(adultId, 'Đỗ Văn Người Lớn Thử Tay');
    // An adult has no vaccination book to act on, and a man no pregnancy button.
    await page.getByTestId('programme-actions').waitFor();
    expect(await page.getByTestId('vaccination-book').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Đăng ký thai kỳ' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Đưa vào sổ quản lý' }).click();
    const dialog = page.getByRole('dialog', { name: 'Đưa vào sổ quản lý của chương trình' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Đưa vào sổ' }).click();
    await dialog.getByText('Hãy chọn sổ quản lý.').waitFor();
    await dialog.getByLabel(/^Sổ quản lý/).first().click();
    await dialog.getByRole('option', { name: 'Tăng huyết áp', exact: true }).click();
    await screenshot(page, 'programmes-02-enrol-form');
    await dialog.getByRole('button', { name: 'Đưa vào sổ' }).click();
    const notice = page.getByTestId('programme-notice');
    await notice.waitFor(POLL);
    expect(await notice.textContent()).toContain('Đã đưa Đỗ Văn Người Lớn Thử Tay vào sổ quản lý “Tăng huyết áp”.');
    await screenshot(page, 'programmes-03-enrolled');
    // The register holds the person: an EpisodeOfCare of the programme, active.
    const r = await get(`/fhir/EpisodeOfCare?patient=Patient/${adultId}`);
    expect(r.statusCode).toBe(200);
    const episodes = ((r.json() as { entry?: { resource: { status: string; type?: { coding?: { code?: string }[] }[] } }[] }).entry ?? []).map((e) => e.resource);
    expect(episodes.some((e) => e.status === 'active' && JSON.stringify(e.type).includes('hypertension'))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('a pregnancy is registered by hand; an impossible date is refused in words first', async () => {
    await openRecord(motherId, 'Phạm Thị Mẹ Thử Tay');
    await page.getByRole('button', { name: 'Đăng ký thai kỳ' }).click();
    const dialog = page.getByRole('dialog', { name: 'Đăng ký quản lý thai kỳ' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Đăng ký', exact: true }).click();
    await dialog.getByText('Hãy nhập ngày dự sinh hoặc ngày đầu kỳ kinh cuối.').first().waitFor();
    await dialog.getByLabel('Ngày dự sinh (dd/mm/yyyy)').fill('31/02/2027');
    await dialog.getByRole('button', { name: 'Đăng ký', exact: true }).click();
    await dialog.getByText('Ngày không hợp lệ, hãy nhập theo dạng dd/mm/yyyy.').waitFor();
    const [y, m, d] = daysAgo(-120).split('-');
    await dialog.getByLabel('Ngày dự sinh (dd/mm/yyyy)').fill(`${d}/${m}/${y}`);
    await screenshot(page, 'programmes-04-pregnancy-form');
    await dialog.getByRole('button', { name: 'Đăng ký', exact: true }).click();
    const notice = page.getByTestId('programme-notice');
    await notice.waitFor(POLL);
    expect(await notice.textContent()).toContain('Đã đăng ký thai kỳ cho Phạm Thị Mẹ Thử Tay.');
    await screenshot(page, 'programmes-05-pregnancy-registered');
    expect(errors).toEqual([]);
  });
});
