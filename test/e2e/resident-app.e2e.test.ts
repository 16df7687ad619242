// The resident app (/app) on a 360-px phone in Debian's Chromium against a real HSSK server:
// activation of an account issued at the commune station, sign-in by password and by SMS code,
// my record, share code + QR redeemed by a clinician, revoke, offline reading, isolation.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { apiSession, buildWeb, codeIn, demoTransaction, latestSms, startServer, type E2eServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

/** The machine running the tests may be busy: waits are generous, measured figures are not. */
const POLL = { timeout: 10_000 };

const PHONE = '0912345678';
const RESIDENT_PASSWORD = 'So-suc-khoe-cua-An-2026';

describe.skipIf(!hasChromium)('resident app on a phone', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let clinician: Awaited<ReturnType<typeof apiSession>>;

  beforeAll(async () => {
    const dist = await buildWeb();
    server = await startServer(dist);
    const worker = await apiSession(server, 'yte.ductrong');
    await worker.post('/fhir', demoTransaction());
    await worker.post('/api/residents/accounts', { patientId: 'demo-nguyen-van-an' });
    clinician = await apiSession(server, 'bs.benhvien');
    browser = await launch({ viewport: { width: 360, height: 740 }, isMobile: true });
    page = await browser.context.newPage();
    errors = watchErrors(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const password = () => page.locator('input[type="password"]');
  /** Taps an element after scrolling it to mid-screen, clear of the fixed header and tab bar. */
  const tap = async (locator: ReturnType<Page['locator']>) => {
    await locator.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await locator.click();
  };

  it('activates the account issued at the station with the SMS code and sees the record', async () => {
    await page.goto(`${server.baseUrl}/app/`);
    await page.getByText('Kích hoạt', { exact: true }).click();
    await page.getByLabel('Số điện thoại').fill(PHONE);
    await page.getByLabel('Mã 6 chữ số trong tin nhắn').fill(codeIn(await latestSms(server.db, PHONE)));
    await password().fill(RESIDENT_PASSWORD);
    await screenshot(page, 'app-01-activate');
    await page.getByRole('button', { name: 'Kích hoạt tài khoản' }).click();
    await page.getByTestId('my-record').waitFor();
    const header = await page.getByTestId('record-header').textContent();
    expect(header).toContain('Nguyễn Văn An');
    expect(header).toContain('Penicillin');
    expect(await page.getByTestId('my-record').textContent()).toContain('demo-nguyen-van-an');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'app-02-my-record');
  });

  it('signs out, then in with the password, then with an SMS code', async () => {
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByLabel('Số điện thoại').fill(PHONE);
    await password().fill('mat-khau-sai-roi');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), POLL).toBeTruthy();
    await password().fill(RESIDENT_PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByTestId('my-record').waitFor();

    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByText('Mã SMS', { exact: true }).click();
    await page.getByLabel('Số điện thoại').fill(PHONE);
    await page.getByRole('button', { name: 'Gửi mã đăng nhập' }).click();
    await page.getByLabel('Mã 6 chữ số trong tin nhắn').waitFor();
    await page.getByLabel('Mã 6 chữ số trong tin nhắn').fill(codeIn(await latestSms(server.db, PHONE)));
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByTestId('my-record').waitFor();
    await screenshot(page, 'app-03-signed-in-by-sms');
  });

  it('shows a share code with its QR code; a clinician uses it, then the resident revokes it', async () => {
    await page.getByText('Chia sẻ', { exact: true }).click();
    await page.getByRole('button', { name: 'Tạo mã chia sẻ' }).click();
    await page.getByTestId('share-code').waitFor();
    await page.getByTestId('qr').waitFor();
    const code = (await page.getByTestId('share-code-text').textContent())!.trim();
    expect(code).toMatch(/^[A-Z0-9]{4}-?[A-Z0-9]{4}$/);
    await screenshot(page, 'app-04-share-code');

    const grant = (await clinician.post('/api/consent/share-codes/redeem', { code })) as { patientId: string };
    expect(grant.patientId).toBe('demo-nguyen-van-an');

    await page.getByText('Đồng ý', { exact: true }).click();
    const consents = page.getByTestId('consents');
    await expect.poll(() => consents.textContent(), POLL).toContain('Đang hiệu lực');
    expect(await consents.textContent()).toContain('68001');
    await screenshot(page, 'app-05-consents');
    await page.getByRole('button', { name: 'Thu hồi' }).click();
    await expect.poll(() => consents.textContent(), POLL).toContain('Đã thu hồi');
    await screenshot(page, 'app-06-revoked');
  });

  it('shows who accessed the record, with a break-glass access highlighted', async () => {
    const reason = 'Bệnh nhân bất tỉnh tại phòng cấp cứu, cần xem tiền sử dị ứng';
    await clinician.post('/api/consent/break-glass', { patientId: 'demo-nguyen-van-an', reason });
    await clinician.get('/fhir/Patient/demo-nguyen-van-an');
    await page.getByText('Hồ sơ', { exact: true }).click();
    await page.getByText('Đồng ý', { exact: true }).click();
    await page.getByRole('heading', { name: 'Ai đã xem hồ sơ của tôi' }).waitFor();
    const log = page.getByTestId('access-log');
    await log.waitFor();
    const breakGlass = page.getByTestId('access-break-glass').first();
    const text = await breakGlass.textContent();
    expect(text).toContain('Truy cập khẩn cấp');
    expect(text).toContain('Cơ sở y tế: Bệnh viện Đa khoa tỉnh Lâm Đồng (mẫu) (mã 68001)');
    expect(text).toContain('Bác sĩ / nhân viên lâm sàng');
    expect(text).toContain(reason);
    expect(await log.textContent()).toContain('Xem hồ sơ');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await breakGlass.scrollIntoViewIfNeeded();
    await screenshot(page, 'app-06b-access-log');
  });

  it('enters measurements as Observations, alerts on readings outside the safe range, charts them', async () => {
    // The chip's own input is visually hidden; its label is what a finger touches.
    const chip = (name: string) => page.locator('label').filter({ hasText: new RegExp(`^${name}$`) }).first();
    await page.getByText('Chỉ số', { exact: true }).click();
    await page.getByRole('heading', { name: 'Chỉ số của tôi' }).waitFor();
    await page.getByRole('textbox', { name: 'Tâm thu (số trên)' }).fill('185');
    await page.getByRole('textbox', { name: 'Tâm trương (số dưới)' }).fill('125');
    await page.getByRole('button', { name: 'Lưu chỉ số' }).click();
    const urgent = page.getByTestId('measure-urgent');
    await urgent.waitFor();
    expect(await urgent.textContent()).toContain('185/125');
    expect(await urgent.textContent()).toContain('hãy đến cơ sở y tế gần nhất ngay hoặc gọi 115');
    await page.getByTestId('measure-chart-bp').waitFor();
    await screenshot(page, 'app-08-measure-alert');

    await chip('Đường huyết').click();
    await page.getByRole('textbox', { name: 'Đường huyết' }).fill('3,5');
    await page.getByRole('button', { name: 'Lưu chỉ số' }).click();
    await expect.poll(() => page.getByTestId('measure-urgent').textContent(), POLL).toContain('Đường huyết của bạn thấp');

    await chip('Cân nặng').click();
    await page.getByRole('textbox', { name: 'Cân nặng' }).fill('58,5');
    await page.getByRole('button', { name: 'Lưu chỉ số' }).click();
    await expect.poll(() => page.getByTestId('measure-saved').textContent(), POLL).toContain('58,5 kg');
    await page.getByTestId('measure-chart-weight').waitFor();

    await chip('Nhịp tim').click();
    await page.getByRole('textbox', { name: 'Nhịp tim' }).fill('abc');
    await page.getByRole('button', { name: 'Lưu chỉ số' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent(), POLL).toContain('nhịp tim từ 20 đến 250');

    const recent = page.getByTestId('measure-recent');
    await expect.poll(() => recent.textContent(), POLL).toContain('Cân nặng: 58,5 kg');
    expect(await recent.textContent()).toContain('185/125');
    expect(await recent.textContent()).toContain('do bạn tự nhập');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'app-09-measure-trends');

    const saved = await page.evaluate(async () => (await fetch('/fhir/Observation?patient=Patient/demo-nguyen-van-an&code=http://loinc.org|85354-9')).json());
    const bp = (saved.entry as { resource: { performer?: { reference: string }[]; category: { coding: { code: string }[] }[]; component: { valueQuantity: { value: number } }[] } }[])
      .map((e) => e.resource)
      .find((r) => r.component?.[0]?.valueQuantity.value === 185)!;
    expect(bp.performer?.[0]?.reference).toBe('Patient/demo-nguyen-van-an');
    expect(bp.category[0]!.coding[0]!.code).toBe('vital-signs');
  });

  it('shows upcoming appointments and current medicines, and keeps the resident’s reminder choices', async () => {
    const worker = await apiSession(server, 'yte.ductrong');
    const tomorrow = new Date(Date.now() + 86_400_000 + 7 * 3_600_000).toISOString().slice(0, 10);
    await worker.post('/fhir/Appointment', {
      resourceType: 'Appointment',
      status: 'booked',
      description: 'Tái khám tăng huyết áp',
      start: `${tomorrow}T08:00:00+07:00`,
      end: `${tomorrow}T08:30:00+07:00`,
      participant: [
        { actor: { reference: 'Patient/demo-nguyen-van-an' }, status: 'accepted' },
        { actor: { display: 'Trạm Y tế xã Đức Trọng' }, status: 'accepted' },
      ],
    });
    await worker.post('/fhir/MedicationRequest', {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: { reference: 'Patient/demo-nguyen-van-an' },
      medicationCodeableConcept: { text: 'Amlodipin 5 mg' },
      dosageInstruction: [{ text: 'Uống 1 viên mỗi sáng sau ăn', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd', timeOfDay: ['07:00:00'] } } }],
    });
    await page.getByText('Nhắc lịch', { exact: true }).click();
    await page.getByRole('heading', { name: 'Nhắc lịch khám và uống thuốc' }).waitFor();
    await expect.poll(() => page.getByTestId('appointments').textContent(), POLL).toContain('Tái khám tăng huyết áp');
    expect(await page.getByTestId('appointments').textContent()).toContain('Trạm Y tế xã Đức Trọng');
    const medicines = await page.getByTestId('medications').textContent();
    expect(medicines).toContain('Amlodipin 5 mg');
    expect(medicines).toContain('Giờ uống: 07:00');

    await tap(page.getByRole('switch', { name: 'Giờ uống thuốc' }));
    await expect.poll(() => page.getByTestId('reminder-medication').textContent(), POLL).toContain('Đã tắt');
    await tap(page.getByRole('combobox', { name: 'Giờ nhắc Lịch hẹn khám' }));
    await page.getByRole('option', { name: '19:00' }).click();
    await expect.poll(() => page.getByRole('status').last().textContent(), POLL).toContain('Đã lưu lựa chọn nhắc lịch');
    const prefs = await page.evaluate(async () => (await fetch('/api/reminders/preferences')).json());
    const of = (kind: string) => (prefs.preferences as { kind: string; enabled: boolean; hour: number | null }[]).find((p) => p.kind === kind);
    expect(of('medication')?.enabled).toBe(false);
    expect(of('appointment')?.hour).toBe(19);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'app-10-reminders');
  });

  it('a parent switches to a child’s record under a clear banner, and back', async () => {
    const worker = await apiSession(server, 'yte.ductrong');
    await worker.post('/api/residents/proxies', { parentPatientId: 'demo-nguyen-van-an', childPatientId: 'demo-nguyen-minh-khoa' });
    await page.reload();
    await page.getByText('Hồ sơ', { exact: true }).click();
    await page.getByTestId('my-record').waitFor();
    expect(await page.getByTestId('proxy-banner').count()).toBe(0);
    await tap(page.getByRole('combobox', { name: 'Hồ sơ trong gia đình' }));
    await page.getByRole('option', { name: 'Nguyễn Minh Khoa' }).click();
    const banner = page.getByTestId('proxy-banner');
    await expect.poll(() => banner.textContent(), POLL).toContain('Đang xem hồ sơ của Nguyễn Minh Khoa');
    await expect.poll(() => page.getByTestId('record-header').textContent(), POLL).toContain('Nguyễn Minh Khoa');
    expect(await page.getByTestId('my-record').textContent()).toContain('demo-nguyen-minh-khoa');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'app-11-proxy-child');
    // The banner stays on every tab while acting for the child.
    await page.getByText('Chỉ số', { exact: true }).click();
    expect(await banner.textContent()).toContain('Nguyễn Minh Khoa');
    await page.getByText('Hồ sơ', { exact: true }).click();

    await tap(page.getByRole('button', { name: 'Về hồ sơ của tôi' }));
    await expect.poll(() => page.getByTestId('record-header').textContent(), POLL).toContain('Nguyễn Văn An');
    expect(await banner.count()).toBe(0);
  });

  it('links health knowledge pages, with their sources, from the record', async () => {
    await page.getByText('Hồ sơ', { exact: true }).click();
    const links = page.getByTestId('knowledge-links');
    await links.waitFor();
    const first = links.getByRole('button').first();
    expect(await first.textContent()).toBe('Tăng huyết áp');
    expect(await links.textContent()).toContain('Liên quan đến hồ sơ của bạn');
    for (const title of ['Đái tháo đường', 'Bệnh tim mạch', 'Rối loạn chuyển hoá', 'Mỡ máu cao']) expect(await links.textContent()).toContain(title);
    await tap(first);
    const article = page.getByTestId('knowledge-page');
    await article.waitFor();
    expect(await article.getByRole('heading', { level: 2 }).textContent()).toBe('Tăng huyết áp');
    const sources = await page.getByTestId('knowledge-sources').textContent();
    expect(sources).toContain('Tổ chức Y tế Thế giới (WHO)');
    expect(sources).toContain('Bộ Y tế');
    expect(await article.textContent()).toContain('Khi nào cần đi khám ngay');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await screenshot(page, 'app-12-knowledge');
    await tap(page.getByRole('button', { name: /Quay lại/ }));
    await page.getByTestId('my-record').waitFor();
  });

  it('never shows another resident’s record', async () => {
    const status = await page.evaluate(async () => (await fetch('/fhir/Patient/demo-tran-thi-binh/$everything')).status);
    expect([403, 404]).toContain(status);
  });

  it('is installable and reads the last-synced record offline', async () => {
    const manifest = await page.evaluate(async () => (await fetch('/app/manifest.webmanifest')).json());
    expect(manifest.start_url).toBe('/app/');
    expect(manifest.icons.some((i: { sizes: string }) => i.sizes === '512x512')).toBe(true);
    await page.getByText('Hồ sơ', { exact: true }).click();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // Once the service worker controls the page, the record it fetches is kept for offline reading.
    await page.reload();
    await page.getByTestId('my-record').waitFor();
    expect(await page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
    await browser.context.setOffline(true);
    await page.reload();
    await page.getByTestId('my-record').waitFor();
    expect(await page.getByTestId('record-header').textContent()).toContain('Nguyễn Văn An');
    expect(await page.getByText(/Bạn đang ngoại tuyến/).count()).toBe(1);
    await screenshot(page, 'app-07-offline');
    await browser.context.setOffline(false);
    expect(errors).toEqual([]);
  });
});
