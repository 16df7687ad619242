import { normalisePhone } from '../../sms/phone.ts';
import { readOutbox } from '../../sms/outbox.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags } from './flags.ts';

export const smsOutboxCommand: Command = {
  path: ['sms', 'outbox'],
  summary: 'Xem tin nhắn SMS đã gửi qua bộ chuyển đổi log (development SMS outbox)',
  usage: 'hssk sms outbox [--phone 09xxxxxxxx] [--limit N]\n\nShows the newest messages kept by the `log` SMS adapter, newest first.',
  async run(args, { config, out }) {
    const flags = parseFlags(args, ['phone', 'limit']);
    const rawPhone = optional(flags, 'phone');
    const phone = rawPhone === undefined ? undefined : normalisePhone(rawPhone);
    if (rawPhone !== undefined && !phone) throw new UsageError(`Số điện thoại không hợp lệ: ${rawPhone}`);
    const limit = Number(optional(flags, 'limit') ?? 20);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit phải là số nguyên dương');
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      for (const m of await readOutbox(db.pool, { limit, ...(phone ? { phone } : {}) })) {
        out(`${m.createdAt.toISOString()}  ${m.phone}  ${m.message}`);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};
