import type { Command } from '../command.ts';
import { openDatabase } from '../../store/database.ts';
import { migrate } from '../../store/migrations.ts';

export const migrateCommand: Command = {
  path: ['migrate'],
  summary: 'Tạo/cập nhật lược đồ cơ sở dữ liệu (apply database migrations)',
  usage: 'hssk migrate\n\nApplies pending schema migrations to the configured database and exits.',
  async run(_args, { config, out }) {
    const db = await openDatabase(config, { migrate: false, poolSize: 2 });
    try {
      const applied = await migrate(db);
      out(applied.length ? `Đã áp dụng migration: ${applied.join(', ')}` : 'Lược đồ đã ở phiên bản mới nhất.');
      return 0;
    } finally {
      await db.close();
    }
  },
};
