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
