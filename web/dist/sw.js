// The portal's service worker: the offline app shell (issue 13). The build
// (vite.config.js) writes it to dist/sw.js with this build's version and
// shell; a new build is a new worker, which caches its shell, takes over
// and deletes the caches of older builds.
//
// What it keeps: the shell ("/" and the scripts and styles index.html
// links) and the hashed files under /assets/ as they are loaded (their
// names change with their content, so a cached one is never stale). What
// it never touches: /api/ — answers carry personal data and must come from
// the server, and a failed request is shown as failed (api.js offers a
// retry) — nor any request other than GET, nor other origins.
const VERSION = "3c45a0472357"
const SHELL = ["/","/assets/index-DJnYSfyY.js","/assets/api-C4n50cPT.js","/assets/api-B2zlZA97.css","/assets/index-Bw0YHD9L.css"]
const CACHE = 'jiuzhu-' + VERSION
// A navigation waits this long for the network before the cached shell
// answers (a weak network that does answer still gets the fresh page).
const NAVIGATION_TIMEOUT_MS = 4000

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((u) => new Request(u, { cache: 'no-cache' }))))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('jiuzhu-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return
  if (req.mode === 'navigate') {
    event.respondWith(navigation(req))
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(asset(req))
  }
})

// navigation answers a page load from the network, and with the cached
// shell when the network fails or is too slow (the portal's routes are
// all the same index.html).
async function navigation(req) {
  const network = fetch(req)
  try {
    const res = await Promise.race([network, timeout(NAVIGATION_TIMEOUT_MS)])
    if (res) {
      if (res.ok) await (await caches.open(CACHE)).put('/', res.clone())
      return res
    }
  } catch { /* offline: the shell below */ }
  const shell = await caches.match('/', { cacheName: CACHE })
  return shell || network
}

// asset answers a hashed file from the cache, else from the network,
// keeping a good answer for next time.
async function asset(req) {
  const hit = await caches.match(req, { cacheName: CACHE })
  if (hit) return hit
  const res = await fetch(req)
  if (res.ok) await (await caches.open(CACHE)).put(req, res.clone())
  return res
}

function timeout(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms))
}
