// The web-push channel. No Web Push (RFC 8291) sender ships with HSSK yet: the registry has
// small candidates (e.g. @pushforge/builder) that were not vetted for this project, so the
// channel stays behind this interface and the default sender records the message as
// undeliverable; a deployment plugs a real sender in here.
export interface PushSubscriptionKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushSender {
  send(subscription: PushSubscriptionKeys, payload: { title: string; body: string }): Promise<void>;
}

export class PushUnavailable extends Error {
  override name = 'PushUnavailable';
}

export const unavailablePushSender: PushSender = {
  async send() {
    throw new PushUnavailable('Kênh thông báo đẩy (web push) chưa được cấu hình.');
  },
};
