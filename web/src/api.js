// The one HTTP client of the portal. A resident's session lives in an
// HttpOnly cookie the server sets at login (so a new WeChat page is still
// logged in); the portal keeps only a marker with the masked phone and the
// expiry in localStorage, never the token. Staff keep a bearer token in
// sessionStorage. Every request carries the X-Jiuzhu-Portal header, which
// the server requires on cookie-authenticated writes (CSRF). API errors
// become Error objects with the server's Chinese message, and a 401 sends
// the user to the right login page and back afterwards. Tokens and personal
// data are never written to the console.
import { router } from './router.js'
import { networkAnswered, waitForRetry } from './network.js'

const STAFF_TOKEN = 'jz_token'
const STAFF_INFO = 'jz_info'
const RESIDENT = 'jz_resident' // localStorage: {phone_masked, expires_at}

function residentMarker() {
  try {
    const m = JSON.parse(localStorage.getItem(RESIDENT) || 'null')
    if (m && Date.parse(m.expires_at) > Date.now()) return m
  } catch { /* a broken marker is no session */ }
  return null
}

// session says who is logged in: kind is 'resident', 'staff' or null.
export function session() {
  const token = sessionStorage.getItem(STAFF_TOKEN)
  if (token) return { token, kind: 'staff' }
  if (residentMarker()) return { token: null, kind: 'resident' }
  return { token: null, kind: null }
}

// saveSession records a login. A resident's token stays in its cookie.
export function saveSession(kind, token, info) {
  if (kind === 'resident') {
    localStorage.setItem(RESIDENT, JSON.stringify({ phone_masked: info?.phone_masked || '', expires_at: info?.expires_at || '' }))
    return
  }
  sessionStorage.setItem(STAFF_TOKEN, token)
  sessionStorage.setItem(STAFF_INFO, JSON.stringify(info || {}))
}

export function sessionInfo() {
  const m = residentMarker()
  if (m && !sessionStorage.getItem(STAFF_TOKEN)) return m
  try {
    return JSON.parse(sessionStorage.getItem(STAFF_INFO) || '{}')
  } catch {
    return {}
  }
}

export function clearSession() {
  sessionStorage.removeItem(STAFF_TOKEN)
  sessionStorage.removeItem(STAFF_INFO)
  localStorage.removeItem(RESIDENT)
}

// loginPath is the login page for kind, coming back to `back` afterwards.
export function loginPath(kind, back) {
  // Volunteers log in with the residents' SMS login, on their own page.
  const volunteer = typeof back === 'string' && back.startsWith('/volunteer')
  const base = kind === 'staff' ? '/staff/login' : volunteer ? '/volunteer/login' : '/login'
  return back && back !== base && !back.endsWith('/login') ? { path: base, query: { redirect: back } } : base
}

// afterLogin is where a login page sends the user: the page they were
// going to (same-site paths only), else home.
export function afterLogin(redirect, home) {
  return typeof redirect === 'string' && redirect.startsWith('/') && !redirect.startsWith('//') ? redirect : home
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {}
    // The server's message is plain Chinese from its catalogue; field
    // reasons already name the field (and the member) in words, so they are
    // shown as they are, never with their internal keys.
    let msg = e.message || defaultMessage(status)
    if (e.fields && typeof e.fields === 'object') {
      const parts = Object.values(e.fields).filter((v) => v && !msg.includes(v))
      if (parts.length) msg += parts.join('；') + '。'
    }
    super(msg)
    this.status = status
    this.code = e.code || ''
    this.fields = e.fields || {}
  }
}

function defaultMessage(status) {
  switch (status) {
    case 401: return '登录已过期，请重新登录'
    case 403: return '没有权限进行此操作'
    case 404: return '未找到'
    case 409: return '状态已变化，请刷新后重试'
    case 413: return '文件太大'
    case 415: return '文件类型不支持，请上传 JPG、PNG 或 PDF'
    case 429: return '操作太频繁，请稍后再试'
    case 503: return '服务暂不可用，请稍后再试'
    default: return `请求失败（${status}）`
  }
}

