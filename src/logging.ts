// Structured logs (pino). Logs never carry personal data or secrets: request logs keep the
// method, route pattern and status only, and known sensitive keys are redacted.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config/config.ts';

export type { Logger };

export const REDACTED_KEYS = [
  'password',
  'client_secret',
  'authorization',
  'cookie',
  'otp',
  'code',
  'token',
  'access_token',
  'refresh_token',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'hssk' },
      redact: { paths: REDACTED_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
