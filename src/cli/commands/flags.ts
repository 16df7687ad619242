// `--name value` flags of the auth, audit and SMS commands.
import { UsageError } from '../command.ts';

export function parseFlags(args: string[], valued: readonly string[], booleans: readonly string[] = []): Map<string, string | true> {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.replace(/^--/, '');
    if (!arg.startsWith('--')) throw new UsageError(`Tham số không hợp lệ: ${arg}`);
    if (booleans.includes(name)) flags.set(name, true);
    else if (valued.includes(name)) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} cần một giá trị`);
      flags.set(name, value);
    } else throw new UsageError(`Tuỳ chọn không xác định: ${arg}`);
  }
  return flags;
}

export function required(flags: Map<string, string | true>, name: string): string {
  const value = flags.get(name);
  if (typeof value !== 'string' || value.length === 0) throw new UsageError(`Thiếu --${name}`);
  return value;
}

export function optional(flags: Map<string, string | true>, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