// portalHeaders are the headers of every portal request: JSON answers, the
// portal marker (the CSRF check of cookie sessions) and a staff bearer.
function portalHeaders(opts) {
  const headers = { Accept: 'application/json', 'X-Jiuzhu-Portal': '1', ...(opts.headers || {}) }
  const { token } = session()
  if (token && !opts.anonymous) headers.Authorization = 'Bearer ' + token
  return headers
}

// onUnauthorized drops a dead session and sends the user to log in,
// coming back here afterwards.
function onUnauthorized(kind) {
  clearSession()
  const here = router.currentRoute.value
  if (!here.path.endsWith('/login')) router.replace(loginPath(kind, here.fullPath))
}

// request performs one API call. body may be a plain object (sent as JSON)
// or FormData (sent as multipart). opts.raw returns the Response itself.
export async function request(method, path, body, opts = {}) {
  const headers = portalHeaders(opts)
  const { kind } = session()
  let payload
  if (body instanceof FormData) {
    payload = body
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  // A request that may go again (a read, or a write the server
  // deduplicates by its Idempotency-Key) waits on a network failure for
  // the person's 重试 (network.js shows 网络不稳定，请重试) and goes again;
  // any other fails at once with the same words.
  const repeatable = method === 'GET' || method === 'HEAD' || !!headers['Idempotency-Key']
  let res
  for (;;) {
    try {
      res = await fetch(path, { method, headers, body: payload, cache: 'no-store' })
      break
    } catch {
      if (!repeatable) throw networkError()
      await waitForRetry()
    }
  }
  networkAnswered()
  if (res.status === 401 && !opts.anonymous) onUnauthorized(kind)
  if (!res.ok) {
    let data = null
    try { data = await res.json() } catch { /* not JSON */ }
    throw new ApiError(res.status, data)
  }
  if (opts.raw) return res
  if (res.status === 204) return null
  const type = res.headers.get('Content-Type') || ''
  return type.includes('json') ? res.json() : res.text()
}

export const api = {
  get: (p, o) => request('GET', p, undefined, o),
  post: (p, b, o) => request('POST', p, b === undefined ? {} : b, o),
  put: (p, b, o) => request('PUT', p, b, o),
  del: (p, o) => request('DELETE', p, undefined, o),
}

function networkError() {
  return new ApiError(0, { error: { code: 'network', message: '网络不稳定，请重试' } })
}

// upload sends a multipart form with upload progress (fetch cannot report
// it): onProgress gets the fraction sent (0–1). It returns {done, cancel}:
// done resolves to the JSON answer or rejects with an ApiError (status 0
// for a network failure, code 'cancelled' after cancel()).
export function upload(path, form, onProgress) {
  const xhr = new XMLHttpRequest()
  const done = new Promise((resolve, reject) => {
    xhr.open('POST', path)
    for (const [k, v] of Object.entries(portalHeaders({}))) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total) }
    xhr.onerror = () => reject(networkError())
    xhr.ontimeout = () => reject(networkError())
    xhr.onabort = () => {
      const e = new ApiError(0, { error: { code: 'cancelled', message: '已取消上传' } })
      e.code = 'cancelled'
      reject(e)
    }
    xhr.onload = () => {
      let data = null
      try { data = JSON.parse(xhr.responseText) } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data)
      if (xhr.status === 401) onUnauthorized(session().kind)
      reject(new ApiError(xhr.status, data))
    }
    xhr.send(form)
  })
  return { done, cancel: () => xhr.abort() }
}

// downloadFile fetches an authenticated file and saves it as filename.
export async function downloadFile(path, filename) {
  const res = await request('GET', path, undefined, { raw: true, headers: { Accept: '*/*' } })
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}

// blobURL fetches an authenticated image and returns an object URL for it.
export async function blobURL(path) {
  const res = await request('GET', path, undefined, { raw: true, headers: { Accept: '*/*' } })
  return URL.createObjectURL(await res.blob())
}

// newKey returns a fresh Idempotency-Key. crypto.randomUUID needs a secure
// context; plain-HTTP intranet deployments fall back to getRandomValues.
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID()
  const b = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
