// The routing table of `hssk` sub-commands.
import type { Command } from '../command.ts';
import { generateEpisodesCommand } from './generate-episodes.ts';
import { generateProvinceCommand } from './generate-province.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';

export const commands: Command[] = [serveCommand, migrateCommand, generateProvinceCommand, generateEpisodesCommand];
