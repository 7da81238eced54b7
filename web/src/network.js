// How the portal behaves on a weak or absent network (issue 13): one bar
// under the title says so — "网络不稳定，请重试" when a request failed on
// the network, "当前没有网络…" while the phone is offline — with a 重试
// button. Requests that may be sent again (GET, and writes carrying an
// Idempotency-Key) wait for 重试 (or for the network to come back) and
// then go again, so the page that asked gets its answer without starting
// over; other writes fail at once with the same words and the page shows
// them. The service worker (sw.js, built from src/sw.js) keeps the app
// shell for offline starts; it never keeps API answers.

const FAILED = '网络不稳定，请重试'
const OFFLINE = '当前没有网络，恢复后请重试'

const waiters = new Set() // resolve functions of requests waiting for 重试
let bar = null
let text = null
let retryRoute = null // a page whose code failed to load: opened again on 重试

// watchNetwork puts the bar into root and follows the browser's online
// and offline events; router's failed lazy pages (offline, or an old
// build) show the bar too.
export function watchNetwork(root, router) {
  bar = document.createElement('div')
  bar.className = 'net-bar'
  bar.hidden = true
  bar.setAttribute('role', 'alert')
  text = document.createElement('span')
  text.className = 'net-text'
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'net-retry'
  button.textContent = '重试'
  button.addEventListener('click', retry)
  bar.append(text, button)
  root.append(bar)

  window.addEventListener('offline', () => show(OFFLINE))
  window.addEventListener('online', () => {
    if (waiters.size || retryRoute) retry()
    else hide()
  })
  if (!navigator.onLine) show(OFFLINE)

  router?.onError((err, to) => {
    if (!isLoadFailure(err)) return
    retryRoute = to?.fullPath || null
    show(navigator.onLine ? FAILED : OFFLINE)
  })
}

// waitForRetry shows the bar and resolves when the person taps 重试 or the
// network comes back.
export function waitForRetry() {
  show(navigator.onLine ? FAILED : OFFLINE)
  return new Promise((resolve) => waiters.add(resolve))
}

// networkAnswered hides the bar once a request got through and nothing
// else waits.
export function networkAnswered() {
  if (!waiters.size && !retryRoute && navigator.onLine) hide()
}

function retry() {
  hide()
  const pending = [...waiters]
  waiters.clear()
  for (const resolve of pending) resolve()
  if (retryRoute) {
    const to = retryRoute
    retryRoute = null
    // A lazy page that failed to load is loaded again by a full page load:
    // the browser will not retry a failed module import.
    window.location.assign(to)
  }
}

function show(message) {
  if (!bar) return
  text.textContent = message
  bar.hidden = false
  document.documentElement.classList.add('net-trouble')
}

function hide() {
  if (!bar) return
  bar.hidden = true
  document.documentElement.classList.remove('net-trouble')
}

function isLoadFailure(err) {
  const m = String(err?.message || err)
  return /dynamically imported module|Importing a module script failed|error loading dynamically|Unable to preload|Failed to fetch/i.test(m)
}

// registerServiceWorker installs the offline shell's worker (built
// portal only; the Vite dev server has no sw.js). A new build's worker
// takes over by itself; pages open then keep running, and a page whose
// old chunks are gone loads again (main.js, vite:preloadError).
export function registerServiceWorker() {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  const register = () => navigator.serviceWorker.register('/sw.js').catch(() => { /* no shell: the portal works online */ })
  if (document.readyState === 'complete') register()
  else window.addEventListener('load', register, { once: true })
}
