// This device's web-push subscription: the browser's PushManager (through the app's service
// worker) on one side, HSSK's /api/push on the other. The server's VAPID public key is the
// applicationServerKey, so only HSSK can push to the subscription it receives.
import { api, ApiError, request } from '../shared/api.ts';

export type DevicePushState = 'unsupported' | 'denied' | 'on' | 'off';

export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.length) return false;
  const x = new Uint8Array(a);
  return x.every((v, i) => v === b[i]);
}

/** A short label the resident will recognise in the list of devices, e.g. "Chrome trên Android". */
export function deviceLabel(userAgent: string = navigator.userAgent): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /coc_coc|CocCoc/i.test(userAgent)
      ? 'Cốc Cốc'
      : /Firefox\//.test(userAgent)
        ? 'Firefox'
        : /Chrome\/|Chromium\//.test(userAgent)
          ? 'Chrome'
          : /Safari\//.test(userAgent)
            ? 'Safari'
            : 'Trình duyệt';
  const os = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iPhone/iPad'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : '';
  return os ? `${browser} trên ${os}` : browser;
}

/** A browser without a reachable push service may never settle subscribe(): give up instead. */
const SUBSCRIBE_TIMEOUT_MS = 20_000;

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('push service did not answer')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

async function registration(): Promise<ServiceWorkerRegistration> {
  return within(navigator.serviceWorker.ready, SUBSCRIBE_TIMEOUT_MS);
}

/** On when the browser holds a subscription and HSSK has it for the signed-in resident. */
export async function devicePushState(signal?: AbortSignal): Promise<DevicePushState> {
  if (!pushSupported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const reg = await navigator.serviceWorker.getRegistration('/app/');
  const sub = await reg?.pushManager.getSubscription();
  if (!sub) return 'off';
  const { subscribed } = await api.get<{ subscribed: boolean }>(`/api/push/subscriptions?endpoint=${encodeURIComponent(sub.endpoint)}`, signal);
  return subscribed ? 'on' : 'off';
}

/** Asks permission, subscribes with HSSK's key and registers the subscription. */
export async function enableDevicePush(): Promise<DevicePushState> {
  if (!pushSupported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const { publicKey } = await api.get<{ publicKey: string }>('/api/push/public-key');
  const key = keyBytes(publicKey);
  const reg = await registration();
  let sub = await reg.pushManager.getSubscription();
  // A subscription made against another key (e.g. before the server's key changed) cannot be used.
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await within(reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }), SUBSCRIBE_TIMEOUT_MS);
  await api.post('/api/push/subscriptions', { ...sub.toJSON(), device: deviceLabel() });
  return 'on';
}

export async function disableDevicePush(): Promise<DevicePushState> {
  const reg = await navigator.serviceWorker.getRegistration('/app/');
  const sub = await reg?.pushManager.getSubscription();
  if (sub) {
    try {
      await request('/api/push/subscriptions', { method: 'DELETE', body: { endpoint: sub.endpoint } });
    } catch (err) {
      // Already unknown to the server: nothing to remove there.
      if (!(err instanceof ApiError && err.status === 404)) throw err;
    }
    await sub.unsubscribe();
  }
  return 'off';
}
