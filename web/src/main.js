import { createApp } from 'vue'
import {
  Button, Cascader, Cell, CellGroup, Dialog, Empty, Field, Form, Icon, Loading, NavBar, NoticeBar,
  Picker, Popup, PullRefresh, Radio, RadioGroup, Step, Steps, Tab, Tabbar, TabbarItem, Tabs, Tag, Uploader, Toast,
} from 'vant'
import 'vant/lib/index.css'
import App from './App.vue'
import { router } from './router.js'
import './style.css'

const app = createApp(App)
for (const c of [Button, Cascader, Cell, CellGroup, Dialog, Empty, Field, Form, Icon, Loading, NavBar, NoticeBar,
  Picker, Popup, PullRefresh, Radio, RadioGroup, Step, Steps, Tab, Tabbar, TabbarItem, Tabs, Tag, Uploader, Toast]) {
  app.use(c)
}
app.use(router)
app.mount('#app')
