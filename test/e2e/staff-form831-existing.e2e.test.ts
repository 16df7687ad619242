// A QĐ 831 registration of someone who already has a record, in a real browser (Debian's
// Chromium) against a real HSSK server (issue 3): a hospital clinician who may not read the
// record is told so in Vietnamese, with its id and the consent step — never sent to a page they
// cannot open — and opens it once the resident reads out the OTP; a commune health worker who
// may read it is taken to it. Screenshots in test-results/.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, signInStaff, watchErrors, type Browser } from './support/browser.ts';
import { apiSession, buildWeb, codeIn, DEMO_COMMUNE, latestSms, PASSWORD, startServer, type E2eServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const POLL = { timeout: 15_000 };
const CCCD = '068191007788';
const PHONE = '0912007788';
const NAME = 'Trần Thị Ngọc Ánh';

describe.skipIf(!hasChromium)('a QĐ 831 form for someone who already has a record', () => {
  let server: E2eServer;
  let browser: Browser;
  let errors: string[];
  let recordId: string;

  beforeAll(async () => {
    const dist = await buildWeb();
    server = await startServer(dist);
    // Registered by the commune health station: the hospital's clinician may not read it.
    const worker = await apiSession(server, 'yte.ductrong');
    const created = (await worker.post('/fhir/Patient', {
      resourceType: 'Patient',
      identifier: [{ system: 'http://fhir.ehealth.gov.vn/core/sid/national_id', value: CCCD }],
      name: [{ text: NAME, family: 'Trần', given: ['Thị', 'Ngọc', 'Ánh'] }],
      gender: 'female',
      birthDate: '1991-06-15',
      telecom: [{ system: 'phone', value: PHONE, use: 'mobile' }],
      address: [{ text: 'Thôn 3, xã Đức Trọng', extension: [{ url: 'http://fhir.hssk.vn/StructureDefinition/address-commune', valueCode: DEMO_COMMUNE }] }],
    })) as { id: string };
    recordId = created.id;
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function fillForm(page: Page): Promise<void> {
    await page.goto(`${server.baseUrl}/patients/new`);
    await page.getByLabel('Họ và tên').fill(NAME);
    await page.getByLabel('Ngày sinh (dd/mm/yyyy)').fill('15/06/1991');
    await page.getByLabel('CCCD').fill(CCCD);
    await page.getByLabel('Giới tính').first().click();
    await page.getByRole('option', { name: 'Nữ' }).click();
    await page.getByLabel('Mạch (lần/phút)').fill('76');
    await page.getByRole('button', { name: 'Lưu hồ sơ' }).click();
  }

  it('a clinician who may not read it is told in Vietnamese, with the id and the consent step, and opens it with the OTP', async () => {
    const page = await browser.context.newPage();
    errors = watchErrors(page);
    await signInStaff(page, server.baseUrl, 'bs.benhvien', PASSWORD);
    await fillForm(page);

    const notice = page.getByTestId('existing-record');
    await notice.waitFor({ timeout: 15_000 });
    const text = await notice.textContent();
    expect(text).toContain(`Người này đã có hồ sơ trên hệ thống (mã ${recordId})`);
    expect(text).toContain('Bạn cần sự đồng ý của người dân (OTP) để xem hồ sơ');
    expect(page.url()).toContain('/patients/new');
    // Nothing of the record before consent: neither its phone nor its address.
    expect(text).not.toMatch(/7788|Thôn 3/);
    await screenshot(page, 'staff-form831-existing-hidden');

    await page.getByRole('button', { name: 'Gửi mã OTP cho người dân' }).click();
    await expect.poll(() => page.getByTestId('otp-sent').textContent(), POLL).toMatch(/Đã gửi mã tới số .*788/);
    await page.getByLabel('Mã OTP', { exact: true }).fill(codeIn(await latestSms(server.db, PHONE)));
    await page.getByRole('button', { name: 'Xác nhận' }).click();
    await page.getByTestId('record-header').waitFor({ timeout: 15_000 });
    expect(page.url()).toContain(`/patients/${recordId}`);
    expect(await page.getByTestId('record-header').textContent()).toContain(NAME);
    await screenshot(page, 'staff-form831-existing-opened-after-consent');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a commune health worker who may read it is taken to that record, told it already existed', async () => {
    const page = await browser.context.newPage();
    errors = watchErrors(page);
    await page.context().clearCookies();
    await signInStaff(page, server.baseUrl, 'yte.ductrong', PASSWORD);
    await fillForm(page);
    await page.getByTestId('record-header').waitFor({ timeout: 15_000 });
    expect(page.url()).toContain(`/patients/${recordId}`);
    expect(await page.getByTestId('existing-record-opened').textContent()).toContain('Người này đã có hồ sơ trên hệ thống');
    expect(await page.getByTestId('record-header').textContent()).toContain(NAME);
    // One record for the person, whatever was saved.
    const { rows } = await server.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Patient' AND NOT deleted AND content LIKE $1`, [`%${CCCD}%`]);
    expect(rows[0]!.n).toBe(1);
    await screenshot(page, 'staff-form831-existing-readable');
    expect(errors).toEqual([]);
    await page.close();
  });
});
