import fs from 'node:fs';
import { countedChunks, inputFiles, ndjsonReport } from '../../ingest/channel/files.ts';
import { emptySummary, type ImportSummary } from '../../ingest/channel/report.ts';
import { mergeSummaries, summaryLines } from '../../ingest/channel/summary-text.ts';
import { ingestXml } from '../../ingest/channel/xml-channel.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags } from './flags.ts';

const USAGE = `hssk import xml FILE|DIR [--report OUT.ndjson] [--batch 200] [--validate all|sample|none]

Nhập hồ sơ XML theo QĐ 4210/QĐ 130 (GIAMDINHHS): mỗi HOSO là một đợt điều trị, đi qua cùng quy trình
(kiểm tra → chính sách lưu trữ B8 → xác định người → lưu). DIR: mọi tệp .xml trong thư mục.
Tiến độ ra stderr, tóm tắt ra stdout, kết quả từng hồ sơ (chấp nhận + mã tài nguyên, từ chối + lý do
theo trường, số mục không lưu theo B8) ra OUT.ndjson (mặc định FILE.bao-cao.ndjson).
Gửi lại cùng tệp không thay đổi gì. --validate sample kiểm tra FHIR R4 một phần mười số lô (nhanh hơn).`;

export const importXmlCommand: Command = {
  path: ['import', 'xml'],
  summary: 'Nhập hồ sơ XML 4210/130 của cơ sở KCB (import XML 4210/130 episodes)',
  usage: USAGE,
  async run(args, { config, out, err }) {
    const [target, ...rest] = args;
    if (!target || target.startsWith('--')) throw new UsageError('Thiếu tệp hoặc thư mục (missing FILE|DIR)');
    const flags = parseFlags(rest, ['report', 'batch', 'validate']);
    const batchSize = Number(optional(flags, 'batch') ?? 200);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError('--batch phải là số nguyên dương');
    const validate = optional(flags, 'validate') ?? 'all';
    if (validate !== 'all' && validate !== 'sample' && validate !== 'none') throw new UsageError('--validate: all, sample hoặc none');
    if (!fs.existsSync(target)) throw new UsageError(`Không tìm thấy ${target}`);
    const files = inputFiles(target, ['.xml']);
    const reportFile = optional(flags, 'report') ?? `${target.replace(/\/+$/, '')}.bao-cao.ndjson`;
    const totalBytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);
    const counter = { bytes: 0 };
    const started = performance.now();
    const total = emptySummary();
    const report = ndjsonReport(reportFile);
    const db = await openDatabase(config, { poolSize: 4, statementTimeoutMs: 0 });
    try {
      const ctx = { db, actor: { kind: 'system' as const, name: 'cli:import-xml' }, province: config.province, populationRule: config.identityPopulationRule };
      for (const file of files) {
        const progress = (s: ImportSummary) => {
          const seconds = (performance.now() - started) / 1000;
          const units = total.units + s.units;
          const rate = units / Math.max(seconds, 0.001);
          const byteRate = counter.bytes / Math.max(seconds, 0.001);
          const eta = byteRate > 0 ? Math.round((totalBytes - counter.bytes) / byteRate) : undefined;
          err(`${units.toLocaleString('vi-VN')} hồ sơ · ${Math.round(rate).toLocaleString('vi-VN')} hồ sơ/s${eta !== undefined ? ` · còn ~${eta}s` : ''} · chấp nhận ${(total.accepted + s.accepted).toLocaleString('vi-VN')} · từ chối ${(total.rejected + s.rejected).toLocaleString('vi-VN')}`);
        };
        const summary = await ingestXml(ctx, countedChunks(file, counter), {
          batchSize,
          validate,
          threads: config.ingestThreads,
          onProgress: progress,
          onReport: (r) => report.write({ ...r, file }),
        });
        if (summary.fatal) err(`${file}: ${summary.fatal.message}`);
        mergeSummaries(total, summary);
        if (summary.fatal) total.fatal = summary.fatal;
      }
      total.seconds = (performance.now() - started) / 1000;
      total.unitsPerSecond = Math.round(total.units / Math.max(total.seconds, 0.001));
      for (const line of summaryLines(total, 'hồ sơ')) out(line);
      out(`  Kết quả từng hồ sơ: ${reportFile}`);
      return total.rejected > 0 || total.fatal ? 3 : 0;
    } finally {
      await report.close();
      await db.close();
    }
  },
};
