import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { generateProvince } from '../../province/generator.ts';

const USAGE = `hssk generate province --residents N --seed S --out DIR [--province 68] [--pairs N]

Writes a synthetic province to DIR: households.csv (the household import format),
facilities.csv and identity-pairs.csv (the labelled identity test set). The same seed
always gives the same files. See docs/data/synthetic-province.md.

  --residents N   number of residents (people), e.g. 1000000
  --seed S        any text; picks the random sequence
  --out DIR       output directory (created if missing; files are overwritten)
  --province P    2025 province code (default 68, Lâm Đồng)
  --pairs N       identity pairs (default 100000 when N ≥ 100000, else N)`;

function parseArgs(args: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) throw new UsageError(`Tham số không hợp lệ (unexpected argument): ${arg}`);
    const value = m[2] ?? args[++i];
    if (value === undefined) throw new UsageError(`Thiếu giá trị cho --${m[1]} (missing value)`);
    values[m[1]] = value;
  }
  return values;
}

function positiveInt(name: string, raw: string | undefined, allowZero = false): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new UsageError(`--${name} phải là số nguyên dương (must be a positive integer): ${raw}`);
  return n;
}

export const generateProvinceCommand: Command = {
  path: ['generate', 'province'],
  summary: 'Sinh dữ liệu tỉnh tổng hợp (generate a synthetic province)',
  usage: USAGE,
  async run(args, { out, err }) {
    const opts = parseArgs(args);
    for (const key of Object.keys(opts)) {
      if (!['residents', 'seed', 'out', 'province', 'pairs'].includes(key)) throw new UsageError(`Tham số không biết (unknown option): --${key}`);
    }
    const residents = positiveInt('residents', opts['residents']);
    if (residents === undefined) throw new UsageError('Thiếu --residents (missing --residents)');
    const seed = opts['seed'];
    if (seed === undefined) throw new UsageError('Thiếu --seed (missing --seed)');
    const outDir = opts['out'];
    if (outDir === undefined) throw new UsageError('Thiếu --out (missing --out)');
    const pairs = positiveInt('pairs', opts['pairs'], true);
    const province = opts['province'];
    if (province !== undefined && !/^\d{2}$/.test(province)) throw new UsageError(`--province phải là mã tỉnh 2 chữ số (a 2-digit code): ${province}`);

    const started = performance.now();
    const summary = generateProvince({
      residents,
      seed,
      outDir,
      ...(province !== undefined ? { province } : {}),
      ...(pairs !== undefined ? { pairs } : {}),
      onProgress: (done, total) => {
        const seconds = (performance.now() - started) / 1000;
        const rate = Math.round(done / Math.max(seconds, 0.001));
        const eta = Math.max(0, Math.round((total - done) / Math.max(rate, 1)));
        err(`${done.toLocaleString('vi-VN')}/${total.toLocaleString('vi-VN')} người · ${rate.toLocaleString('vi-VN')} người/s · còn ~${eta}s`);
      },
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    out(`Đã sinh ${summary.residents} người trong ${summary.households} hộ, ${summary.facilities} cơ sở y tế, ${summary.pairs} cặp kiểm thử định danh (${seconds}s).`);
    out(summary.files.households);
    out(summary.files.facilities);
    out(summary.files.identityPairs);
    return 0;
  },
};
