// Sending pending reminders whose time has come, only inside the sending window. A reminder is
// claimed (pending → sending) by one UPDATE … RETURNING before it is sent, so concurrent
// dispatchers never send the same one twice. Each attempt on each channel and device is kept in
// reminder_delivery; the reminder is 'sent' when at least one channel delivered it. A push that
// failed only for a passing reason (push service busy or unreachable) is tried again later.
import type { Patient } from '@medplum/fhirtypes';
import { normalisePhone } from '../../sms/phone.ts';
import type { SmsSender } from '../../sms/sms-sender.ts';
import type { Queryable } from '../../store/database.ts';
import { PushDeliveryError, type PushPayload, type PushSender } from './push.ts';
import { DEFAULT_WINDOW, inSendWindow, type SendWindow } from './quiet-hours.ts';
import { activeSubscriptions } from './subscriptions.ts';

export interface DispatchDeps {
  db: Queryable;
  sms: SmsSender;
  push: PushSender;
  window?: SendWindow;
  now?: Date;
  limit?: number;
}

/** Tries of a reminder whose push failed for a passing reason, and the wait between them. */
export const PUSH_RETRY = { attempts: 3, delayMs: 15 * 60_000 };

export interface DispatchResult {
  sent: number;
  failed: number;
  /** True when nothing was sent because it is quiet hours. */
  quiet: boolean;
}

interface ClaimedReminder {
  key: string;
  attempts: number;
  recipient_id: string;
  kind: string;
  channel: string;
  sms_fallback: boolean;
  message: string;
}

const PUSH_TITLES: Record<string, string> = {
  vaccination: 'Nhắc lịch tiêm chủng',
  appointment: 'Nhắc lịch hẹn khám',
  medication: 'Nhắc dùng thuốc',
  'ncd-follow-up': 'Nhắc lịch tái khám',
};

export function pushPayloadOf(r: { key: string; kind: string; message: string }): PushPayload {
  return {
    title: PUSH_TITLES[r.kind] ?? 'HSSK',
    // The SMS text names the sender; a notification already shows the app's name and icon.
    body: r.message.replace(/^HSSK:\s*/, ''),
    url: '/app/?tab=remind',
    tag: r.kind,
  };
}

async function phoneOf(q: Queryable, patientId: string): Promise<string | undefined> {
  const { rows } = await q.query<{ phone: string | null; content: string | null }>(
    `SELECT (SELECT phone FROM resident_account WHERE patient_id = $1 AND status <> 'disabled') AS phone,
            (SELECT content FROM resource WHERE resource_type = 'Patient' AND id = $1 AND NOT deleted) AS content`,
    [patientId],
  );
  const row = rows[0];
  if (row?.phone) return row.phone;
  const patient = row?.content ? (JSON.parse(row.content) as Patient) : undefined;
  for (const t of patient?.telecom ?? []) {
    if (t.system === 'phone' && t.value) {
      const p = normalisePhone(t.value);
      if (p) return p;
    }
  }
  return undefined;
}

interface Attempt {
  channel: 'push' | 'sms';
  subscriptionId?: number;
  outcome: 'sent' | 'failed' | 'gone';
  statusCode?: number;
  error?: string;
}

async function record(q: Queryable, key: string, a: Attempt): Promise<void> {
  await q.query(
    'INSERT INTO reminder_delivery (reminder_key, channel, subscription_id, outcome, status_code, error) VALUES ($1, $2, $3, $4, $5, $6)',
    [key, a.channel, a.subscriptionId ?? null, a.outcome, a.statusCode ?? null, a.error?.slice(0, 200) ?? null],
  );
}

interface PushOutcome {
  delivered: boolean;
  /** Some device failed for a reason that may pass (5xx, 429, network): worth another try. */
  transient: boolean;
}

/** 429 and 5xx (RFC 8030 §8.4), or no answer at all: the push service may take it later. */
function isTransient(e: PushDeliveryError): boolean {
  return e.statusCode === undefined || e.statusCode === 429 || e.statusCode >= 500;
}

