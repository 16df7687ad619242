// The staff portal's household upload, identity review and connected-software administration in
// a real browser (Debian's Chromium) against a real HSSK server. The review pairs come from the
// real pipeline: a household file with look-alike residents (same name, birth year and commune).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launch, screenshot, signInStaff, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { buildWeb, PASSWORD, startServer, type E2eServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const POLL = { timeout: 30_000 };
const HEADER = 'ma_ho,ho_ten,ngay_sinh,gioi_tinh,so_cccd,ma_bhxh,so_the_bhyt,quan_he_chu_ho,dan_toc,nghe_nghiep,dia_chi,ma_xa,dien_thoai';
const HOUSEHOLDS = [
  HEADER,
  'E2E-H1,Phạm Văn Tùng,1960,Nam,,,,Chủ hộ,Kinh,Nông dân,Thôn 1,24820,0911000001',
  'E2E-H1,Đỗ Thị Lan,1975,Nữ,,,,Vợ,Kinh,Nội trợ,Thôn 1,24820,',
  'E2E-H1,Phạm Văn Sai,31/02/2005,Nam,,,,Con,Kinh,Học sinh,Thôn 1,24820,',
  'E2E-H2,Phạm Văn Tùng,1960,Nam,,,,Chủ hộ,Kinh,Thợ mộc,Thôn 7,24820,0911000002',
  'E2E-H2,Đỗ Thị Lan,1975,Nữ,,,,Vợ,Kinh,Buôn bán,Thôn 7,24820,',
  'E2E-H3,Lê Thị Khác Xã,02/02/1990,Nữ,,,,Chủ hộ,Kinh,,Phường 1,24823,',
].join('\n');

