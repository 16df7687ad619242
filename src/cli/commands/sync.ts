// `hssk sync status | dead-letters | replay | push`: the national synchronisation from the
// command line (docs/sync.md). Output: counts and resource keys only, no personal data.
import { openDatabase } from '../../store/database.ts';
import { listDeadLetters, replayDeadLetters } from '../../store/outbox.ts';
import { syncStatus } from '../../sync/status.ts';
import { SyncTarget } from '../../sync/target.ts';
import { SyncWorker } from '../../sync/worker.ts';
import { bindProvinceClient } from '../../sync/hub-guard.ts';
import { findClient } from '../../auth/clients.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags } from './flags.ts';

const statusCommand: Command = {
  path: ['sync', 'status'],
  summary: 'Trạng thái đồng bộ: hàng đợi, độ trễ, lỗi, thư chết (sync status)',
  usage: 'hssk sync status\n\nPrints the sync status as JSON (queue depth, lag, failures, dead letters).',
  async run(args, { config, out }) {
    parseFlags(args, []);
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      out(JSON.stringify(await syncStatus(db.pool, config.sync.target, config.mode, config.healthBook), null, 2));
      return 0;
    } finally {
      await db.close();
    }
  },
};

const deadLettersCommand: Command = {
  path: ['sync', 'dead-letters'],
  summary: 'Liệt kê các thay đổi bị bên nhận từ chối (sync dead letters)',
  usage: 'hssk sync dead-letters [--limit N]\n\nOne line per refused change: seq, resource, status, reason.',
  async run(args, { config, out }) {
    const flags = parseFlags(args, ['limit']);
    const limit = Number(optional(flags, 'limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit phải là số nguyên dương');
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      for (const d of await listDeadLetters(db.pool, limit)) {
        out(`${d.seq}\t${d.resourceType}/${d.id}/_history/${d.versionId}\t${d.status ?? '-'}\t${d.failedAt.toISOString()}\t${d.error}`);
      }
      return 0;
    } finally {
      await db.close();
    }
  },
};

const replayCommand: Command = {
  path: ['sync', 'replay'],
  summary: 'Đưa các thay đổi bị từ chối trở lại hàng đợi (replay dead letters)',
  usage: 'hssk sync replay [--seq N,N,…]\n\nQueues the dead letters (all, or the given ones) again.',
  async run(args, { config, out }) {
    const flags = parseFlags(args, ['seq']);
    const raw = optional(flags, 'seq');
    const seqs = raw === undefined ? undefined : raw.split(',').map((s) => Number(s.trim()));
    if (seqs?.some((s) => !Number.isInteger(s))) throw new UsageError('--seq: danh sách số nguyên, cách nhau bởi dấu phẩy');
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      out(`Đã đưa lại ${await replayDeadLetters(db.pool, seqs)} thay đổi vào hàng đợi`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

const pushCommand: Command = {
  path: ['sync', 'push'],
  summary: 'Đẩy hàng đợi đồng bộ ngay đến HSSK_SYNC_TARGET (push the outbox now)',
  usage: 'hssk sync push [--max-batches N]\n\nPushes queued changes until the queue is empty, a push fails, or N batches.',
  async run(args, { config, out, err }) {
    const flags = parseFlags(args, ['max-batches']);
    const max = Number(optional(flags, 'max-batches') ?? 1_000_000);
    const { target, clientId, clientSecret, batchSize } = config.sync;
    if (!target || !clientId || !clientSecret) throw new UsageError('Cần HSSK_SYNC_TARGET, HSSK_SYNC_CLIENT_ID và HSSK_SYNC_CLIENT_SECRET');
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      const worker = new SyncWorker({ db, target: new SyncTarget({ baseUrl: target, clientId, clientSecret }), province: config.province, batchSize, concurrency: 4 });
      let batches = 0;
      for (; batches < max; batches++) {
        const outcome = await worker.runOnce();
        if (outcome === 'idle') break;
        if (outcome === 'busy') {
          err('Một tiến trình khác đang đồng bộ (another process holds the sync lock)');
          return 1;
        }
        if (outcome === 'failed') {
          const s = await syncStatus(db.pool, target, config.mode);
          err(`Đẩy thất bại: ${s.worker.lastError ?? ''}`);
          return 1;
        }
      }
      const s = await syncStatus(db.pool, target, config.mode);
      out(`${batches} lô đã đẩy; còn ${s.queueDepth} thay đổi trong hàng đợi, ${s.deadLetters} bị từ chối`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

const bindCommand: Command = {
  path: ['hub', 'bind-client'],
  summary: 'Gắn ứng dụng (client) của một tỉnh với mã tỉnh trên hub (hub: bind a province client)',
  usage: 'hssk hub bind-client CLIENT_ID PROVINCE\n\nOn the hub: the client may then write only records keyed by that province.',
  async run(args, { config, out }) {
    const [clientId, province] = args;
    if (!clientId || !province || !/^\d{2}$/.test(province)) throw new UsageError('Cần CLIENT_ID và mã tỉnh 2 chữ số');
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      if (!(await findClient(db.pool, clientId))) throw new UsageError(`Không có client ${clientId}`);
      await bindProvinceClient(db.pool, clientId, province);
      out(`${clientId} → tỉnh ${province}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};

export const syncCommands: Command[] = [statusCommand, deadLettersCommand, replayCommand, pushCommand, bindCommand];
