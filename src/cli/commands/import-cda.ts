import fs from 'node:fs';
import path from 'node:path';
import { ingestCdaDocuments } from '../../ingest/channel/cda-channel.ts';
import { inputFiles, ndjsonReport } from '../../ingest/channel/files.ts';
import { summaryLines } from '../../ingest/channel/summary-text.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';
import { optional, parseFlags } from './flags.ts';

const USAGE = `hssk import cda FILE|DIR [--report OUT.ndjson] [--facility MA_CSKCB]

Nhập tài liệu HL7 CDA (C-CDA: CCD, tóm tắt ra viện, giấy chuyển tuyến), mỗi tệp .xml một tài liệu,
qua cùng quy trình với XML 4210/130. --facility: cơ sở gửi khi tài liệu không ghi mã cơ sở.
Tóm tắt ra stdout, kết quả từng tài liệu ra OUT.ndjson (mặc định FILE.bao-cao.ndjson).`;

export const importCdaCommand: Command = {
  path: ['import', 'cda'],
  summary: 'Nhập tài liệu HL7 CDA (import HL7 CDA documents)',
  usage: USAGE,
  async run(args, { config, out, err }) {
    const [target, ...rest] = args;
    if (!target || target.startsWith('--')) throw new UsageError('Thiếu tệp hoặc thư mục (missing FILE|DIR)');
    const flags = parseFlags(rest, ['report', 'facility']);
    if (!fs.existsSync(target)) throw new UsageError(`Không tìm thấy ${target}`);
    const files = inputFiles(target, ['.xml', '.cda']);
    const reportFile = optional(flags, 'report') ?? `${target.replace(/\/+$/, '')}.bao-cao.ndjson`;
    const report = ndjsonReport(reportFile);
    const db = await openDatabase(config, { poolSize: 4, statementTimeoutMs: 0 });
    try {
      const ctx = { db, actor: { kind: 'system' as const, name: 'cli:import-cda' }, province: config.province, populationRule: config.identityPopulationRule };
      const facility = optional(flags, 'facility');
      const summary = await ingestCdaDocuments(
        ctx,
        files.map((file) => ({ name: path.basename(file), load: () => fs.promises.readFile(file) })),
        {
          ...(facility ? { defaultFacility: facility } : {}),
          threads: config.ingestThreads,
          onProgress: (s) => err(`${s.units.toLocaleString('vi-VN')}/${files.length.toLocaleString('vi-VN')} tài liệu · ${s.unitsPerSecond} tài liệu/s`),
          onReport: (r) => report.write(r),
        },
      );
      for (const line of summaryLines(summary, 'tài liệu')) out(line);
      out(`  Kết quả từng tài liệu: ${reportFile}`);
      return summary.rejected > 0 ? 3 : 0;
    } finally {
      await report.close();
      await db.close();
    }
  },
};
