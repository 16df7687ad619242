// The one interface every SMS goes through (OTPs, activation codes, break-glass notices).
export interface SmsSender {
  /** `to` is a normalised phone number (+84…). Resolves once the gateway (or outbox) accepted it. */
  send(to: string, message: string): Promise<void>;
}

export class SmsDeliveryError extends Error {
  override name = 'SmsDeliveryError';
}
