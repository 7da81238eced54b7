import { createRouter, createWebHistory } from 'vue-router'
import { loginPath, session } from './api.js'

const routes = [
  { path: '/', redirect: '/home' },
  { path: '/login', component: () => import('./views/ResidentLogin.vue'), meta: { title: '居民登录' } },
  { path: '/home', component: () => import('./views/ResidentHome.vue'), meta: { auth: 'resident', title: '我的申请', tab: true } },
  // The household form: a task list (/household), one page per question group and 核对信息 (one route, so the draft stays while the resident moves between them).
  { path: '/household/:step(basics|member|incomes|bank|check)?/:n(\\d+)?', component: () => import('./views/Household.vue'), meta: { auth: 'resident', title: '家庭信息', tab: true } },
  { path: '/apply', component: () => import('./views/Programs.vue'), meta: { auth: 'resident', title: '申请救助' } },
  { path: '/applications/:id', component: () => import('./views/ApplicationDetail.vue'), meta: { auth: 'resident', title: '申请详情' } },
  { path: '/messages', component: () => import('./views/Messages.vue'), meta: { auth: 'resident', title: '消息', tab: true } },
  { path: '/vouchers', component: () => import('./views/Vouchers.vue'), meta: { auth: 'resident', title: '教育券', tab: true } },
  { path: '/wechat', component: () => import('./views/WeChatBinding.vue'), meta: { auth: 'resident', title: '微信绑定' } },
  { path: '/pairing', component: () => import('./views/Pairing.vue'), meta: { auth: 'resident', title: '结对助学' } },
  { path: '/volunteer/login', component: () => import('./views/ResidentLogin.vue'), meta: { title: '志愿者登录', volunteer: true } },
  { path: '/volunteer', component: () => import('./views/VolunteerHome.vue'), meta: { auth: 'resident', title: '志愿服务' } },
  { path: '/staff/login', component: () => import('./views/StaffLogin.vue'), meta: { title: '工作人员登录' } },
  { path: '/school', component: () => import('./views/SchoolRedeem.vue'), meta: { auth: 'staff', title: '教育券核销' } },
  { path: '/school/statement', component: () => import('./views/SchoolStatement.vue'), meta: { auth: 'staff', title: '本学期结算单' } },
  { path: '/station', component: () => import('./views/StationDonations.vue'), meta: { auth: 'staff', title: '捐赠站点' } },
  { path: '/staff', component: () => import('./views/StaffQueue.vue'), meta: { auth: 'staff', title: '待办申请' } },
  { path: '/staff/totp', component: () => import('./views/StaffTotp.vue'), meta: { auth: 'staff', title: '动态口令' } },
  { path: '/staff/money', component: () => import('./views/StaffMoney.vue'), meta: { auth: 'staff', title: '资金发放' } },
  { path: '/staff/society', component: () => import('./views/StaffSociety.vue'), meta: { auth: 'staff', title: '社会捐赠与结对' } },
  { path: '/staff/activities', component: () => import('./views/StaffActivities.vue'), meta: { auth: 'staff', title: '志愿活动' } },
  { path: '/staff/applications/:id', component: () => import('./views/StaffApplication.vue'), meta: { auth: 'staff', title: '申请审核' } },
  { path: '/guide', component: () => import('./views/Guide.vue'), meta: { title: '办事指南' } },
  { path: '/notices', component: () => import('./views/PublicNotices.vue'), meta: { title: '公示公告' } },
  { path: '/donations', component: () => import('./views/PublicDonations.vue'), meta: { title: '社会捐赠公示' } },
  { path: '/donations/trace', component: () => import('./views/DonationTrace.vue'), meta: { title: '捐赠去向查询' } },
  { path: '/pairing/donor', component: () => import('./views/PairingDonor.vue'), meta: { title: '我的结对助学' } },
  { path: '/:rest(.*)*', redirect: '/home' },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

router.beforeEach((to) => {
  const need = to.meta.auth
  if (!need) return true
  if (session().kind !== need) return loginPath(need, to.fullPath)
  return true
})

router.afterEach((to) => {
  document.title = (to.meta.title ? to.meta.title + ' - ' : '') + '救助通'
})
