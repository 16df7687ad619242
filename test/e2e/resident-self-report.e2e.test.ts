// Self-reported updates (MISSION C5) in the resident app on a 360-px phone in Debian's Chromium
// against a real HSSK server: the resident adds a phone, an address, an allergy and a family-
// history entry; each shows as "Do bạn tự khai báo" while the facility's phone and allergy stay
// exactly as recorded; offline, the forms say a connection is needed.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { apiSession, buildWeb, codeIn, demoTransaction, latestSms, startServer, type E2eServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

/** The machine running the tests may be busy: waits are generous. */
const POLL = { timeout: 10_000 };
const PATIENT = 'demo-nguyen-van-an';
const FACILITY_PHONE = '0912345678';
const PASSWORD = 'Tu-khai-bao-cua-An-2026';

describe.skipIf(!hasChromium)('resident app: self-reported updates on a phone', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const dist = await buildWeb();
    server = await startServer(dist);
    const worker = await apiSession(server, 'yte.ductrong');
    await worker.post('/fhir', demoTransaction());
    await worker.post('/api/residents/accounts', { patientId: PATIENT });
    browser = await launch({ viewport: { width: 360, height: 740 }, isMobile: true });
    page = await browser.context.newPage();
    errors = watchErrors(page);
    await page.goto(`${server.baseUrl}/app/`);
    await page.getByText('Kích hoạt', { exact: true }).click();
    await page.getByLabel('Số điện thoại').fill(FACILITY_PHONE);
    await page.getByLabel('Mã 6 chữ số trong tin nhắn').fill(codeIn(await latestSms(server.db, FACILITY_PHONE)));
    await page.locator('input[type="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Kích hoạt tài khoản' }).click();
    await page.getByTestId('my-record').waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** Taps an element after scrolling it to mid-screen, clear of the fixed header and tab bar. */
  const tap = async (locator: ReturnType<Page['locator']>) => {
    await locator.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await locator.click();
  };
  const form = (id: string) => page.getByTestId(id);
  const save = (id: string) => tap(form(id).getByRole('button', { name: 'Lưu' }));
  const saved = (id: string) => expect.poll(() => form(id).getByRole('status').textContent(), POLL).toContain('Đã lưu');
  const fits = async () => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  const fetchJson = (url: string) => page.evaluate(async (u) => (await fetch(u)).json(), url);

  it('adds a phone number and an address, with Vietnamese messages for wrong input', async () => {
    await tap(page.getByRole('button', { name: 'Tự khai báo / Cập nhật thông tin' }));
    await page.getByTestId('self-report').waitFor();
    await fits();

    await form('self-phone').getByLabel('Số điện thoại di động').fill('12345');
    await save('self-phone');
    await expect.poll(() => form('self-phone').textContent(), POLL).toContain('Số điện thoại di động gồm 10 chữ số');
    await form('self-phone').getByLabel('Số điện thoại di động').fill('0987 111 222');
    await save('self-phone');
    await saved('self-phone');

    await save('self-address');
    await expect.poll(() => form('self-address').textContent(), POLL).toContain('Vui lòng chọn xã/phường.');
    const commune = form('self-address').getByRole('combobox', { name: 'Xã/phường' });
    await tap(commune);
    await commune.fill('ham thang');
    await page.getByRole('option', { name: 'Phường Hàm Thắng' }).click();
    await form('self-address').getByLabel('Số nhà, đường, thôn/tổ').fill('Số 5 đường Lê Lợi');
    await save('self-address');
    await saved('self-address');
    await screenshot(page, 'self-01-phone-address');
  });

  it('adds an allergy and a family-history entry', async () => {
    await save('self-allergy');
    await expect.poll(() => form('self-allergy').textContent(), POLL).toContain('Vui lòng nhập thuốc hoặc thức ăn gây dị ứng.');
    await form('self-allergy').getByLabel('Dị ứng với (thuốc, thức ăn…)').fill('Tôm');
    await form('self-allergy').getByLabel('Biểu hiện khi bị dị ứng').fill('Nổi mề đay');
    await tap(form('self-allergy').getByRole('combobox', { name: 'Mức độ' }));
    await page.getByRole('option', { name: 'Vừa' }).click();
    await save('self-allergy');
    await saved('self-allergy');

    await save('self-family');
    await expect.poll(() => form('self-family').textContent(), POLL).toContain('Vui lòng chọn người thân.');
    await tap(form('self-family').getByRole('combobox', { name: 'Người thân' }));
    await page.getByRole('option', { name: 'Bố', exact: true }).click();
    await form('self-family').getByLabel('Bệnh của người thân').fill('Đái tháo đường');
    await save('self-family');
    await saved('self-family');
    await fits();
    await screenshot(page, 'self-02-allergy-family');
  });

  it('says that sending needs a connection when the phone is offline', async () => {
    await browser.context.setOffline(true);
    try {
      const notice = page.getByTestId('self-report-offline');
      await expect.poll(() => notice.textContent(), POLL).toContain('Cần có kết nối mạng');
      expect(await form('self-phone').getByRole('button', { name: 'Lưu' }).isDisabled()).toBe(true);
      await screenshot(page, 'self-03-offline');
    } finally {
      await browser.context.setOffline(false);
    }
    await expect.poll(() => page.getByTestId('self-report-offline').count(), POLL).toBe(0);
  });

  it('shows each statement as self-reported in my record, beside the facility’s unchanged entries', async () => {
    await tap(page.getByRole('button', { name: 'Quay lại hồ sơ' }));
    await page.getByTestId('my-record').waitFor();
    const header = page.getByTestId('record-header');
    await expect.poll(() => header.textContent(), POLL).toContain('Tôm');
    expect(await page.getByTestId('recorded-phone').textContent()).toContain(FACILITY_PHONE);
    const ownPhone = await page.getByTestId('self-reported-phone').textContent();
    expect(ownPhone).toContain('0987111222');
    expect(ownPhone).toContain('Do bạn tự khai báo');
    const ownAddress = await page.getByTestId('self-reported-address').textContent();
    expect(ownAddress).toContain('Số 5 đường Lê Lợi, Phường Hàm Thắng');
    expect(ownAddress).toContain('Do bạn tự khai báo');
    const allergies = await page.getByTestId('allergies').textContent();
    expect(allergies).toContain('Penicillin');
    expect(allergies).toContain('Tôm (Do bạn tự khai báo)');
    await fits();
    await screenshot(page, 'self-04-record-header');

    await tap(page.getByRole('tab', { name: 'Tiền sử và gia đình' }));
    const allergyList = page.getByTestId('allergy-list');
    await allergyList.waitFor();
    const items = await allergyList.locator(':scope > div').allTextContents();
    const own = items.find((x) => x.includes('Tôm'))!;
    expect(own).toContain('Nổi mề đay (vừa)');
    expect(own).toContain('Nguồn: Do bạn tự khai báo');
    expect(items.find((x) => x.includes('Penicillin'))).not.toContain('tự khai báo');
    const family = await page.getByTestId('family-history-list').textContent();
    expect(family).toContain('Bố: Đái tháo đường');
    expect(family).toContain('Nguồn: Do bạn tự khai báo');
    await fits();
    await screenshot(page, 'self-05-history');

    // What the server stored: the facility's entries untouched, the resident's marked as theirs.
    const patient = await fetchJson(`/fhir/Patient/${PATIENT}`);
    expect(patient.telecom[0]).toEqual({ system: 'phone', value: FACILITY_PHONE, use: 'mobile' });
    expect(patient.telecom).toHaveLength(2);
    const penicillin = await fetchJson('/fhir/AllergyIntolerance/demo-allergy-penicillin');
    expect(penicillin.meta.versionId).toBe('1');
    expect(penicillin.code.text).toBe('Penicillin');
    const mine = await fetchJson(`/fhir/AllergyIntolerance?patient=Patient/${PATIENT}&_tag=http://fhir.hssk.vn/CodeSystem/tag|self-reported`);
    expect(mine.entry.map((e: { resource: { code: { text: string }; recorder: { reference: string } } }) => [e.resource.code.text, e.resource.recorder.reference])).toEqual([
      ['Tôm', `Patient/${PATIENT}`],
    ]);
    expect(errors).toEqual([]);
  });
});
