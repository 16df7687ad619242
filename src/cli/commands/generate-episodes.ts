// `hssk generate episodes`: synthetic XML 4210/130 envelope files for the synthetic province.
import { UsageError, type Command } from '../command.ts';
import { episodeWindow, generateEpisodes, type EpisodeFormat } from '../../ingest/xml/generator.ts';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`Thiếu giá trị cho ${name}.`);
  return value;
}

export const generateEpisodesCommand: Command = {
  path: ['generate', 'episodes'],
  summary: 'Sinh hồ sơ khám chữa bệnh XML 4210/130 mẫu (synthetic treatment episodes)',
  usage: [
    'hssk generate episodes --province DIR --count N --format 130|4210 --out DIR [--seed S] [--per-file N] [--from YYYY-MM-DD]',
    '',
    'Reads DIR/households.csv and DIR/facilities.csv (from `hssk generate province`) and writes',
    'GIAMDINHHS envelope files, N episodes in all, --per-file (default 1000) per file. About 1% of',
    'the episodes are deliberately broken and 2% carry content that HSSK must not store (MISSION B8).',
    'Episodes start in the 300 days from --from (default 2025-01-01).',
  ].join('\n'),
  async run(args, { out, err }) {
    const provinceDir = option(args, '--province');
    const outDir = option(args, '--out');
    const count = Number(option(args, '--count') ?? '');
    const format = option(args, '--format') ?? '130';
    const perFile = option(args, '--per-file');
    const from = option(args, '--from');
    if (!provinceDir || !outDir) throw new UsageError('Cần --province và --out.');
    if (!Number.isInteger(count) || count <= 0) throw new UsageError('--count phải là số nguyên dương.');
    if (format !== '130' && format !== '4210') throw new UsageError('--format phải là 130 hoặc 4210.');
    if (perFile !== undefined && !(Number(perFile) > 0)) throw new UsageError('--per-file phải là số dương.');
    if (from !== undefined) {
      try {
        episodeWindow(from);
      } catch {
        throw new UsageError(`--from phải là một ngày dạng YYYY-MM-DD (nhận được "${from}").`);
      }
    }
    const started = Date.now();
    const summary = await generateEpisodes({
      provinceDir,
      outDir,
      count,
      format: format as EpisodeFormat,
      seed: option(args, '--seed') ?? 1,
      perFile: perFile === undefined ? undefined : Number(perFile),
      ...(from === undefined ? {} : { from }),
    });
    err(`Xong sau ${((Date.now() - started) / 1000).toFixed(1)} giây.`);
    out(
      `Đã ghi ${summary.episodes} hồ sơ vào ${summary.files.length} tệp trong ${outDir}: ` +
        `${summary.inpatient} nội trú, ${summary.births} có giấy chứng sinh, ${summary.sensitive} có nội dung loại trừ (B8), ${summary.broken} hồ sơ lỗi cố ý.`,
    );
    return 0;
  },
};
