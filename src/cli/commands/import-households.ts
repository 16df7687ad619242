import path from 'node:path';
import { HouseholdFileError, openHouseholdSource } from '../../ingest/household/read-rows.ts';
import { importHouseholds } from '../../ingest/household/import-households.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags } from './flags.ts';

const USAGE = `hssk import households FILE [--complete-list] [--rejected OUT.csv] [--batch 500]

Creates or updates a record for every person of a household file (CSV or XLSX, UTF-8 with or
without BOM; columns in docs/integration/household-import.md). Progress goes to stderr; the
summary (created, updated, matched, sent to review, rejected) to stdout; rejected rows with
their reason to OUT.csv (default FILE.loi.csv). Importing the same file again changes nothing.

--complete-list  the file is the whole household list of every commune it has rows for (not
                 a few households): once read to its end, those communes are recorded as
                 covered, where identity matching's population rule applies (docs/identity.md,
                 rule 5; 'hssk identity coverage' lists them). Without it, no commune is.`;

export const importHouseholdsCommand: Command = {
  path: ['import', 'households'],
  summary: 'Nhập dữ liệu hộ gia đình (import household data)',
  usage: USAGE,
  async run(args, { config, out, err }) {
    const [file, ...rest] = args;
    if (!file || file.startsWith('--')) throw new UsageError('Thiếu tên tệp (missing FILE)');
    const flags = parseFlags(rest, ['rejected', 'batch'], ['complete-list']);
    const completeList = flags.get('complete-list') === true;
    const batch = Number(optional(flags, 'batch') ?? 500);
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch phải là số nguyên dương');
    const rejectedFile = optional(flags, 'rejected') ?? path.join(path.dirname(file), `${path.basename(file).replace(/\.[^.]+$/, '')}.loi.csv`);
    const db = await openDatabase(config, { poolSize: 4, statementTimeoutMs: 0 });
    try {
      const report = await importHouseholds(
        { db, actor: { kind: 'system', name: 'cli:import-households' }, province: config.province, populationRule: config.identityPopulationRule },
        openHouseholdSource(file),
        {
          batchSize: batch,
          rejectedFile,
          completeList,
          onProgress: (p) =>
            err(`${p.rows.toLocaleString('vi-VN')} dòng · ${p.rowsPerSecond.toLocaleString('vi-VN')} dòng/s${p.etaSeconds !== undefined ? ` · còn ~${p.etaSeconds}s` : ''} · mới ${p.counts.created} · chờ xét ${p.counts.review} · lỗi ${p.counts.rejected}`),
        },
      );
      out(`Đã xử lý ${report.rows} dòng (${report.households} hộ) trong ${report.seconds}s (${report.rowsPerSecond} dòng/s).`);
      out(`  Tạo mới:              ${report.created}`);
      out(`  Cập nhật:             ${report.updated}`);
      out(`  Khớp hồ sơ đã có:     ${report.matched}`);
      out(`  Chờ xét trùng:        ${report.review}`);
      out(`  Bị từ chối:           ${report.rejected}${report.rejected ? ` (xem ${rejectedFile})` : ''}`);
      out(`  Dòng có cảnh báo:     ${report.warnings}`);
      out(
        completeList
          ? `  Xã/phường đủ danh sách: ${report.communesCovered} (áp dụng quy tắc dân số khi ghép hồ sơ)`
          : '  Xã/phường đủ danh sách: 0 (tệp không được khai là danh sách đầy đủ của xã: --complete-list)',
      );
      return report.rejected > 0 ? 3 : 0;
    } catch (e) {
      if (e instanceof HouseholdFileError) {
        err(e.message);
        return 65;
      }
      throw e;
    } finally {
      await db.close();
    }
  },
};
