// The shape of one `hssk` sub-command. Each lives in ./commands/ and is listed in ./main.ts.
import type { Config } from '../config/config.ts';

export interface CommandContext {
  config: Config;
  /** Writes a line for the user (stdout). */
  out: (line: string) => void;
  /** Writes progress or diagnostics (stderr), so stdout stays machine-readable. */
  err: (line: string) => void;
}

export interface Command {
  /** Words that select the command, e.g. ['import', 'households']. */
  path: string[];
  summary: string;
  usage: string;
  run(args: string[], ctx: CommandContext): Promise<number>;
}

/** A user error in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
