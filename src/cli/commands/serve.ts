import type { Command } from '../command.ts';
import { startServer } from '../../server.ts';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Chạy máy chủ HSSK: cổng web và FHIR API (start the server)',
  usage: [
    'hssk serve',
    '',
    'Starts HSSK on PORT (default 8080). Without DATABASE_URL, an embedded PostgreSQL runs in',
    'HSSK_DATA_DIR (default ./.hssk); on its first run the demo province is loaded (HSSK_DEMO=off',
    'disables it). Stops cleanly on Ctrl-C / SIGTERM.',
  ].join('\n'),
  async run(_args, { config, err }) {
    const server = await startServer(config, {
      onReady: (url) => err(`HSSK đang chạy tại ${url} (FHIR: ${url}/fhir)`),
      onProgress: (line) => err(line),
    });
    await server.closed;
    return 0;
  },
};