describe.skipIf(!hasChromium)('staff portal: household upload, identity review, connected software', () => {
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dir: string;

  beforeAll(async () => {
    const dist = await buildWeb();
    server = await startServer(dist);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hssk-e2e-hh-'));
    browser = await launch();
    page = await browser.context.newPage();
    errors = watchErrors(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const signIn = (username: string, totpSecret?: string) => signInStaff(page, server.baseUrl, username, PASSWORD, totpSecret);

  async function signOut() {
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await page.getByRole('button', { name: 'Đăng nhập' }).waitFor();
  }

  const patientIds = async (name: string) =>
    (await server.db.pool.query<{ id: string }>(`SELECT id FROM resource WHERE resource_type = 'Patient' AND NOT deleted AND content LIKE $1 ORDER BY rid`, [`%"${name}"%`])).rows.map((r) => r.id);

  it('a commune health worker uploads a household file, watches the import and downloads the rejected rows with reasons', async () => {
    await signIn('yte.ductrong');
    await page.getByRole('link', { name: 'Nhập dữ liệu' }).click();
    const card = page.getByRole('region', { name: 'Nhập danh sách hộ gia đình (CSV/XLSX)' });
    // A file that is not a household list is refused with the reason.
    const wrong = path.join(dir, 'sai-cot.csv');
    fs.writeFileSync(wrong, 'ten,tuoi\nAn,30\n');
    await card.locator('input[type="file"]').setInputFiles(wrong);
    await card.getByRole('button', { name: 'Tải lên và nhập' }).click();
    await expect.poll(() => card.getByRole('alert').textContent(), POLL).toContain('Tệp thiếu cột bắt buộc: ma_ho, ho_ten');

    const file = path.join(dir, 'ho-gia-dinh-xa.csv');
    fs.writeFileSync(file, '\uFEFF' + HOUSEHOLDS);
    await card.locator('input[type="file"]').setInputFiles(file);
    await card.getByRole('button', { name: 'Tải lên và nhập' }).click();
    // The job's progress shows from the moment the file is accepted until the import ends.
    await page.getByTestId('household-progress').waitFor();
    expect(await page.getByRole('progressbar', { name: 'Tiến độ nhập' }).count()).toBe(1);
    const job = page.getByTestId('household-job');
    await expect.poll(() => job.textContent(), POLL).toContain('Đã nhập xong 5 dòng, 2 hộ');
    const counts = await page.getByTestId('household-counts').textContent();
    // 2 new residents, 2 look-alikes waiting for review, 1 bad date + 1 other commune rejected.
    expect(counts).toMatch(/Hồ sơ mới2.*Chờ xét trùng2.*Bị từ chối2/);
    expect(await job.textContent()).toContain('Chỉ nhập các dòng của xã/phường 24820');
    // Not ticked as the commune's complete list (the default): no commune is recorded as fully listed.
    expect(await card.getByRole('checkbox', { name: 'Đây là danh sách đầy đủ các hộ của xã/phường' }).isChecked()).toBe(false);
    expect(await page.getByTestId('household-coverage').textContent()).toContain('không được khai là danh sách đầy đủ');
    expect((await server.db.pool.query('SELECT commune FROM household_coverage')).rows).toEqual([]);
    await screenshot(page, 'staff-hh-01-import-done');

    const download = page.waitForEvent('download');
    await page.getByTestId('household-rejected').click();
    const saved = path.join(dir, 'rejected.csv');
    await (await download).saveAs(saved);
    const csv = fs.readFileSync(saved, 'utf8').replace(/^\uFEFF/, '');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toBe(`dong,${HEADER},ly_do`);
    expect(lines).toHaveLength(3);
    expect(csv).toMatch(/Phạm Văn Sai.*ngay_sinh: .*không tồn tại/);
    expect(csv).toMatch(/Lê Thị Khác Xã.*không thuộc phạm vi của bạn/);
    expect(await patientIds('Lê Thị Khác Xã')).toHaveLength(0);
    expect(await patientIds('Phạm Văn Tùng')).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it('the commune health worker reviews the look-alikes side by side: keeps one pair separate and links the other', async () => {
    await page.getByRole('link', { name: 'Xét trùng hồ sơ' }).click();
    const queue = page.getByTestId('review-queue');
    await expect.poll(() => queue.getByRole('region').count(), POLL).toBe(2);
    const tung = queue.getByRole('region', { name: 'Phạm Văn Tùng — Phạm Văn Tùng' });
    // The differing fields carry a "khác" mark (not colour alone): the phone and the address differ, the name does not.
    const phoneRow = tung.getByRole('row', { name: /^Điện thoại/ });
    expect(await phoneRow.textContent()).toMatch(/Điện thoại khác.*0911000002.*0911000001/);
    expect(await tung.getByRole('row', { name: /^Họ và tên/ }).textContent()).not.toContain('khác');
    expect(await tung.locator('tr[data-differs]').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'staff-hh-02-review-pair');

    await tung.getByRole('button', { name: 'Hai người khác nhau — giữ riêng' }).click();
    await expect.poll(() => queue.getByRole('region').count(), POLL).toBe(1);
    const lan = queue.getByRole('region', { name: 'Đỗ Thị Lan — Đỗ Thị Lan' });
    // Keyboard only: focus the link button and press Enter.
    await lan.getByRole('button', { name: 'Cùng một người — liên kết' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('empty').textContent(), POLL).toBe('Không có cặp hồ sơ nào chờ xét.');
    // Not an administrator: no manual merge and no undo here.
    expect(await page.getByRole('region', { name: 'Các lần gộp đang có hiệu lực' }).count()).toBe(0);

    const lanIds = await patientIds('Đỗ Thị Lan');
    const links = await server.db.pool.query('SELECT source_id, survivor_id FROM identity_link WHERE undone_at IS NULL');
    expect(links.rows).toEqual([{ source_id: lanIds[1], survivor_id: lanIds[0] }]);
    const separate = await server.db.pool.query(`SELECT count(*)::int AS n FROM identity_review WHERE status = 'separate'`);
    expect(separate.rows[0].n).toBe(1);
    await screenshot(page, 'staff-hh-03-review-empty');
    await signOut();
  });

  it('an administrator merges two records by hand, then undoes merges (unmerge) from the list', async () => {
    await signIn('admin.so', server.adminTotpSecret);
    await page.getByRole('link', { name: 'Xét trùng hồ sơ' }).click();
    const merges = page.getByTestId('recent-merges');
    await expect.poll(() => merges.textContent(), POLL).toContain('Đỗ Thị Lan');

    const [tungOld, tungNew] = await patientIds('Phạm Văn Tùng');
    await page.getByLabel('Mã hồ sơ bị gộp').fill(tungNew!);
    await page.getByLabel('Mã hồ sơ giữ lại').fill(tungOld!);
    await page.getByRole('button', { name: 'Gộp hồ sơ', exact: true }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Đã gộp hai hồ sơ.' }).count(), POLL).toBe(1);
    await expect.poll(() => merges.getByRole('row').count(), POLL).toBe(3);
    // Merging a record that is already merged away is refused in words.
    await page.getByLabel('Mã hồ sơ bị gộp').fill(tungNew!);
    await page.getByLabel('Mã hồ sơ giữ lại').fill(tungOld!);
    await page.getByRole('button', { name: 'Gộp hồ sơ', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent(), POLL).toContain('đã được gộp vào hồ sơ khác');
    await screenshot(page, 'staff-hh-04-merges');

    await merges.getByRole('button', { name: 'Hoàn tác lần gộp hồ sơ Phạm Văn Tùng' }).click();
    await expect.poll(() => merges.getByRole('row').count(), POLL).toBe(2);
    await merges.getByRole('button', { name: 'Hoàn tác lần gộp hồ sơ Đỗ Thị Lan' }).click();
    await expect.poll(() => merges.textContent(), POLL).toContain('Chưa có lần gộp hồ sơ nào.');
    const active = await server.db.pool.query(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'Patient' AND content LIKE '%"active":false%'`);
    expect(active.rows[0].n).toBe(0);
    const undone = await server.db.pool.query('SELECT count(*)::int AS n FROM identity_link WHERE undone_at IS NOT NULL');
    expect(undone.rows[0].n).toBe(2);
    expect(errors).toEqual([]);
  });

  it('an administrator registers connected software, sees its secret once, and revokes it', async () => {
    await page.getByRole('link', { name: 'Quản trị' }).click();
    await page.getByRole('tab', { name: 'Phần mềm kết nối' }).click();
    await page.getByLabel('Tên phần mềm').fill('Phần mềm BV Đa khoa Lâm Đồng');
    await page.getByLabel('Mã cơ sở (CSKCB)').fill('68001');
    await page.getByLabel('Phạm vi quyền').fill('system/Patient.read');
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await expect.poll(() => page.getByTestId('client-created').textContent(), POLL).toMatch(/client_secret\): [A-Za-z0-9_-]{20,}/);
    const clients = page.getByTestId('clients');
    await expect.poll(() => clients.textContent(), POLL).toContain('Phần mềm BV Đa khoa Lâm Đồng');
    // A scope that is not system/… is refused with the server's explanation.
    await page.getByLabel('Tên phần mềm').fill('Sai phạm vi');
    await page.getByLabel('Phạm vi quyền').fill('patient/*.read');
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent(), POLL).toContain('Phạm vi quyền không hợp lệ');
    await screenshot(page, 'staff-hh-05-clients');

    page.once('dialog', (d) => void d.accept());
    await clients.getByRole('button', { name: 'Thu hồi quyền kết nối của Phần mềm BV Đa khoa Lâm Đồng' }).click();
    await expect.poll(() => clients.textContent(), POLL).toContain('Đã thu hồi');
    const row = await server.db.pool.query(`SELECT disabled FROM oauth_client WHERE name = 'Phần mềm BV Đa khoa Lâm Đồng'`);
    expect(row.rows[0].disabled).toBe(true);

    await page.getByRole('tab', { name: 'Dữ liệu gửi về theo cơ sở' }).click();
    await expect.poll(async () => (await page.getByTestId('empty').count()) + (await page.getByTestId('arrivals').count()), POLL).toBe(1);
    expect(errors).toEqual([]);
  });
});
