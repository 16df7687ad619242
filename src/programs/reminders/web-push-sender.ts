// The real web-push sender: the payload encrypted for the subscription (aes128gcm, RFC 8291),
// signed with the installation's VAPID key (RFC 8292), POSTed to the browser vendor's push
// service (RFC 8030). Errors carry the status only: a push service's body is never logged.
import type { Agent } from 'node:https';
import webpush from 'web-push';
import { PushDeliveryError, type PushSender } from './push.ts';
import type { VapidKeys } from './vapid-keys.ts';

export interface WebPushSenderOptions {
  keys: VapidKeys;
  /** How long the push service keeps an undelivered message (a reminder is stale after a day). */
  ttlSeconds?: number;
  timeoutMs?: number;
  /** TLS settings for reaching the push service (tests: a local service's certificate). */
  agent?: Agent;
}

export function webPushSender(options: WebPushSenderOptions): PushSender {
  return {
    async send(subscription, payload) {
      try {
        await webpush.sendNotification(
          { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
          JSON.stringify(payload),
          {
            vapidDetails: options.keys,
            contentEncoding: 'aes128gcm',
            TTL: options.ttlSeconds ?? 86_400,
            urgency: 'normal',
            timeout: options.timeoutMs ?? 10_000,
            ...(options.agent ? { agent: options.agent } : {}),
          },
        );
      } catch (err) {
        if (err instanceof webpush.WebPushError) throw new PushDeliveryError(`Dịch vụ đẩy trả lời ${err.statusCode}`, err.statusCode);
        throw new PushDeliveryError(`Không gửi được đến dịch vụ đẩy: ${(err as Error).message.slice(0, 120)}`);
      }
    },
  };
}
