// Development adapter: messages go to the sms_outbox table, readable by administrators
// (GET /api/admin/sms-outbox, `hssk sms outbox`), never to the logs.
import type { Queryable } from '../store/database.ts';
import type { SmsSender } from './sms-sender.ts';

export function logSmsSender(db: Queryable): SmsSender {
  return {
    async send(to, message) {
      await db.query('INSERT INTO sms_outbox (phone, message) VALUES ($1, $2)', [to, message]);
    },
  };
}