/** Pushes to every device of the recipient. */
async function sendPush(deps: DispatchDeps, r: ClaimedReminder, errors: string[]): Promise<PushOutcome> {
  const subs = await activeSubscriptions(deps.db, r.recipient_id);
  if (subs.length === 0) {
    const error = 'Chưa đăng ký nhận thông báo đẩy.';
    await record(deps.db, r.key, { channel: 'push', outcome: 'failed', error });
    errors.push(error);
    return { delivered: false, transient: false };
  }
  const payload = pushPayloadOf(r);
  let delivered = false;
  let transient = false;
  for (const s of subs) {
    try {
      await deps.push.send(s, payload);
      await deps.db.query('UPDATE push_subscription SET last_success_at = now() WHERE id = $1', [s.id]);
      await record(deps.db, r.key, { channel: 'push', subscriptionId: s.id, outcome: 'sent' });
      delivered = true;
    } catch (err) {
      const e = err instanceof PushDeliveryError ? err : new PushDeliveryError((err as Error).message);
      // 404/410: the browser dropped the subscription; keeping it would fail forever.
      if (e.gone) await deps.db.query('DELETE FROM push_subscription WHERE id = $1', [s.id]);
      await record(deps.db, r.key, { channel: 'push', subscriptionId: s.id, outcome: e.gone ? 'gone' : 'failed', ...(e.statusCode ? { statusCode: e.statusCode } : {}), error: e.message });
      errors.push(e.message);
      if (!e.gone && isTransient(e)) transient = true;
    }
  }
  return { delivered, transient };
}

async function sendSms(deps: DispatchDeps, r: ClaimedReminder, errors: string[]): Promise<boolean> {
  try {
    const phone = await phoneOf(deps.db, r.recipient_id);
    if (!phone) throw new Error('Không có số điện thoại.');
    await deps.sms.send(phone, r.message);
    await record(deps.db, r.key, { channel: 'sms', outcome: 'sent' });
    return true;
  } catch (err) {
    const error = (err as Error).message;
    await record(deps.db, r.key, { channel: 'sms', outcome: 'failed', error });
    errors.push(error);
    return false;
  }
}

export async function dispatchReminders(deps: DispatchDeps): Promise<DispatchResult> {
  const now = deps.now ?? new Date();
  if (!inSendWindow(now, deps.window ?? DEFAULT_WINDOW)) return { sent: 0, failed: 0, quiet: true };
  const { rows } = await deps.db.query<ClaimedReminder>(
    `UPDATE reminder SET status = 'sending', attempts = attempts + 1
     WHERE key IN (SELECT key FROM reminder WHERE status = 'pending' AND not_before <= $1 ORDER BY not_before LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING key, attempts, recipient_id, kind, channel, sms_fallback, message`,
    [now.toISOString(), deps.limit ?? 500],
  );
  let sent = 0;
  let failed = 0;
  for (const r of rows) {
    const via: string[] = [];
    const errors: string[] = [];
    const wantsPush = r.channel === 'push' || r.channel === 'both';
    const push = wantsPush ? await sendPush(deps, r, errors) : { delivered: false, transient: false };
    const pushed = push.delivered;
    if (pushed) via.push('push');
    // SMS: chosen on its own or with push, or as the fallback of a push that reached no device.
    if (r.channel === 'sms' || r.channel === 'both' || (r.channel === 'push' && r.sms_fallback && !pushed)) {
      if (await sendSms(deps, r, errors)) via.push('sms');
    }
    if (via.length === 0 && push.transient && r.attempts < PUSH_RETRY.attempts) {
      // Back to pending: the claim and the window rules apply again to the next try.
      await deps.db.query(`UPDATE reminder SET status = 'pending', not_before = $2, last_error = $3 WHERE key = $1`, [
        r.key,
        new Date(now.getTime() + PUSH_RETRY.delayMs).toISOString(),
        (errors[0] ?? '').slice(0, 200),
      ]);
      failed++;
    } else if (via.length > 0) {
      await deps.db.query(`UPDATE reminder SET status = 'sent', sent_at = now(), delivered_via = $2, last_error = $3 WHERE key = $1`, [r.key, via.join(','), errors[0]?.slice(0, 200) ?? null]);
      sent++;
    } else {
      await deps.db.query(`UPDATE reminder SET status = 'failed', last_error = $2 WHERE key = $1`, [r.key, (errors[0] ?? 'Không có kênh gửi.').slice(0, 200)]);
      failed++;
    }
  }
  return { sent, failed, quiet: false };
}
