// A commune health worker acts on the programmes by hand from a record, in a real browser
// (Debian's Chromium) against a real HSSK server holding the demo province: a child's
// vaccination book with its overdue birth doses, an adult enrolled in the hypertension register,
// a pregnancy registered (after a refused date). Screenshots in test-results/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Extension } from '../../src/fhir/systems.ts';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { buildWeb, daysAgo, demoWorkerApi, startDemoServer, type DemoServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const POLL = { timeout: 15_000 };

describe.skipIf(!hasChromium)('programme actions by hand on a record', () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let password: string;
  let childId: string;
  let adultId: string;
  let motherId: string;
  let get: (url: string) => Promise<{ statusCode: number; json: () => unknown }>;

  beforeAll(async () => {
    server = await startDemoServer(await buildWeb());
    password = server.workerPassword;
    const api = await demoWorkerApi(server);
    const post = api.post;
    get = api.get;
    const address = [{ use: 'home', text: 'Thôn Thử Tay, Lâm Đồng', extension: [{ url: Extension.addressCommune, valueCode: api.communeCode }] }];
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
    await server?.close();
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
