// Vant's toasts and popups carry role="dialog" without an accessible name,
// and its dialogs point aria-labelledby at their title text rather than at
// an element id (axe: aria-dialog-name). Each gets its own text (or 提示)
// as its name when it appears; a popup's overlay is named 关闭.
export function nameDialogs(root) {
  const fix = () => {
    for (const el of root.querySelectorAll('[role=dialog]:not([aria-label])')) {
      const by = el.getAttribute('aria-labelledby')
      if (by && by.split(/\s+/).every((id) => document.getElementById(id))) continue
      if (by) el.removeAttribute('aria-labelledby')
      const title = el.querySelector('.van-dialog__header')
      el.setAttribute('aria-label', ((title || el).textContent || '').trim().slice(0, 40) || '提示')
    }
    // A popup's overlay closes it when tapped: a button without a name
    // (axe: aria-command-name).
    for (const el of root.querySelectorAll('.van-overlay[role=button]:not([aria-label])')) el.setAttribute('aria-label', '关闭')
  }
  new MutationObserver(fix).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ['role', 'aria-labelledby'] })
}
