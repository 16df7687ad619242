// `hssk import centre-list FILE.csv`: a specialised centre's quarterly list (MISSION B7; columns
// in docs/programs.md) through the ingest pipeline onto the programme registers.
import fs from 'node:fs';
import { importCentreList } from '../../programs/centres/centre-list.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';

export const importCentreListCommand: Command = {
  path: ['import', 'centre-list'],
  summary: 'Nhập danh sách quản lý của trung tâm chuyên khoa (import a centre list)',
  usage: 'hssk import centre-list FILE.csv\n\nCreates or updates the residents, enrols them on the programme and lists them for their commune station. Rows of excluded categories (MISSION B8) are dropped and counted.',
  async run(args, { config, out }) {
    const [file] = args;
    if (!file || file.startsWith('--')) throw new UsageError('Thiếu tên tệp (missing FILE)');
    const db = await openDatabase(config, { poolSize: 4, statementTimeoutMs: 0 });
    try {
      const r = await importCentreList({ db, actor: { kind: 'system', name: 'cli:import-centre-list' }, province: config.province, populationRule: config.identityPopulationRule }, fs.readFileSync(file));
      out(`Đã xử lý ${r.rows} dòng: đăng ký ${r.enrolled} (mới ${r.created}, cập nhật ${r.updated}, chờ xét trùng ${r.review}), từ chối ${r.rejected.length}, loại theo quy định B8 ${Object.values(r.excluded).reduce((a, b) => a + b, 0)}.`);
      for (const rej of r.rejected) out(`  dòng ${rej.line}: ${rej.reasons.map((x) => `${x.field}: ${x.message}`).join('; ')}`);
      return r.rejected.length ? 3 : 0;
    } finally {
      await db.close();
    }
  },
};
