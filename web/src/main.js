import { createApp } from 'vue'
// Vant components are imported where a template uses them (with their own
// styles: unplugin-vue-components, vite.config.js), so a page loads only
// what it shows. The function APIs (showSuccessToast, showConfirmDialog…)
// are imported by the views from 'vant'; their styles are these two.
import 'vant/es/toast/style'
import 'vant/es/dialog/style'
import App from './App.vue'
import { router } from './router.js'
import './style.css'
import './shell.css'
import { elderOn } from './elder.js'
import { nameDialogs } from './a11y.js'
import { watchNetwork, registerServiceWorker } from './network.js'

document.documentElement.classList.toggle('elder', elderOn())

// A chunk of an older build that the server no longer has (a new version
// was deployed while this page was open): load the page again, fresh.
// Offline, or a second time within a minute, the network bar (network.js)
// offers 重试 instead.
window.addEventListener('vite:preloadError', (e) => {
  const last = Number(sessionStorage.getItem('jz_reloaded') || 0)
  if (!navigator.onLine || Date.now() - last < 60000) return
  sessionStorage.setItem('jz_reloaded', String(Date.now()))
  e.preventDefault()
  window.location.reload()
})

const app = createApp(App)
app.use(router)
app.mount('#app')
nameDialogs(document.body)
watchNetwork(document.body, router)
registerServiceWorker()
