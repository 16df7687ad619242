// Service worker of the resident app (scope /app/). The app shell is cached so the app opens
// offline; the last-synced record ($everything) and session are kept (network first) so the
// resident can read their summary offline. Signing out deletes the data cache.
const SHELL = 'hssk-shell-v1';
const DATA = 'hssk-data-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      const res = await fetch('/app/', { cache: 'no-store' });
      const html = await res.clone().text();
      await cache.put('/app/', res);
      const assets = [...new Set(html.match(/\/assets\/[^"'\s>]+/g) ?? [])];
      await cache.addAll([...assets, '/app/manifest.webmanifest', '/app/icon.svg', '/app/icon-192.png']);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== SHELL && key !== DATA) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data === 'clear-data') event.waitUntil(caches.delete(DATA));
});

async function networkFirst(request, cacheName, fallbackUrl) {
  const cache = await caches.open(cacheName);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(fallbackUrl ?? request, res.clone());
    return res;
  } catch (err) {
    const cached = await cache.match(fallbackUrl ?? request);
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/assets/')) {
    event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request).then(async (res) => {
      if (res.ok) await (await caches.open(SHELL)).put(request, res.clone());
      return res;
    })));
    return;
  }
  if (request.mode === 'navigate' && url.pathname.startsWith('/app')) {
    event.respondWith(networkFirst(request, SHELL, '/app/'));
    return;
  }
  if (url.pathname === '/auth/session' || /^\/fhir\/Patient\/[^/]+\/\$everything$/.test(url.pathname)) {
    event.respondWith(networkFirst(request, DATA));
  }
});

// Web-push reminders (docs/programs.md): the payload is HSSK's JSON {title, body, url, tag}.
self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : '' };
  }
  event.waitUntil(
    self.registration.showNotification(data.title || 'HSSK', {
      body: data.body || '',
      icon: '/app/icon-192.png',
      badge: '/app/icon-192.png',
      lang: 'vi',
      ...(data.tag ? { tag: data.tag } : {}),
      data: { url: data.url || '/app/' },
    }),
  );
});

// A tap opens the app (an open window of it if there is one), only ever at this origin.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || '/app/', self.location.origin);
  if (target.origin !== self.location.origin || !target.pathname.startsWith('/app')) return;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((c) => new URL(c.url).pathname.startsWith('/app'));
      if (open) {
        await open.focus();
        if ('navigate' in open) await open.navigate(target.href);
        return;
      }
      await self.clients.openWindow(target.href);
    })(),
  );
});
