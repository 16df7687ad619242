// The routing table of `hssk` sub-commands.
import type { Command } from '../command.ts';
import { migrateCommand } from './migrate.ts';

export const commands: Command[] = [migrateCommand];
