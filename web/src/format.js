// Display helpers: money in fen shown as ¥, dates in the local (Chinese) form.
export function yuan(fen) {
  if (fen === null || fen === undefined || fen === '') return '—'
  const n = Number(fen)
  const sign = n < 0 ? '-' : ''
  const a = Math.abs(n)
  return `${sign}¥${Math.floor(a / 100).toLocaleString('zh-CN')}.${String(a % 100).padStart(2, '0')}`
}

// fenOf converts a 元 amount typed by the user ("1234.5") to integer fen.
export function fenOf(yuanText) {
  const s = String(yuanText ?? '').trim()
  if (s === '') return 0
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return NaN
  const [i, f = ''] = s.split('.')
  return Number(i) * 100 + Number((f + '00').slice(0, 2))
}

export function yuanOf(fen) {
  if (!fen) return ''
  return (fen / 100).toFixed(2).replace(/\.00$/, '')
}

const dtf = new Intl.DateTimeFormat('zh-CN', {
  year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
})
const df = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'long', day: 'numeric' })

export function dateTime(s) {
  if (!s) return ''
  const d = new Date(s)
  return isNaN(d) ? s : dtf.format(d)
}

export function date(s) {
  if (!s) return ''
  const d = new Date(s)
  return isNaN(d) ? s : df.format(d)
}

export const statusText = {
  draft: '草稿',
  submitted: '已提交',
  accepted: '已受理',
  investigating: '调查核实中',
  publicizing: '公示中',
  approved: '已批准',
  rejected: '未批准',
  returned: '退回补正',
  withdrawn: '已撤回',
}

export const statusTag = {
  draft: 'default', submitted: 'primary', accepted: 'primary', investigating: 'primary',
  publicizing: 'warning', approved: 'success', rejected: 'danger', returned: 'warning', withdrawn: 'default',
}

export const docStatusText = { pending: '待审核', accepted: '已通过', rejected: '未通过', replaced: '已替换' }

export const relationText = { self: '本人', spouse: '配偶', child: '子女', parent: '父母', other: '其他' }
export const workAbilityText = { full: '完全', partial: '部分', none: '无' }
export const stageText = { compulsory: '义务教育', senior_high: '高中段', special: '特殊教育' }
export const itemText = {
  misc_fee: '杂费', custody_fee: '代管费', boarding_fee: '住宿费', transfer_fee: '借读费', tuition: '学费', nursery_fee: '保育费',
}
export const voucherStatusText = { issued: '可使用', redeemed: '已使用', void: '已作废', expired: '已过期' }
export const roleText = {
  resident: '居民', community_worker: '社区专干', street_reviewer: '街道审核', county_approver: '县区审批',
  school_operator: '学校', auditor: '审计', admin: '管理员', education_officer: '教育局',
}

export function termText(t) {
  if (!t) return ''
  const [y, s] = t.split('-')
  return `${y}年${s === 'spring' ? '春季' : s === 'autumn' ? '秋季' : s}学期`
}

// groupCode prints a voucher code in groups of four (EDU-7K3M-9QXD-...).
export function groupCode(c) {
  return c || ''
}

// currentTerm names the school term of now in China time, like
// model.TermOf: spring is February–July, autumn August–January.
export function currentTerm(now = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'numeric' }).formatToParts(now)
  const y = Number(parts.find((p) => p.type === 'year').value)
  const m = Number(parts.find((p) => p.type === 'month').value)
  if (m === 1) return `${y - 1}-autumn`
  if (m >= 2 && m <= 7) return `${y}-spring`
  return `${y}-autumn`
}

export const programNames = {
  dibao: '低保', tekun: '特困供养', medical: '医疗救助', education: '教育救助', housing: '住房救助', employment: '就业援助', temporary: '临时救助',
}

export const docKindText = {
  id_card: '身份证', hukou_book: '户口本', income_proof: '收入证明', work_ability_proof: '劳动能力鉴定或残疾证', medical_bills: '医疗费用票据',
  enrolment_proof: '在学证明', housing_proof: '住房情况证明', unemployment_proof: '失业登记证明', hardship_proof: '困难情况说明', other: '其他材料',
}
