import { describe, expect, it } from 'vitest';
import { httpSmsSender } from './http-sms.ts';
import { SmsDeliveryError } from './sms-sender.ts';

describe('SMS gateway adapter', () => {
  it('posts {to, message} as JSON with the bearer token', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const sender = httpSmsSender({
      url: 'https://sms.example/send',
      token: 'secret-token',
      timeoutMs: 1000,
      fetch: (async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return new Response('{}', { status: 200 });
      }) as typeof fetch,
    });
    await sender.send('+84912345678', 'Mã OTP: 123456');
    expect(calls[0]!.url).toBe('https://sms.example/send');
    expect((calls[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer secret-token');
    expect(JSON.parse(calls[0]!.init.body as string)).toEqual({ to: '+84912345678', message: 'Mã OTP: 123456' });
  });

  it('reports a refused message without repeating its text', async () => {
    const sender = httpSmsSender({ url: 'https://sms.example/send', timeoutMs: 1000, fetch: (async () => new Response('bad 123456', { status: 502 })) as unknown as typeof fetch });
    const error = await sender.send('+84912345678', 'Mã OTP: 123456').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsDeliveryError);
    expect(String((error as Error).message)).not.toContain('123456');
  });
});
