// The one HTTP client of the portal: bearer token from sessionStorage,
// API errors turned into Error objects with the server's message, and a
// 401 sends the user back to the right login page. Tokens and personal data
// are never written to the console.
import { router } from './router.js'

const TOKEN = 'jz_token'
const KIND = 'jz_kind' // resident | staff

export function session() {
  return { token: sessionStorage.getItem(TOKEN), kind: sessionStorage.getItem(KIND) }
}

export function saveSession(kind, token, info) {
  sessionStorage.setItem(TOKEN, token)
  sessionStorage.setItem(KIND, kind)
  sessionStorage.setItem('jz_info', JSON.stringify(info || {}))
}

export function sessionInfo() {
  try {
    return JSON.parse(sessionStorage.getItem('jz_info') || '{}')
  } catch {
    return {}
  }
}

export function clearSession() {
  sessionStorage.removeItem(TOKEN)
  sessionStorage.removeItem(KIND)
  sessionStorage.removeItem('jz_info')
}

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {}
    let msg = e.message || defaultMessage(status)
    if (e.fields && typeof e.fields === 'object') {
      const parts = Object.entries(e.fields).map(([k, v]) => `${k}: ${v}`)
      if (parts.length) msg += '（' + parts.join('；') + '）'
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

function loginPathFor(kind) {
  if (kind === 'staff') {
    return '/staff/login'
  }
  return '/login'
}

// request performs one API call. body may be a plain object (sent as JSON)
// or FormData (sent as multipart). opts.raw returns the Response itself.
export async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json', ...(opts.headers || {}) }
  const { token, kind } = session()
  if (token && !opts.anonymous) headers.Authorization = 'Bearer ' + token
  let payload
  if (body instanceof FormData) {
    payload = body
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let res
  try {
    res = await fetch(path, { method, headers, body: payload, cache: 'no-store' })
  } catch {
    throw new ApiError(0, { error: { message: '网络连接失败，请检查网络后重试' } })
  }
  if (res.status === 401 && !opts.anonymous) {
    clearSession()
    const target = loginPathFor(kind)
    if (router.currentRoute.value.path !== target) router.replace(target)
  }
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
