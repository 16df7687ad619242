// The national sync page in a real browser (Debian's Chromium): a province server whose
// configured receiver is a real HSSK hub on another port. The hub first refuses the province's
// client (not yet bound to province 68), so changes become dead letters an administrator sees
// with the hub's reason and replays; then the hub goes down and the page shows the failure.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/auth/totp.ts';
import { bindProvinceClient } from '../../src/sync/hub-guard.ts';
import { SyncTarget } from '../../src/sync/target.ts';
import { SyncWorker } from '../../src/sync/worker.ts';
import { provinceClient, startInstance, type Instance } from '../sync/harness.ts';
import { hasChromium, launch, screenshot, SKIP_MESSAGE, watchErrors, type Browser } from './support/browser.ts';
import { apiSession, buildWeb, PASSWORD, startServer, type E2eServer } from './support/server.ts';

if (!hasChromium) console.warn(SKIP_MESSAGE);

const POLL = { timeout: 15_000 };

describe.skipIf(!hasChromium)('national sync page in the browser', () => {
  let hub: Instance;
  let server: E2eServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let worker: SyncWorker;
  let clientId: string;

  beforeAll(async () => {
    const dist = await buildWeb();
    hub = await startInstance({ HSSK_MODE: 'hub' });
    const client = await provinceClient(hub, 'Sở Y tế Lâm Đồng');
    clientId = client.clientId;
    const target = `${hub.url}/fhir`;
    server = await startServer(dist, { HSSK_SYNC_TARGET: target, HSSK_SYNC_CLIENT_ID: client.clientId, HSSK_SYNC_CLIENT_SECRET: client.clientSecret });
    worker = new SyncWorker({ db: server.db, target: new SyncTarget({ baseUrl: target, clientId: client.clientId, clientSecret: client.clientSecret, timeoutMs: 5_000 }), province: '68' });
    browser = await launch();
    page = await browser.context.newPage();
    errors = watchErrors(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await hub?.close().catch(() => undefined);
  });

  const figure = (id: string) => page.getByTestId(id).textContent();
  const refresh = async () => {
    await page.getByRole('button', { name: 'Làm mới' }).click();
    await page.getByTestId('sync-queue').waitFor();
  };

  it('an administrator opens the sync page: receiver, queue, no refusals yet, health book not configured', async () => {
    await page.goto(`${server.baseUrl}/`);
    await page.getByLabel('Tên đăng nhập').fill('admin.so');
    await page.getByLabel(/^Mật khẩu/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByLabel('Mã xác thực (TOTP)').fill(totpCode(server.adminTotpSecret));
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('link', { name: 'Đồng bộ quốc gia' }).click();
    await page.getByRole('heading', { name: 'Đồng bộ quốc gia' }).waitFor();
    await expect.poll(() => figure('sync-target'), POLL).toBe(`${hub.url}/fhir`);
    await page.getByText('Không có thay đổi nào bị từ chối.').waitFor();
    await page.getByTestId('healthbook-off').waitFor();
    expect(await figure('sync-last-success')).toBe('Chưa có');
    await screenshot(page, 'staff-sync-1-empty');
  });

  it("changes the hub refuses are listed with the hub's reason and replayed one by one or all at once", async () => {
    const nurse = await apiSession(server, 'yte.ductrong');
    await nurse.post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: ['Nguyễn Văn Bình', 'Lê Thị Cúc'].map((text, i) => ({
        resource: { resourceType: 'Patient', id: `e2e-sync-${i}`, name: [{ text }], gender: i ? 'female' : 'male', address: [{ postalCode: '24820' }] },
        request: { method: 'PUT', url: `Patient/e2e-sync-${i}` },
      })),
    });
    await refresh();
    expect(Number(await figure('sync-queue'))).toBeGreaterThanOrEqual(2);
    expect(await figure('sync-lag')).toMatch(/giây|phút/);

    // The province's client is not bound to province 68 on the hub: every change is refused (403).
    expect(await worker.runOnce()).toBe('pushed');
    await refresh();
    const rows = page.getByTestId('dead-letters').locator('tbody tr');
    await expect.poll(() => rows.count(), POLL).toBeGreaterThanOrEqual(2);
    const refused = await rows.count();
    expect(await figure('sync-dead-count')).toBe(String(refused));
    expect(await figure('sync-queue')).toBe('0');
    await expect.poll(() => page.getByTestId('dead-letters').textContent(), POLL).toContain('Patient/e2e-sync-0');
    expect(await page.getByTestId('dead-letters').textContent()).toContain('không được ghi hồ sơ của tỉnh khác');
    expect(await rows.first().textContent()).toContain('403');
    await screenshot(page, 'staff-sync-2-dead-letters');

    // The administrator binds the client on the hub, then replays.
    await bindProvinceClient(hub.db.pool, clientId, '68');
    await rows.first().getByRole('button', { name: 'Gửi lại' }).click();
    await expect.poll(() => page.getByTestId('sync-message').textContent(), POLL).toBe('Đã đưa 1 thay đổi trở lại hàng đợi.');
    await expect.poll(() => rows.count(), POLL).toBe(refused - 1);
    await page.getByRole('button', { name: 'Gửi lại tất cả' }).click();
    await expect.poll(() => page.getByTestId('sync-message').textContent(), POLL).toBe(`Đã đưa ${refused - 1} thay đổi trở lại hàng đợi.`);
    await page.getByText('Không có thay đổi nào bị từ chối.').waitFor();
    await refresh();
    expect(await figure('sync-queue')).toBe(String(refused));

    expect(await worker.runOnce()).toBe('pushed');
    await refresh();
    expect(await figure('sync-queue')).toBe('0');
    expect(Number(await figure('sync-pushed'))).toBeGreaterThanOrEqual(2);
    expect(await figure('sync-last-success')).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    const { rows: onHub } = await hub.db.pool.query(`SELECT id FROM resource WHERE resource_type = 'Patient' AND id LIKE 'e2e-sync-%' AND NOT deleted`);
    expect(onHub).toHaveLength(2);
    await screenshot(page, 'staff-sync-3-replayed');
  });

  it('with the hub down, the page shows the queue waiting, the failure and its error', async () => {
    await hub.close();
    const nurse = await apiSession(server, 'yte.ductrong');
    await nurse.post('/fhir', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: { resourceType: 'Patient', id: 'e2e-sync-9', name: [{ text: 'Phạm Văn Dũng' }], address: [{ postalCode: '24820' }] }, request: { method: 'PUT', url: 'Patient/e2e-sync-9' } }],
    });
    expect(await worker.runOnce()).toBe('failed');
    await refresh();
    expect(await figure('sync-queue')).toBe('1');
    await page.getByText('Đang lỗi').waitFor();
    expect(await figure('sync-failures')).toMatch(/^1 \/ 1$/);
    expect(await page.getByTestId('sync-last-error').textContent()).toContain('network');
    await screenshot(page, 'staff-sync-4-receiver-down');
    expect(errors).toEqual([]);
  });
});
