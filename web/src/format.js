// Display helpers: money in fen shown as ¥, dates in the local (Chinese) form.
export function yuan(fen) {
  if (fen === null || fen === undefined || fen === '') return '—'
  const s = yuanPlain(fen)
  return s.startsWith('-') ? '-¥' + s.slice(1) : '¥' + s
}

// yuanPlain is fen as yuan with separators and two decimals, as the
// server's model.Yuan writes it: 194000 → "1,940.00".
export function yuanPlain(fen) {
  const n = Number(fen)
  const a = Math.abs(n)
  return `${n < 0 ? '-' : ''}${Math.floor(a / 100).toLocaleString('zh-CN')}.${String(a % 100).padStart(2, '0')}`
}

// fenOf converts a 元 amount typed by the user ("1234.5") to integer fen.
export function fenOf(yuanText) {
  const s = String(yuanText ?? '').trim()
  if (s === '') return 0
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return NaN
  const [i, f = ''] = s.split('.')
  return Number(i) * 100 + Number((f + '00').slice(0, 2))
}

// yuanOf is the 元 text of an integer fen amount for an input ("1234.5"),
// in integer arithmetic; '' for none (and for 0 unless keepZero).
export function yuanOf(fen, keepZero = false) {
  if (fen === null || fen === undefined || fen === '' || (!fen && !keepZero)) return ''
  const n = Number(fen)
  const a = Math.abs(n)
  const cents = String(a % 100).padStart(2, '0').replace(/0$/, '').replace(/^0$/, '')
  return (n < 0 ? '-' : '') + Math.floor(a / 100) + (cents ? '.' + cents : '')
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
  suspended: '已暂停',
  ended: '已终止',
}

export const statusTag = {
  draft: 'default', submitted: 'primary', accepted: 'primary', investigating: 'primary',
  publicizing: 'warning', approved: 'success', rejected: 'danger', returned: 'warning', withdrawn: 'default',
  suspended: 'warning', ended: 'default',
}

export const docStatusText = { pending: '待审核', accepted: '已通过', rejected: '未通过', replaced: '已替换' }

// Income kinds a member declares (model.IncomeKinds), in display order.
export const incomeKindText = {
  wage: '工资性收入', pension: '养老金', agriculture: '农业经营收入', business: '经营性收入', property: '财产性收入', transfer: '转移性收入', other: '其他收入',
}
export const benefitKindText = { monthly_cash: '按月发放', one_off_cash: '一次性发放', voucher: '教育券', service: '服务' }
export const benefitStatusText = { active: '享受中', suspended: '已暂停', ended: '已终止' }

// amountText says an amount with its kind in the server's words: "每月
// 1,940.00 元" for a monthly benefit, "一次性 2,000.00 元" for a one-off
// (never as monthly).
export function amountText(kind, fen) {
  if (fen === null || fen === undefined) return '—'
  if (kind === 'monthly_cash') return `每月 ${yuanPlain(fen)} 元`
  if (kind === 'one_off_cash') return `一次性 ${yuanPlain(fen)} 元`
  return yuan(fen)
}

export const relationText = { self: '本人', spouse: '配偶', child: '子女', parent: '父母', other: '其他' }
export const workAbilityText = { full: '完全', partial: '部分', none: '无' }
export const stageText = { compulsory: '义务教育', senior_high: '高中段', special: '特殊教育' }
export const itemText = {
  misc_fee: '杂费', custody_fee: '代管费', boarding_fee: '住宿费', transfer_fee: '借读费', tuition: '学费', nursery_fee: '保育费',
}
export const voucherStatusText = { issued: '可使用', redeemed: '已使用', void: '已作废', expired: '已过期' }
export const roleText = {
  resident: '居民', community_worker: '社区专干', street_reviewer: '街道审核', county_approver: '县区审批',
  school_operator: '学校', auditor: '审计', admin: '管理员', education_officer: '教育局', finance_officer: '财务',
}

export function termText(t) {
  if (!t) return ''
  const [y, s] = t.split('-')
  return `${y}年${s === 'spring' ? '春季' : s === 'autumn' ? '秋季' : s}学期`
}

// groupCode prints a voucher code as model.formatVoucherCode does, in
// groups of four after the prefix and the check character alone
// (EDU-7K3M-9QXD-2WHP-R), whatever case, dashes or spaces it was typed
// with; a string that is not 16 digits and a check character is returned
// trimmed, as typed.
export function groupCode(c) {
  const typed = String(c ?? '').trim()
  let body = typed.toUpperCase().replace(/[\s-]/g, '')
  if (body.length === 20 && body.startsWith('EDU')) body = body.slice(3)
  if (body.length !== 17) return typed
  return ['EDU', ...body.slice(0, 16).match(/.{4}/g), body[16]].join('-')
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
  enrolment_proof: '在学证明', housing_proof: '住房情况证明', unemployment_proof: '失业登记证明', hardship_proof: '困难情况说明', consent: '家庭经济状况核对授权书', other: '其他材料',
}

// lastDay is the last day of a deadline whose due_at is the first instant
// after it (the server's working-day clocks), in China time: 2026年10月14日.
const chinaDay = new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'Asia/Shanghai' })
export function lastDay(dueAt) {
  if (!dueAt) return ''
  return chinaDay.format(new Date(new Date(dueAt).getTime() - 1000))
}
// What each deadline (the staff detail's deadlines, the queue's deadline) is for.
export const deadlineStepText = {
  investigation: '入户调查启动', decision: '县级审批', case: '办结', resubmission: '居民补正',
}
