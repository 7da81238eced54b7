import { createApp } from 'vue'
import {
  ActionSheet, Button, Cascader, Cell, CellGroup, Checkbox, CheckboxGroup, Dialog, Empty, Field, Form, Icon, Loading, NavBar, NoticeBar,
  Picker, Popup, PullRefresh, Radio, RadioGroup, Step, Steps, Switch, Tab, Tabbar, TabbarItem, Tabs, Tag, Uploader, Toast,
} from 'vant'
import 'vant/lib/index.css'
import App from './App.vue'
import { router } from './router.js'
import './style.css'
import { elderOn } from './elder.js'
import { nameDialogs } from './a11y.js'

document.documentElement.classList.toggle('elder', elderOn())

const app = createApp(App)
for (const c of [ActionSheet, Button, Cascader, Cell, CellGroup, Checkbox, CheckboxGroup, Dialog, Empty, Field, Form, Icon, Loading, NavBar, NoticeBar,
  Picker, Popup, PullRefresh, Radio, RadioGroup, Step, Steps, Switch, Tab, Tabbar, TabbarItem, Tabs, Tag, Uploader, Toast]) {
  app.use(c)
}
app.use(router)
app.mount('#app')
nameDialogs(document.body)
