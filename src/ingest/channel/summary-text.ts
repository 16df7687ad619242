// The summary of an import in Vietnamese, for the CLI and logs: counts and field names only —
// never a name, an identifier or an excluded item.
import { EXCLUSION_LABELS, type ExcludedCategory } from '../../policy/sensitive-data.ts';
import type { ImportSummary } from './report.ts';

const OUTCOME_LABELS: Record<string, string> = {
  created: 'người mới',
  updated: 'người đã có (cập nhật thông tin)',
  matched: 'người đã có',
  review: 'chờ xét trùng người',
};

export function mergeSummaries(into: ImportSummary, next: ImportSummary): ImportSummary {
  const add = (a: Record<string, number>, b: Record<string, number>) => {
    for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + v;
  };
  into.units += next.units;
  into.accepted += next.accepted;
  into.rejected += next.rejected;
  into.written += next.written;
  into.deleted += next.deleted;
  add(into.outcomes, next.outcomes);
  add(into.resources, next.resources);
  add(into.excluded, next.excluded);
  add(into.rejectedFields, next.rejectedFields);
  into.seconds += next.seconds;
  into.unitsPerSecond = Math.round(into.units / Math.max(into.seconds, 0.001));
  return into;
}

const list = (r: Record<string, number>, label: (k: string) => string = (k) => k) =>
  Object.entries(r)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${label(k)} ${v.toLocaleString('vi-VN')}`)
    .join(', ');

export function summaryLines(s: ImportSummary, unit: string): string[] {
  const lines = [
    `Đã xử lý ${s.units.toLocaleString('vi-VN')} ${unit} trong ${s.seconds.toFixed(1)}s (${s.unitsPerSecond.toLocaleString('vi-VN')} ${unit}/s).`,
    `  Chấp nhận: ${s.accepted.toLocaleString('vi-VN')}${s.accepted ? ` (${list(s.outcomes, (k) => OUTCOME_LABELS[k] ?? k)})` : ''}`,
    `  Tài nguyên: ${list(s.resources) || '0'}; phiên bản mới ghi ${s.written.toLocaleString('vi-VN')}, gỡ khỏi hồ sơ hiện hành ${s.deleted.toLocaleString('vi-VN')}`,
    `  Bị từ chối: ${s.rejected.toLocaleString('vi-VN')}${s.rejected ? ` (theo trường: ${list(s.rejectedFields)})` : ''}`,
    `  Không lưu theo quy định B8: ${list(s.excluded, (k) => EXCLUSION_LABELS[k as ExcludedCategory] ?? k) || '0'}`,
  ];
  if (s.fatal) lines.push(`  Không đọc tiếp được tệp (${s.fatal.code}): ${s.fatal.message}`);
  return lines;
}
