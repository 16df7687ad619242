// Residents' web-push subscriptions (the PushSubscription a browser hands the app), one per
// device, owned by the resident account that subscribed. The server will POST to the endpoint,
// so only https endpoints on the configured push services are accepted (no request forgery
// towards internal hosts).
import type { Queryable } from '../../store/database.ts';
import type { PushSubscriptionKeys } from './push.ts';

export interface NewSubscription extends PushSubscriptionKeys {
  patientId: string;
  accountId: string;
  /** A short label of the device, e.g. "Chrome trên Android" (shown back to the resident). */
  device?: string;
}

/** Why an endpoint is refused, or undefined when it may be used. */
export function endpointProblem(endpoint: string, allowedHosts: readonly string[] | '*'): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'Địa chỉ đăng ký không hợp lệ.';
  }
  if (url.protocol !== 'https:') return 'Địa chỉ đăng ký phải dùng https.';
  if (url.username || url.password) return 'Địa chỉ đăng ký không được chứa thông tin đăng nhập.';
  if (allowedHosts === '*') return undefined;
  const host = url.hostname.toLowerCase();
  if (allowedHosts.some((h) => host === h || host.endsWith(`.${h}`))) return undefined;
  return `Dịch vụ thông báo đẩy ${host} không được chấp nhận.`;
}

export async function saveSubscription(q: Queryable, s: NewSubscription): Promise<void> {
  // The same endpoint again (the browser re-subscribed, or another account signed in on the
  // device) moves it to this account: a device delivers to whoever subscribed last.
  await q.query(
    `INSERT INTO push_subscription (patient_id, account_id, device, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (endpoint) DO UPDATE SET patient_id = EXCLUDED.patient_id, account_id = EXCLUDED.account_id, device = EXCLUDED.device,
       p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, revoked_at = NULL, created_at = now()`,
    [s.patientId, s.accountId, s.device ?? null, s.endpoint, s.p256dh, s.auth],
  );
}

/** Removes the caller's own subscription; false when there was none. */
export async function removeSubscription(q: Queryable, patientId: string, endpoint: string): Promise<boolean> {
  const res = await q.query('DELETE FROM push_subscription WHERE patient_id = $1 AND endpoint = $2', [patientId, endpoint]);
  return (res.rowCount ?? 0) > 0;
}

export interface ActiveSubscription extends PushSubscriptionKeys {
  id: number;
}

export async function activeSubscriptions(q: Queryable, patientId: string): Promise<ActiveSubscription[]> {
  const { rows } = await q.query<{ id: string; endpoint: string; p256dh: string; auth: string }>(
    'SELECT id, endpoint, p256dh, auth FROM push_subscription WHERE patient_id = $1 AND revoked_at IS NULL ORDER BY id',
    [patientId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** Devices of a resident, without the endpoints (capability URLs) or keys. */
export async function listDevices(q: Queryable, patientId: string): Promise<Array<{ id: number; device: string | null; createdAt: Date; lastSuccessAt: Date | null }>> {
  const { rows } = await q.query<{ id: string; device: string | null; created_at: Date; last_success_at: Date | null }>(
    'SELECT id, device, created_at, last_success_at FROM push_subscription WHERE patient_id = $1 AND revoked_at IS NULL ORDER BY id',
    [patientId],
  );
  return rows.map((r) => ({ id: Number(r.id), device: r.device, createdAt: r.created_at, lastSuccessAt: r.last_success_at }));
}

export async function subscriptionExists(q: Queryable, patientId: string, endpoint: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM push_subscription WHERE patient_id = $1 AND endpoint = $2 AND revoked_at IS NULL', [patientId, endpoint]);
  return rows.length > 0;
}
