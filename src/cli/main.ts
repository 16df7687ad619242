// `hssk` command entry: finds the sub-command and runs it with the validated configuration.
import { ConfigError, loadConfig } from '../config/config.ts';
import { UsageError, type Command } from './command.ts';
import { commands } from './commands/index.ts';

function help(list: Command[]): string {
  const width = Math.max(...list.map((c) => c.path.join(' ').length));
  return [
    'HSSK — Hồ sơ sức khỏe điện tử',
    '',
    'Cách dùng (usage): hssk <lệnh> [tuỳ chọn]',
    '',
    ...list.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'hssk <lệnh> --help để xem chi tiết (details of one command).',
  ].join('\n');
}

function findCommand(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: { command: Command; rest: string[] } | undefined;
  for (const command of commands) {
    const n = command.path.length;
    if (argv.length >= n && command.path.every((word, i) => argv[i] === word)) {
      if (!best || n > best.command.path.length) best = { command, rest: argv.slice(n) };
    }
  }
  return best;
}

export async function main(argv: string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(line + '\n');
  const err = (line: string) => process.stderr.write(line + '\n');
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    out(help(commands));
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    err(`Không có lệnh "${argv.join(' ')}" (unknown command).\n`);
    err(help(commands));
    return 2;
  }
  const { command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    out(`${command.summary}\n\n${command.usage}`);
    return 0;
  }
  try {
    const config = loadConfig();
    return await command.run(rest, { config, out, err });
  } catch (e) {
    if (e instanceof ConfigError) {
      err(e.message);
      return 78; // EX_CONFIG
    }
    if (e instanceof UsageError) {
      err(`${e.message}\n\n${command.usage}`);
      return 2;
    }
    err(`Lỗi (error): ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
