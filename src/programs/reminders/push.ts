// The web-push channel's interface: dispatch sends through a PushSender, the real one is
// web-push-sender.ts (RFC 8030/8291/8292 through the `web-push` package).
export interface PushSubscriptionKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushPayload {
  title: string;
  body: string;
  /** Where a tap on the notification opens the app. */
  url?: string;
  /** Same tag: a newer notification replaces the older one on the device. */
  tag?: string;
}

export interface PushSender {
  /** Resolves once the push service accepted the message; throws PushDeliveryError otherwise. */
  send(subscription: PushSubscriptionKeys, payload: PushPayload): Promise<void>;
}

export class PushDeliveryError extends Error {
  override name = 'PushDeliveryError';
  readonly statusCode: number | undefined;
  constructor(message: string, statusCode?: number) {
    super(message);
    this.statusCode = statusCode;
  }
  /** 404/410: the browser unsubscribed or the subscription expired; it will never work again. */
  get gone(): boolean {
    return this.statusCode === 404 || this.statusCode === 410;
  }
}

/** For tools that only send SMS (e.g. a test of the SMS path): every push fails. */
export const unavailablePushSender: PushSender = {
  async send() {
    throw new PushDeliveryError('Kênh thông báo đẩy (web push) chưa được cấu hình.');
  },
};
