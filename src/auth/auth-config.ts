// Settings of accounts, tokens, OTPs and SMS. Built from a plain object (src/config/config.ts
// stays the only reader of process.env); every field has a safe default.

export interface SmsSettings {
  adapter: 'log' | 'http';
  /** Gateway endpoint of the http adapter: POST {to, message} with a bearer token. */
  gatewayUrl?: string;
  gatewayToken?: string;
  /** Request timeout of the http adapter, milliseconds. */
  timeoutMs: number;
}

export interface AuthConfig {
  /** Public base URL: issuer of access tokens, and the token URL's base (aud of client assertions). */
  baseUrl: string;
  accessTokenSeconds: number;
  /** Longest lifetime a client_assertion may claim (SMART: 5 minutes). */
  clientAssertionMaxSeconds: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  /** Failed sign-ins before a lockout, and its length. */
  lockoutThreshold: number;
  lockoutSeconds: number;
  otpSeconds: number;
  otpMaxAttempts: number;
  /** OTP sends per phone and per IP address, per window. */
  otpPerPhone: number;
  otpPerIp: number;
  otpWindowSeconds: number;
  shareCodeMinutes: number;
  consentHours: number;
  consentMaxHours: number;
  breakGlassHours: number;
  /** Signing keys older than this are retired (a new one signs); 0: never rotate automatically. */
  signingKeyRotationDays: number;
  /** Send the session cookie only over https. */
  secureCookies: boolean;
  sms: SmsSettings;
}

export function authConfig(values: Partial<Omit<AuthConfig, 'sms'>> & { baseUrl: string; sms?: Partial<SmsSettings> }): AuthConfig {
  const baseUrl = values.baseUrl.replace(/\/+$/, '');
  const sms: SmsSettings = { adapter: 'log', timeoutMs: 10_000, ...values.sms };
  if (sms.adapter === 'http' && !sms.gatewayUrl) {
    throw new Error('HSSK_SMS_GATEWAY_URL is required when HSSK_SMS_ADAPTER=http');
  }
  return {
    accessTokenSeconds: 300,
    clientAssertionMaxSeconds: 300,
    sessionIdleSeconds: 30 * 60,
    sessionAbsoluteSeconds: 12 * 3600,
    lockoutThreshold: 5,
    lockoutSeconds: 15 * 60,
    otpSeconds: 300,
    otpMaxAttempts: 5,
    otpPerPhone: 5,
    otpPerIp: 30,
    otpWindowSeconds: 3600,
    shareCodeMinutes: 10,
    consentHours: 24,
    consentMaxHours: 24 * 7,
    breakGlassHours: 4,
    signingKeyRotationDays: 30,
    secureCookies: baseUrl.startsWith('https://'),
    ...values,
    baseUrl,
    sms,
  };
}

/** The token endpoint URL: the audience of client assertions. */
export function tokenUrl(config: AuthConfig): string {
  return `${config.baseUrl}/oauth2/token`;
}

/** The audience of access tokens: the FHIR base. */
export function fhirAudience(config: AuthConfig): string {
  return `${config.baseUrl}/fhir`;
}
