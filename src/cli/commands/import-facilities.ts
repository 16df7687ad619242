import { importFacilities } from '../../ingest/facility/import-facilities.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';

export const importFacilitiesCommand: Command = {
  path: ['import', 'facilities'],
  summary: 'Nhập danh sách cơ sở y tế (import health facilities)',
  usage: 'hssk import facilities FILE.csv\n\nColumns: ma_cskcb, ten, loai, ma_xa, dia_chi, dien_thoai. Each facility becomes an Organization and a Location, by facility code (a re-import updates).',
  async run(args, { config, out, err }) {
    const [file] = args;
    if (!file) throw new UsageError('Thiếu tên tệp (missing FILE)');
    const db = await openDatabase(config, { poolSize: 2, statementTimeoutMs: 0 });
    try {
      const report = await importFacilities({ db, actor: { kind: 'system', name: 'cli:import-facilities' }, province: config.province }, file);
      for (const r of report.rejected) err(`Dòng ${r.line}: ${r.reasons.map((x) => `${x.field}: ${x.message}`).join('; ')}`);
      out(`Đã xử lý ${report.rows} cơ sở; ${report.written} phiên bản tài nguyên được ghi; ${report.rejected.length} dòng bị từ chối.`);
      return report.rejected.length ? 3 : 0;
    } finally {
      await db.close();
    }
  },
};
