// The verifier page's service worker (issue 14, C6), served by views.service_worker from
// /verklaring/controleren/sw.js, which puts MZ_OFFLINE = {page, assets, version} before this file.
//
// It keeps the page and its assets so that the page opens without a network. The page: network
// first (a fresh page and CSRF token when online), the kept copy offline. Assets: the kept copy at
// once, refreshed in the background. The trust material (keys, status lists, organisations) is
// kept by the page's own script (verify-page.js) in the cache "mz-verify-trust", which it reads
// itself. POSTs (the check on the server) are never touched: nothing of a code is kept.
/* global MZ_OFFLINE */
const PAGE_CACHE = `mz-verify-${MZ_OFFLINE.version}`;
const TRUST_CACHE = "mz-verify-trust";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(PAGE_CACHE)
      .then((cache) => cache.addAll([MZ_OFFLINE.page, ...MZ_OFFLINE.assets]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("mz-verify-") && name !== PAGE_CACHE && name !== TRUST_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  const cache = await caches.open(PAGE_CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(MZ_OFFLINE.page, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(MZ_OFFLINE.page);
    if (kept) return kept;
    throw error;
  }
}

async function asset(request, event) {
  const cache = await caches.open(PAGE_CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  const fresh = fetch(request)
    .then((response) => {
      if (response.ok) return cache.put(request, response.clone()).then(() => response);
      return response;
    })
    .catch(() => undefined);
  if (kept) {
    event.waitUntil(fresh);
    return kept;
  }
  return (await fresh) || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === MZ_OFFLINE.page) {
    event.respondWith(page(request));
  } else if (MZ_OFFLINE.assets.includes(url.pathname)) {
    event.respondWith(asset(request, event));
  }
});
