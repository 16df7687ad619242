// Approving a clinician's request in the residents' app (issue 7, C4), in Debian's Chromium
// against a real HSSK server: the clinician asks on the staff portal, the resident sees the
// request on a 360-px phone (notice on home, card on the sharing screen) and taps "Đồng ý", the
// staff portal opens the record by itself. Screenshots in test-results/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { apiSession, buildWeb, codeIn, demoTransaction, latestSms, PASSWORD, startServer, type E2eServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const POLL = { timeout: 15_000 };
const PHONE = '0912345678';
const RESIDENT_PASSWORD = 'So-suc-khoe-cua-An-2026';

describe.skipIf(!hasChromium)('a resident approves a clinician’s request in the app', () => {
  let server: E2eServer;
  let staffBrowser: Browser;
  let phoneBrowser: Browser;
  let staff: Page;
  let phone: Page;
  let errors: string[][];

  beforeAll(async () => {
    const dist = await buildWeb();
    server = await startServer(dist);
    const worker = await apiSession(server, 'yte.ductrong');
    await worker.post('/fhir', demoTransaction());
    await worker.post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Organization', id: 'e2e-bv-tinh', identifier: [{ system: 'http://fhir.hssk.vn/sid/ma-cskcb', value: '68001' }], name: 'Bệnh viện Đa khoa tỉnh' },
          request: { method: 'PUT', url: 'Organization/e2e-bv-tinh' },
        },
      ],
    });
    await worker.post('/api/residents/accounts', { patientId: 'demo-nguyen-van-an' });
    const code = codeIn(await latestSms(server.db, PHONE));
    const activated = await fetch(`${server.baseUrl}/auth/resident/activate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: PHONE, code, password: RESIDENT_PASSWORD }),
    });
    expect(activated.status).toBe(200);
    staffBrowser = await launch();
    phoneBrowser = await launch({ viewport: { width: 360, height: 740 }, isMobile: true });
    staff = await staffBrowser.context.newPage();
    phone = await phoneBrowser.context.newPage();
    errors = [watchErrors(staff), watchErrors(phone)];
  }, 180_000);

  afterAll(async () => {
    await staffBrowser?.close();
    await phoneBrowser?.close();
    await server?.close();
  });

  it('the clinician asks, the resident taps "Đồng ý" on the phone, and the record opens on the staff portal', async () => {
    await phone.goto(`${server.baseUrl}/app/`);
    await phone.getByLabel('Số điện thoại').fill(PHONE);
    await phone.locator('input[type="password"]').fill(RESIDENT_PASSWORD);
    await phone.getByRole('button', { name: 'Đăng nhập' }).click();
    await phone.getByTestId('my-record').waitFor();
    expect(await phone.getByTestId('requests-notice').count()).toBe(0);

    await staff.goto(`${server.baseUrl}/`);
    await staff.getByLabel('Tên đăng nhập').fill('bs.benhvien');
    await staff.getByLabel(/^Mật khẩu/).fill(PASSWORD);
    await staff.getByRole('button', { name: 'Đăng nhập' }).click();
    await staff.getByTestId('who').waitFor();
    await staff.goto(`${server.baseUrl}/patients/demo-nguyen-van-an`);
    await staff.getByTestId('consent-panel').waitFor();
    await staff.getByRole('button', { name: 'Gửi mã OTP cho người dân' }).click();
    const wait = staff.getByTestId('await-approval');
    await expect.poll(() => wait.textContent(), POLL).toContain('ứng dụng HSSK');
    await staff.getByRole('button', { name: 'Kiểm tra lại' }).click();
    await expect.poll(() => wait.textContent(), POLL).toContain('chưa đồng ý');
    await screenshot(staff, 'approve-01-staff-waiting');

    // The resident opens the app: a notice on home and a badge on the sharing tab.
    await phone.reload();
    const notice = phone.getByTestId('requests-notice');
    await expect.poll(() => notice.textContent(), POLL).toContain('Có 1 yêu cầu xem hồ sơ');
    expect(await phone.getByTestId('requests-badge').textContent()).toBe('1');
    await screenshot(phone, 'approve-02-phone-notice');
    await phone.getByRole('button', { name: 'Xem yêu cầu' }).click();
    const card = phone.getByTestId('access-request');
    await card.waitFor();
    const text = await card.textContent();
    expect(text).toContain('Đỗ Minh Tâm');
    expect(text).toContain('Bác sĩ / nhân viên lâm sàng');
    expect(text).toContain('Bệnh viện Đa khoa tỉnh (68001)');
    expect(text).toMatch(/Đề nghị lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    // Large touch targets: both answers at least 44 px high.
    for (const name of ['Đồng ý', 'Từ chối']) {
      const box = await card.getByRole('button', { name }).boundingBox();
      expect(box!.height).toBeGreaterThanOrEqual(44);
    }
    await screenshot(phone, 'approve-03-phone-request');
    await card.getByRole('button', { name: 'Đồng ý' }).click();
    await expect.poll(() => phone.getByTestId('access-requests').textContent(), POLL).toContain('Bạn đã đồng ý');
    await expect.poll(() => phone.getByTestId('access-request').count(), POLL).toBe(0); // the list reloads after the answer
    await screenshot(phone, 'approve-04-phone-approved');

    // The staff portal notices within its 5-s poll and opens the record.
    await staff.getByTestId('record-header').waitFor({ timeout: 20_000 });
    expect(await staff.getByTestId('record-header').textContent()).toContain('Nguyễn Văn An');
    expect(await staff.getByTestId('grant-notice').textContent()).toMatch(/Bạn được xem hồ sơ này đến \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    await screenshot(staff, 'approve-05-staff-record');

    // In the resident's consents, the grant shows as approved in the app.
    await phone.getByText('Đồng ý', { exact: true }).click();
    await expect.poll(() => phone.getByTestId('consents').textContent(), POLL).toContain('Đồng ý trong ứng dụng');
    expect(errors.flat()).toEqual([]);
  });
});
