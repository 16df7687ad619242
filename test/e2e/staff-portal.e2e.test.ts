// The staff portal in a real browser (Debian's Chromium) against a real HSSK server: one test
// per journey of issue 6, screenshots in test-results/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { isValidResidentId } from '../../src/identity/resident-id.ts';
import { envelope, hoso, tablesOf } from '../fixtures/xml/build.ts';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { apiSession, bigRecordTransaction, buildWeb, codeIn, demoTransaction, latestSms, PASSWORD, startServer, type E2eServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

/** The machine running the tests may be busy: waits are generous, measured figures are not. */
const POLL = { timeout: 10_000 };

describe.skipIf(!hasChromium)('staff portal in the browser', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    const dist = await buildWeb();
    server = await startServer(dist);
    const worker = await apiSession(server, 'yte.ductrong');
    await worker.post('/fhir', demoTransaction());
    await worker.post('/fhir', bigRecordTransaction('e2e-hoang-thi-nhieu'));
    browser = await launch();
    page = await browser.context.newPage();
    errors = watchErrors(page);
  }, 180_000);

  afterAll(async () => {
    console.info(`[e2e figures] ${JSON.stringify(figures)}`);
    fs.mkdirSync('test-results', { recursive: true });
    fs.writeFileSync('test-results/staff-portal-figures.json', JSON.stringify({ ...figures, loadAverage1m: os.loadavg()[0] }, null, 2));
    await browser?.close();
    await server?.close();
  });

  async function signIn(username: string) {
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel(/^Mật khẩu/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
  }

  it('a commune health worker signs in, sees role and commune, and a wrong password is explained', async () => {
    const started = Date.now();
    await page.goto(`${server.baseUrl}/`);
    await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    figures.firstPageSeenByDriverMs = Date.now() - started;
    // In the page: from navigation start to the sign-in form rendered (the app's own mark).
    figures.firstPageMs = await page.evaluate(() => Math.round(performance.getEntriesByName('hssk:first-page')[0]?.startTime ?? -1));
    figures.firstPageLoadEventMs = await page.evaluate(() => Math.round((performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd));
    expect(figures.firstPageMs).toBeGreaterThan(0);
    // The requirement (under 2 s) is measured here and reported (test-results/staff-portal-figures.json,
    // the closing note), not asserted: a timer fails whenever the test machine is busy. This bound
    // only catches a page that is broken, not slow.
    expect(figures.firstPageMs).toBeLessThan(15_000);

    await page.getByLabel('Tên đăng nhập').fill('yte.ductrong');
    await page.getByLabel(/^Mật khẩu/).fill('sai-mat-khau-roi');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await expect.poll(() => page.getByTestId('login-error').textContent(), POLL).toContain('Tên đăng nhập hoặc mật khẩu không đúng');

    await page.getByLabel(/^Mật khẩu/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: 'Xin chào, Phạm Thị Hoa' }).waitFor();
    expect(await page.getByTestId('role').textContent()).toBe('Cán bộ y tế xã');
    expect(await page.getByTestId('who').textContent()).toContain('Phường 2 Bảo Lộc (24820)');
    await expect.poll(() => page.getByTestId('tile-residents').textContent(), POLL).toMatch(/Người dân có hồ sơ\d/);
    await screenshot(page, 'staff-01-home');
  });

  it('finds a resident by name without diacritics, with diacritics, and by CCCD', async () => {
    await page.getByRole('link', { name: 'Tìm người dân' }).click();
    await page.getByLabel('Họ và tên').fill('nguyen van an');
    await page.getByRole('button', { name: 'Tìm kiếm' }).click();
    const results = page.getByTestId('results');
    await results.waitFor();
    expect(await results.textContent()).toContain('Nguyễn Văn An');
    expect(await results.textContent()).toContain('12/03/1965');
    expect(await results.textContent()).toContain('CCCD: 068065001234');
    await screenshot(page, 'staff-02-search-no-diacritics');

    await page.getByLabel('Họ và tên').fill('Trần Thị Bình');
    await page.getByLabel('Năm sinh').fill('1968');
    await page.getByRole('button', { name: 'Tìm kiếm' }).click();
    await expect.poll(() => results.textContent(), POLL).toContain('Trần Thị Bình');
    expect(await results.textContent()).not.toContain('Nguyễn Văn An');

    await page.getByLabel('Họ và tên').fill('');
    await page.getByLabel('Năm sinh').fill('');
    await page.getByLabel('Mã định danh, CCCD, thẻ BHYT hoặc số điện thoại').fill('068065001234');
    await page.getByRole('button', { name: 'Tìm kiếm' }).click();
    await expect.poll(() => results.textContent(), POLL).toContain('Nguyễn Văn An');
    expect(await page.getByText('Tìm thấy 1 người.').count()).toBe(1);
    await screenshot(page, 'staff-03-search-cccd');
  });

  it('shows a record of 200 entries in under a second, with blood pressure and glucose trend charts', async () => {
    await page.getByLabel('Mã định danh, CCCD, thẻ BHYT hoặc số điện thoại').fill('');
    await page.getByLabel('Năm sinh').fill('');
    await page.getByLabel('Họ và tên').fill('hoang thi nhieu');
    await page.getByRole('button', { name: 'Tìm kiếm' }).click();
    const link = page.getByRole('link', { name: 'Hoàng Thị Nhiều' });
    await link.waitFor();
    // The clock starts in the page, at the click: the figure is the app's, not the test driver's.
    await page.evaluate(() => {
      performance.clearMarks();
      (window as unknown as { t0: number }).t0 = performance.now();
      document.querySelector<HTMLAnchorElement>('a[href="/patients/e2e-hoang-thi-nhieu"]')!.click();
    });
    await page.getByTestId('timeline').waitFor();
    const rendered = await page.evaluate(() => {
      const t0 = (window as unknown as { t0: number }).t0;
      const mark = performance.getEntriesByName('hssk:record-painted')[0];
      const fetched = performance.getEntriesByName('hssk:record-fetched')[0];
      const fetch = performance.getEntriesByType('resource').find((e) => e.name.includes('$everything')) as PerformanceResourceTiming | undefined;
      return { visible: performance.now() - t0, mark: mark ? mark.startTime - t0 : -1, fetch: fetch ? fetch.responseEnd - fetch.startTime : -1, fetched: fetched ? fetched.startTime - t0 : -1 };
    });
    figures.record200SeenByDriverMs = Math.round(rendered.visible);
    figures.record200PaintedMs = Math.round(rendered.mark);
    figures.record200FetchMs = Math.round(rendered.fetch);
    figures.record200FetchedAtMs = Math.round(rendered.fetched);
    // In the app: from the click to the frame after the record was committed.
    expect(rendered.mark).toBeGreaterThan(0);
    // Under a second is the requirement: measured and reported like the first page's figure.
    expect(rendered.mark).toBeLessThan(15_000);
    // The first episodes are painted at once, the rest right after in a background render.
    await expect.poll(() => page.getByTestId('episode').count(), POLL).toBe(40);
    figures.record200CompleteMs = Math.round(await page.evaluate(() => performance.now() - (window as unknown as { t0: number }).t0));
    expect(await page.getByTestId('timeline').textContent()).toContain('Nguồn: Trạm Y tế xã Đức Trọng (mẫu)');
    await screenshot(page, 'staff-04-record-200-timeline');

    await page.getByRole('tab', { name: /Kết quả/ }).click();
    await page.getByTestId('chart-bp').waitFor();
    await page.getByTestId('chart-glucose').waitFor();
    expect(await page.locator('[data-testid="chart-bp"] .recharts-line').count()).toBe(2);
    await screenshot(page, 'staff-05-record-charts');
  });

  it('the demo record shows identifiers, allergy, discharge summary and the source of each item', async () => {
    await page.goto(`${server.baseUrl}/patients/demo-nguyen-van-an`);
    await page.getByTestId('record-header').waitFor();
    const header = await page.getByTestId('record-header').textContent();
    expect(header).toContain('Nguyễn Văn An');
    // Numbered by the server when the commune worker's transaction created it.
    const { rows } = await server.db.pool.query<{ content: string }>(`SELECT content FROM resource WHERE resource_type = 'Patient' AND id = 'demo-nguyen-van-an'`);
    const residentId = (JSON.parse(rows[0]!.content) as Patient).identifier!.find((i) => i.system === 'http://fhir.hssk.vn/sid/resident-id')!.value!;
    expect(isValidResidentId(residentId)).toBe(true);
    expect(header).toContain(`Mã HSSK: ${residentId}`);
    expect(header).toContain('Penicillin');
    const timeline = await page.getByTestId('timeline').textContent();
    expect(timeline).toContain('Nội trú');
    expect(timeline).toContain('Tăng huyết áp');
    expect(timeline).toContain('Uống thuốc đều, ăn nhạt');
    expect(timeline).toContain('Nguồn: Bệnh viện Đa khoa tỉnh Lâm Đồng (mẫu)');
    await page.getByRole('tab', { name: /Kết quả/ }).click();
    await page.getByTestId('chart-bp').waitFor();
    await screenshot(page, 'staff-06-demo-record');
  });

  it('issues a resident account for the resident in front of the worker', async () => {
    await page.getByRole('button', { name: 'Cấp tài khoản cho người dân' }).click();
    await page.getByRole('button', { name: 'Cấp tài khoản và gửi mã kích hoạt' }).click();
    await expect.poll(() => page.getByTestId('account-issued').textContent(), POLL).toMatch(/Mã kích hoạt đã gửi tới số .*678/);
    expect(await latestSms(server.db, '0912345678')).toMatch(/\d{6}/);
    await screenshot(page, 'staff-07-account-issued');
    await page.keyboard.press('Escape');
  });

  it('saves a new QĐ 831 record as one transaction, after explaining invalid fields in Vietnamese', async () => {
    await page.goto(`${server.baseUrl}/patients/new`);
    await page.getByLabel('Họ và tên').fill('Vũ Thị Mai');
    await page.getByLabel('Ngày sinh (dd/mm/yyyy)').fill('31/02/1990');
    await page.getByLabel('CCCD').fill('12345');
    await page.getByRole('button', { name: 'Lưu hồ sơ' }).click();
    await page.getByTestId('form-error').waitFor();
    expect(await page.getByText('Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm, ví dụ 12/03/1965.').count()).toBe(1);
    expect(await page.getByText('Số CCCD gồm đúng 12 chữ số.').count()).toBe(1);
    expect(await page.getByText('Vui lòng chọn giới tính.').count()).toBe(1);
    await screenshot(page, 'staff-08-form-errors');

    await page.getByLabel('Ngày sinh (dd/mm/yyyy)').fill('15/08/1990');
    await page.getByLabel('CCCD').fill('068190009999');
    await page.getByLabel('Giới tính').first().click();
    await page.getByRole('option', { name: 'Nữ' }).click();
    await page.getByLabel('Số điện thoại', { exact: true }).fill('0977000111');
    await page.getByLabel('Địa chỉ thường trú').fill('Thôn 1, xã Đức Trọng, tỉnh Lâm Đồng');
    await page.getByLabel('Mã xã/phường (5 số)').fill('24820');
    await page.getByRole('button', { name: 'B3. Tiền sử bệnh tật, dị ứng' }).click();
    await page.getByRole('button', { name: '+ Thêm dị ứng' }).click();
    await page.getByLabel('Tác nhân gây dị ứng').fill('Hải sản');
    await page.getByRole('button', { name: 'C. Tiêm chủng' }).click();
    await page.getByRole('button', { name: '+ Thêm mũi tiêm' }).click();
    await page.getByLabel('Vắc xin', { exact: true }).fill('Uốn ván (UV1)');
    await page.getByLabel('Mũi', { exact: true }).fill('1');
    await page.getByLabel('Ngày', { exact: true }).fill('10/01/2015');
    await page.getByLabel('Mạch (lần/phút)').fill('78');
    await page.getByLabel('Huyết áp tâm thu (mmHg)').fill('125');
    await page.getByLabel('Huyết áp tâm trương (mmHg)').fill('80');
    await page.getByLabel('Chiều cao (cm)').fill('158');
    await page.getByLabel('Cân nặng (kg)').fill('52');
    expect(await page.getByLabel('BMI (tự tính)').inputValue()).toBe('20,8');
    await page.getByLabel('Chẩn đoán, kết luận').fill('Sức khỏe bình thường');
    await screenshot(page, 'staff-09-form-filled');
    await page.getByRole('button', { name: 'Lưu hồ sơ' }).click();

    await page.locator('[data-testid="record-header"], [data-testid="form-error"]').first().waitFor();
    if (await page.getByTestId('form-error').count()) throw new Error(`save failed: ${await page.getByTestId('form-error').textContent()}`);
    const header = await page.getByTestId('record-header').textContent();
    expect(header).toContain('Vũ Thị Mai');
    expect(header).toContain('Hải sản');
    expect(header).toContain('CCCD: 068190009999');
    await page.getByRole('tab', { name: /Khám sức khỏe/ }).click();
    expect(await page.getByTestId('timeline').textContent()).toContain('Huyết áp: 125/80 mmHg');
    await page.getByRole('tab', { name: /Tiêm chủng/ }).click();
    expect(await page.getByTestId('vaccinations').textContent()).toContain('10/01/2015');
    await screenshot(page, 'staff-10-form-saved-record');

    await page.getByRole('link', { name: 'Cập nhật theo mẫu QĐ 831' }).click();
    await page.getByRole('button', { name: 'Xem bản in' }).first().waitFor();
    expect(await page.getByLabel('Họ và tên').inputValue()).toBe('Vũ Thị Mai');
    await page.evaluate(() => {
      window.print = () => undefined;
    });
    await page.getByRole('button', { name: 'Xem bản in' }).click();
    await page.getByTestId('print-view').waitFor();
    expect(await page.getByTestId('print-view').textContent()).toContain('HỒ SƠ QUẢN LÝ SỨC KHỎE CÁ NHÂN');
    await screenshot(page, 'staff-11-form-print');
    await signOut();
  });

  it('a clinician gets access by an OTP the resident reads from the SMS', async () => {
    await signIn('bs.benhvien');
    await page.getByRole('heading', { name: 'Xin chào, Đỗ Minh Tâm' }).waitFor();
    await page.goto(`${server.baseUrl}/patients/demo-nguyen-van-an`);
    await page.getByTestId('consent-panel').waitFor();
    await screenshot(page, 'staff-12-consent-step');
    await page.getByRole('button', { name: 'Gửi mã OTP cho người dân' }).click();
    await expect.poll(() => page.getByTestId('otp-sent').textContent(), POLL).toMatch(/Đã gửi mã tới số .*678/);
    const code = codeIn(await latestSms(server.db, '0912345678'));
    await page.getByLabel('Mã OTP', { exact: true }).fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await expect.poll(() => page.getByTestId('consent-error').textContent(), POLL).toContain('Mã OTP không đúng');
    await page.getByLabel('Mã OTP', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.getByTestId('record-header').waitFor();
    expect(await page.getByTestId('grant-notice').textContent()).toMatch(/Bạn được xem hồ sơ này đến \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);
    await screenshot(page, 'staff-13-consent-granted');
  });

  it('a clinician uses break-glass only with a stated reason', async () => {
    await page.goto(`${server.baseUrl}/patients/demo-tran-thi-binh`);
    await page.getByTestId('consent-panel').waitFor();
    await page.getByRole('tab', { name: 'Truy cập khẩn cấp' }).click();
    await page.getByRole('button', { name: 'Truy cập khẩn cấp' }).click();
    await expect.poll(() => page.getByTestId('consent-error').textContent(), POLL).toContain('Vui lòng ghi rõ lý do');
    await page.getByLabel('Lý do').fill('Bệnh nhân hôn mê tại cấp cứu, cần biết tiền sử dị ứng');
    await page.getByRole('button', { name: 'Truy cập khẩn cấp' }).click();
    await page.getByTestId('record-header').waitFor();
    expect(await page.getByTestId('grant-notice').textContent()).toContain('Truy cập khẩn cấp');
    expect(await latestSms(server.db, '0987654321')).toContain('truy cap khan cap');
    await screenshot(page, 'staff-14-break-glass');
  });

  it('a hospital uploads an XML 130 file, watches it, reads and downloads the per-episode report', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-xml-')), 'ho-so-68001.xml');
    fs.writeFileSync(file, envelope('68001', [hoso(tablesOf('qd130'))]));
    await page.getByRole('link', { name: 'Nhập dữ liệu' }).click();
    await page.locator('input[type="file"]').setInputFiles(file);
    await page.getByRole('button', { name: 'Gửi tệp' }).click();
    const report = page.getByTestId('import-report');
    await report.waitFor({ timeout: 30_000 });
    expect(await report.textContent()).toMatch(/Số hồ sơ1Đã nhận1Bị từ chối0/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Tải báo cáo chi tiết' }).click();
    expect((await download).suggestedFilename()).toMatch(/^bao-cao-nhap-xml-.*\.json$/);
    await expect.poll(() => page.getByTestId('arrivals').textContent(), POLL).toContain('68001');
    await screenshot(page, 'staff-15-import-report');
    await signOut();
  });

  it('an administrator signs in with TOTP, creates a staff account, reads the SMS outbox, audit and facilities', async () => {
    await signIn('admin.so');
    await page.getByLabel('Mã xác thực (TOTP)').waitFor();
    await page.getByLabel('Mã xác thực (TOTP)').fill(totpCode(server.adminTotpSecret));
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('heading', { name: 'Xin chào, Lê Quản Trị' }).waitFor();
    await page.getByRole('link', { name: 'Quản trị' }).click();
    await page.getByTestId('users').waitFor();
    await page.getByLabel('Tên đăng nhập').fill('nv.hanhchinh');
    await page.getByLabel('Họ và tên').fill('Ngô Văn Hành');
    await page.getByLabel('Vai trò').first().click();
    await page.getByRole('option', { name: 'Nhân viên hành chính' }).click();
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await page.getByText('Bác sĩ và nhân viên hành chính cần mã cơ sở.').waitFor();
    await page.getByLabel('Mã cơ sở (CSKCB)').fill('68001');
    await page.getByRole('button', { name: 'Tạo tài khoản' }).click();
    await expect.poll(() => page.getByTestId('user-created').textContent(), POLL).toContain('Đã tạo tài khoản nv.hanhchinh');
    await expect.poll(() => page.getByTestId('users').textContent(), POLL).toContain('Ngô Văn Hành');
    await screenshot(page, 'staff-16-admin-users');

    await page.getByRole('tab', { name: 'Hộp thư SMS' }).click();
    await expect.poll(() => page.getByTestId('sms').textContent(), POLL).toContain('912345678');
    await screenshot(page, 'staff-17-admin-sms');
    await page.getByRole('tab', { name: 'Nhật ký truy cập' }).click();
    await expect.poll(() => page.getByTestId('audit-verify').textContent(), POLL).toMatch(/Chuỗi nhật ký nguyên vẹn/);
    await screenshot(page, 'staff-18-admin-audit');
    await page.getByRole('tab', { name: 'Cơ sở y tế' }).click();
    await expect.poll(() => page.getByTestId('facilities').textContent(), POLL).toContain('68001');

    await page.getByRole('button', { name: 'EN' }).click().catch(async () => page.getByText('EN', { exact: true }).click());
    await expect.poll(() => page.getByRole('link', { name: 'Administration' }).count(), POLL).toBe(1);
    await screenshot(page, 'staff-19-english');
    await page.getByText('VI', { exact: true }).click();
    expect(errors).toEqual([]);
  });
});
