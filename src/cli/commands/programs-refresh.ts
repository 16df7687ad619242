// `hssk programs refresh`: recompute every resident's programme state and worklists now (the
// scheduler does it nightly); `hssk programs reminders`: produce and send due reminders once.
import { refreshAll } from '../../programs/state/refresh.ts';
import { dispatchReminders } from '../../programs/reminders/dispatch.ts';
import { produceReminders } from '../../programs/reminders/produce.ts';
import { loadVapidKeys } from '../../programs/reminders/vapid-keys.ts';
import { webPushSender } from '../../programs/reminders/web-push-sender.ts';
import { logSmsSender } from '../../sms/log-sms.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags } from './flags.ts';

export const programsRefreshCommand: Command = {
  path: ['programs', 'refresh'],
  summary: 'Tính lại trạng thái chương trình và danh sách công việc (recompute programme worklists)',
  usage: 'hssk programs refresh [--commune MA_XA] [--as-of yyyy-mm-dd] [--batch 1000]\n\nRecomputes ImmunizationRecommendation, EpisodeOfCare, CarePlan and the worklists (docs/programs.md).',
  async run(args, { config, out, err }) {
    const flags = parseFlags(args, ['commune', 'as-of', 'batch']);
    const asOf = optional(flags, 'as-of');
    if (asOf && !/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError('--as-of phải có dạng yyyy-mm-dd');
    const batch = Number(optional(flags, 'batch') ?? 1000);
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch phải là số nguyên dương');
    const db = await openDatabase(config, { poolSize: 6, statementTimeoutMs: 0 });
    try {
      const commune = optional(flags, 'commune');
      const r = await refreshAll(db, { batchSize: batch, ...(asOf ? { asOf } : {}), ...(commune ? { communeCode: commune } : {}), onProgress: (n) => err(`${n.toLocaleString('vi-VN')} người…`) });
      out(`Đã tính ${r.residents} người trong ${(r.ms / 1000).toFixed(1)} giây: ${r.worklistRows} mục công việc, ${r.versionsWritten} phiên bản tài nguyên mới.`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

export const programsRemindersCommand: Command = {
  path: ['programs', 'reminders'],
  summary: 'Tạo và gửi nhắc lịch đến hạn một lần (produce and send due reminders once)',
  usage: 'hssk programs reminders\n\nProduces the due reminders (each at most once) and sends those whose time has come, outside quiet hours: SMS through the log adapter, web push to residents’ devices.',
  async run(_args, { config, out }) {
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      const produced = await produceReminders(db.pool);
      const sent = await dispatchReminders({ db: db.pool, sms: logSmsSender(db.pool), push: webPushSender({ keys: await loadVapidKeys(db.pool, config) }) });
      out(`Tạo ${produced.created} nhắc lịch mới; đã gửi ${sent.sent}, lỗi ${sent.failed}${sent.quiet ? ' (đang trong giờ yên tĩnh, chưa gửi)' : ''}.`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

export const programCommands: Command[] = [programsRefreshCommand, programsRemindersCommand];
