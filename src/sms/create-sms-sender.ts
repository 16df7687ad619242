import type { SmsSettings } from '../auth/auth-config.ts';
import type { Queryable } from '../store/database.ts';
import { httpSmsSender } from './http-sms.ts';
import { logSmsSender } from './log-sms.ts';
import type { SmsSender } from './sms-sender.ts';

export function createSmsSender(settings: SmsSettings, db: Queryable): SmsSender {
  if (settings.adapter === 'http') {
    return httpSmsSender({ url: settings.gatewayUrl!, timeoutMs: settings.timeoutMs, ...(settings.gatewayToken ? { token: settings.gatewayToken } : {}) });
  }
  return logSmsSender(db);
}
