// `hssk identity …`: the review queue and merges of the master patient index (docs/identity.md).
import { listReviews, decideReview } from '../../identity/mpi/review-queue.ts';
import { MergeError, mergePatients, unmergePatients } from '../../identity/mpi/merge.ts';
import { fullNameOf } from '../../identity/mpi/person-facts.ts';
import { agentOf } from '../../audit/audit-entry.ts';
import { insertAuditEntries } from '../../audit/audit-log.ts';
import { listHouseholdCoverage, removeHouseholdCoverage } from '../../identity/mpi/population-rule.ts';
import { communesOf } from '../../province/admin-units.ts';
import { numberUnnumberedResidents } from '../../pipeline/number-residents.ts';
import { openDatabase, type Database } from '../../store/database.ts';
import type { Config } from '../../config/config.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags } from './flags.ts';

const ACTOR = { kind: 'system' as const, name: 'cli:identity' };

async function withDb<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(config, { poolSize: 2 });
  try {
    return await fn(db);
  } catch (e) {
    if (e instanceof MergeError) throw new UsageError(e.message);
    throw e;
  } finally {
    await db.close();
  }
}

function positive(raw: string | undefined, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`Thiếu hoặc sai ${what}`);
  return n;
}

export const identityCommands: Command[] = [
  {
    path: ['identity', 'number-residents'],
    summary: 'Cấp mã HSSK cho hồ sơ chưa có (give a resident ID to every record without one)',
    usage:
      'hssk identity number-residents\n\nGives every current Patient that has no resident ID one from the never-reused sequence (records written before every channel numbered its new persons), as a new version, audited; merged-away and deleted records are left as they are. Safe to run again. Not on the national hub, which keeps the provinces\' numbers.',
    async run(args, { config, out }) {
      if (args.length > 0) throw new UsageError('Lệnh không nhận tham số (no arguments)');
      if (config.mode === 'hub') throw new UsageError('Trạm trung ương (HSSK_MODE=hub) không cấp mã HSSK: mã do tỉnh cấp (the hub keeps the provinces\' resident IDs)');
      return withDb(config, async (db) => {
        const report = await numberUnnumberedResidents({ db, actor: ACTOR, province: config.province }, { progress: (r) => out(JSON.stringify(r)) });
        out(`Đã cấp mã HSSK cho ${report.numbered} hồ sơ; ${report.skipped} hồ sơ vừa được sửa, chạy lại lệnh để cấp nốt.`);
        return 0;
      });
    },
  },
  {
    path: ['identity', 'coverage'],
    summary: 'Xã/phường đã nhập danh sách hộ: nơi áp dụng quy tắc dân số (communes whose household list is imported)',
    usage:
      'hssk identity coverage [--remove CODE[,CODE…]]\n\nPrints one JSON line per commune whose household list has been imported as complete (where HSSK_IDENTITY_POPULATION_RULE=auto applies the population rule, docs/identity.md rule 5): code, name, first and last import, rows of the last one.\n\n--remove  withdraws these communes (2025 codes) first — a list recorded as complete that was not; audited. The rule stops applying there from the next batch; a later import with --complete-list covers them again.',
    async run(args, { config, out }) {
      const flags = parseFlags(args, ['remove']);
      const remove = optional(flags, 'remove')?.split(',').map((c) => c.trim()).filter(Boolean);
      if (remove && remove.length === 0) throw new UsageError('--remove cần mã xã/phường (commune codes)');
      const names = new Map(communesOf(config.province).map((c) => [c.code, c.name]));
      const unknown = remove?.filter((c) => !names.has(c)) ?? [];
      if (unknown.length) throw new UsageError(`Mã xã/phường không thuộc tỉnh ${config.province}: ${unknown.join(', ')} (unknown commune codes)`);
      return withDb(config, async (db) => {
        if (remove) {
          const removed = await db.transaction(async (client) => {
            const gone = await removeHouseholdCoverage(client, remove);
            if (gone.length) {
              await insertAuditEntries(client, [
                { action: 'update', outcome: '0', ...agentOf(ACTOR), entityType: 'HouseholdCoverage', reason: 'coverage-removed', detail: { communes: gone.join(',') } },
              ]);
            }
            return gone;
          });
          out(JSON.stringify({ removed }));
        }
        out(JSON.stringify({ populationRule: config.identityPopulationRule }));
        for (const c of await listHouseholdCoverage(db.pool)) out(JSON.stringify({ ...c, name: names.get(c.commune) ?? null }));
        return 0;
      });
    },
  },
  {
    path: ['identity', 'review', 'list'],
    summary: 'Danh sách cặp hồ sơ chờ xét trùng (pending identity reviews)',
    usage: 'hssk identity review list [--limit 50]\n\nPrints one JSON line per pending pair: ids, score, reasons and both records\' name and birth date.',
    async run(args, { config, out }) {
      const limit = args[0] === '--limit' ? positive(args[1], '--limit') : 50;
      return withDb(config, async (db) => {
        for (const item of await listReviews(db.pool, { limit, withRecords: true })) {
          out(JSON.stringify({
            id: item.id, score: item.score, reasons: item.reasons,
            record: { id: item.patientId, name: item.patient && fullNameOf(item.patient), birthDate: item.patient?.birthDate },
            candidate: { id: item.candidateId, name: item.candidate && fullNameOf(item.candidate), birthDate: item.candidate?.birthDate },
          }));
        }
        return 0;
      });
    },
  },
  {
    path: ['identity', 'review', 'link'],
    summary: 'Xác nhận cùng một người: gộp hồ sơ (merge a reviewed pair)',
    usage: 'hssk identity review link REVIEW_ID',
    async run(args, { config, out }) {
      const id = positive(args[0], 'REVIEW_ID');
      return withDb(config, async (db) => {
        const r = await decideReview(db, id, 'link', ACTOR);
        out(`Đã gộp hồ sơ (lần gộp số ${r.linkId}).`);
        return 0;
      });
    },
  },
  {
    path: ['identity', 'review', 'keep-separate'],
    summary: 'Xác nhận hai người khác nhau (keep a reviewed pair separate)',
    usage: 'hssk identity review keep-separate REVIEW_ID',
    async run(args, { config, out }) {
      const id = positive(args[0], 'REVIEW_ID');
      return withDb(config, async (db) => {
        await decideReview(db, id, 'separate', ACTOR);
        out('Đã ghi nhận: hai hồ sơ của hai người khác nhau.');
        return 0;
      });
    },
  },
  {
    path: ['identity', 'merge'],
    summary: 'Gộp hồ sơ SOURCE vào SURVIVOR (merge two records)',
    usage: 'hssk identity merge SOURCE_PATIENT_ID SURVIVOR_PATIENT_ID',
    async run(args, { config, out }) {
      const [source, survivor] = args;
      if (!source || !survivor) throw new UsageError('Cần SOURCE và SURVIVOR');
      return withDb(config, async (db) => {
        const r = await mergePatients(db, source, survivor, ACTOR);
        out(`Đã gộp (lần gộp số ${r.linkId}); ${r.rewritten} tài nguyên được chuyển sang hồ sơ giữ lại.`);
        return 0;
      });
    },
  },
  {
    path: ['identity', 'unmerge'],
    summary: 'Hoàn tác một lần gộp hồ sơ (undo a merge)',
    usage: 'hssk identity unmerge LINK_ID',
    async run(args, { config, out }) {
      const id = positive(args[0], 'LINK_ID');
      return withDb(config, async (db) => {
        const r = await unmergePatients(db, id, ACTOR);
        out(`Đã hoàn tác; ${r.restored} tài nguyên được khôi phục.`);
        return 0;
      });
    },
  },
];
