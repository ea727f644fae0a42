// Keeps the scanner page usable without network: the page, its wasm, its
// script and styles are fetched from the network when it answers and from
// the cache when it does not. Nothing else is touched: every other request
// goes to the network as if this worker did not exist.
'use strict';
const CACHE = 'fairlink-scanner-v1';

function kept(url) {
  return url.pathname.startsWith('/pkg/')
    || url.pathname === '/scanner.js'
    || url.pathname === '/favicon.svg'
    || /^\/fairs\/[^/]+\/scan$/.test(url.pathname);
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !kept(url)) return;
  const key = url.pathname;
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          event.waitUntil(caches.open(CACHE).then((c) => c.put(key, copy)));
        }
        return res;
      })
      .catch(() => caches.open(CACHE)
        .then((c) => c.match(key))
        .then((hit) => hit || Response.error())),
  );
});
