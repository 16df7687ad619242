// Sending pending reminders whose time has come, only inside the sending window. A reminder is
// claimed (pending → sending) by one UPDATE … RETURNING before it is sent, so concurrent
// dispatchers never send the same one twice.
import type { Patient } from '@medplum/fhirtypes';
import { normalisePhone } from '../../sms/phone.ts';
import type { SmsSender } from '../../sms/sms-sender.ts';
import type { Queryable } from '../../store/database.ts';
import type { PushSender } from './push.ts';
import { DEFAULT_WINDOW, inSendWindow, type SendWindow } from './quiet-hours.ts';

export interface DispatchDeps {
  db: Queryable;
  sms: SmsSender;
  push: PushSender;
  window?: SendWindow;
  now?: Date;
  limit?: number;
}

export interface DispatchResult {
  sent: number;
  failed: number;
  /** True when nothing was sent because it is quiet hours. */
  quiet: boolean;
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

export async function dispatchReminders(deps: DispatchDeps): Promise<DispatchResult> {
  const now = deps.now ?? new Date();
  if (!inSendWindow(now, deps.window ?? DEFAULT_WINDOW)) return { sent: 0, failed: 0, quiet: true };
  const { rows } = await deps.db.query<{ key: string; recipient_id: string; channel: string; message: string }>(
    `UPDATE reminder SET status = 'sending', attempts = attempts + 1
     WHERE key IN (SELECT key FROM reminder WHERE status = 'pending' AND not_before <= $1 ORDER BY not_before LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING key, recipient_id, channel, message`,
    [now.toISOString(), deps.limit ?? 500],
  );
  let sent = 0;
  let failed = 0;
  for (const r of rows) {
    try {
      if (r.channel === 'push') {
        const { rows: subs } = await deps.db.query<{ endpoint: string; p256dh: string; auth: string }>(
          'SELECT endpoint, p256dh, auth FROM push_subscription WHERE patient_id = $1 AND revoked_at IS NULL',
          [r.recipient_id],
        );
        if (subs.length === 0) throw new Error('Chưa đăng ký nhận thông báo đẩy.');
        for (const s of subs) await deps.push.send(s, { title: 'HSSK', body: r.message });
      } else {
        const phone = await phoneOf(deps.db, r.recipient_id);
        if (!phone) throw new Error('Không có số điện thoại.');
        await deps.sms.send(phone, r.message);
      }
      await deps.db.query(`UPDATE reminder SET status = 'sent', sent_at = now(), last_error = NULL WHERE key = $1`, [r.key]);
      sent++;
    } catch (err) {
      await deps.db.query(`UPDATE reminder SET status = 'failed', last_error = $2 WHERE key = $1`, [r.key, (err as Error).message.slice(0, 200)]);
      failed++;
    }
  }
  return { sent, failed, quiet: false };
}
