// Gateway adapter: POST {to, message} as JSON with a bearer token to the configured URL.
import { SmsDeliveryError, type SmsSender } from './sms-sender.ts';

export interface HttpSmsOptions {
  url: string;
  token?: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export function httpSmsSender(options: HttpSmsOptions): SmsSender {
  const doFetch = options.fetch ?? fetch;
  return {
    async send(to, message) {
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
          body: JSON.stringify({ to, message }),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      } catch (err) {
        throw new SmsDeliveryError(`SMS gateway unreachable: ${(err as Error).name}`);
      }
      // The body may echo the message (an OTP): it is not read into errors or logs.
      if (!response.ok) throw new SmsDeliveryError(`SMS gateway answered ${response.status}`);
    },
  };
}
