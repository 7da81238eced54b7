// Vant's toasts and popups carry role="dialog" without an accessible name
// (axe: aria-dialog-name). Each gets its own text (or 提示) as its name when
// it appears.
export function nameDialogs(root) {
  const fix = () => {
    for (const el of root.querySelectorAll('[role=dialog]:not([aria-label]):not([aria-labelledby])')) {
      el.setAttribute('aria-label', (el.textContent || '').trim().slice(0, 40) || '提示')
    }
  }
  new MutationObserver(fix).observe(root, { childList: true, subtree: true })
}
