// 长辈版 (elderly mode): larger type (body ≥ 18 px), touch targets ≥ 44 px,
// set on <html class="elder"> by style.css's variables. The choice is
// remembered on the phone (localStorage), so it holds on every page and
// after the next login.
const KEY = 'jz_elder'

export function elderOn() {
  try {
    return localStorage.getItem(KEY) === '1'
  } catch {
    return false
  }
}

export function setElder(on) {
  document.documentElement.classList.toggle('elder', on)
  try {
    localStorage.setItem(KEY, on ? '1' : '0')
  } catch { /* private mode: the switch still works for this page */ }
}
