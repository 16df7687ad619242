import { fileAdapter } from '../../identity/mpi/population/file-adapter.ts';
import { verifyPopulation } from '../../identity/mpi/population/verify-population.ts';
import { openDatabase } from '../../store/database.ts';
import { UsageError, type Command } from '../command.ts';

export const verifyPopulationCommand: Command = {
  path: ['verify', 'population'],
  summary: 'Xác thực với CSDL quốc gia về dân cư từ tệp kết quả (verify against the population database)',
  usage: 'hssk verify population FILE.csv\n\nColumns: so_cccd, ho_ten, ngay_sinh, gioi_tinh, ket_qua, ngay_xac_thuc. Matching records are marked "đã xác thực ngày …" (docs/identity.md).',
  async run(args, { config, out }) {
    const [file] = args;
    if (!file) throw new UsageError('Thiếu tên tệp (missing FILE)');
    const db = await openDatabase(config, { poolSize: 2, statementTimeoutMs: 0 });
    try {
      const r = await verifyPopulation(db, fileAdapter(file), { kind: 'system', name: 'cli:verify-population' });
      out(`${r.records} kết quả: ${r.verified} đã xác thực, ${r.mismatched} không khớp, ${r.notFound} không tồn tại, ${r.unknownCccd} CCCD chưa có hồ sơ.`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
