import { sealAll } from '../../audit/sealer.ts';
import { verifyAuditChain } from '../../audit/verify.ts';
import { openDatabase } from '../../store/database.ts';
import type { Command } from '../command.ts';
import { parseFlags } from './flags.ts';

const PROBLEMS = {
  'changed': 'nội dung mục này đã bị sửa (entry changed)',
  'deleted-before': 'có mục bị xoá ngay trước mục này (entries deleted before it)',
  'deleted-at-end': 'các mục mới nhất đã bị xoá (newest entries deleted)',
  'unsealed-hash': 'mục chưa niêm phong nhưng có mã băm (hash on an unsealed entry)',
} as const;

export const auditVerifyCommand: Command = {
  path: ['audit', 'verify'],
  summary: 'Kiểm tra tính toàn vẹn của nhật ký truy cập (verify the audit chain)',
  usage: [
    'hssk audit verify [--seal]',
    '',
    'Recomputes the hash chain of the audit trail. Exit 0 when intact (prints the head hash: keep it',
    'outside the database), 1 naming the first broken entry. --seal first seals pending entries.',
  ].join('\n'),
  async run(args, { config, out, err }) {
    const flags = parseFlags(args, [], ['seal']);
    const db = await openDatabase(config, { poolSize: 2 });
    try {
      if (flags.get('seal')) await sealAll(db);
      const report = await verifyAuditChain(db.pool);
      if (report.ok) {
        out(`Nhật ký nguyên vẹn: ${report.verified} mục đã kiểm tra, ${report.unsealed} mục chờ niêm phong.`);
        if (report.headHash) out(`Mã băm cuối chuỗi (head): ${report.headHash}`);
        return 0;
      }
      const b = report.broken!;
      err(`Chuỗi nhật ký bị phá vỡ tại vị trí ${b.chainPos}${b.seq !== undefined ? ` (mục seq ${b.seq})` : ''}: ${PROBLEMS[b.problem]}.`);
      err(`${report.verified} mục trước đó nguyên vẹn.`);
      return 1;
    } finally {
      await db.close();
    }
  },
};
