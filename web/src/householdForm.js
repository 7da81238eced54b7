// The household form's rules as the portal checks them before sending:
// what each question group needs, the errors in words naming the member
// and the field (as the server's messages do), and where each field is.
// The server checks everything again; its field errors (members[1].
// id_number …) are placed with fieldOf.
import { fenOf, incomeKindText } from './format.js'

// Question groups in the order the form walks them.
export const groupTitles = { basics: '家庭基本情况', member: '家庭成员', incomes: '收入', bank: '收款银行卡' }

// validID checks the GB 11643 check character, so typos are caught before sending.
export function validID(v) {
  const s = String(v || '').replace(/\s/g, '').toUpperCase()
  if (!/^\d{17}[\dX]$/.test(s)) return false
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * w[i]
  return '10X98765432'[sum % 11] === s[17]
}

// groupID shows an ID number as it is typed in groups of 6-8-4 (address
// code, birth date, sequence and check): digits only, an X only as the
// 18th character, at most 18.
export function groupID(v) {
  let s = String(v || '').toUpperCase().replace(/[^0-9X]/g, '')
  s = s.slice(0, 17).replace(/X/g, '') + s.slice(17)
  s = s.slice(0, 18)
  return [s.slice(0, 6), s.slice(6, 14), s.slice(14)].filter(Boolean).join(' ')
}

// rawID is an ID number as sent: no spaces, upper case.
export function rawID(v) {
  return String(v || '').replace(/\s/g, '').toUpperCase()
}

// ageFromID is the age in whole years today of the holder of a valid ID
// number (from its birth date).
export function ageFromID(raw, now = new Date()) {
  const y = Number(raw.slice(6, 10)), mo = Number(raw.slice(10, 12)), d = Number(raw.slice(12, 14))
  let age = now.getFullYear() - y
  if (now.getMonth() + 1 < mo || (now.getMonth() + 1 === mo && now.getDate() < d)) age--
  return age
}

// memberLabel names a member as the server's messages do: 成员 2（李建国）.
export function memberLabel(m, i) {
  const name = (m.name || '').trim()
  return `成员 ${i + 1}` + (name ? `（${name}）` : '')
}

// idKept says the member's ID number is the stored one, shown masked.
export function idKept(m) {
  return !!m.maskedId && m.idText === m.maskedId
}

// asksWorkAbility says whether the form asks the member's work ability: the
// server's answer for a stored ID number; for one typed now, its age
// against the working age the server states (GET /api/v1/guide); not
// before a valid ID number is typed.
export function asksWorkAbility(m, workingAge) {
  if (idKept(m)) return m.asks !== false
  const raw = rawID(m.idText)
  if (!validID(raw)) return false
  return workingAge == null || ageFromID(raw) >= workingAge
}

// An error is {text, step, index?, field}: field is the id of the control
// (without the f- prefix).
function err(step, field, text, index) {
  return { step, field, text, index }
}

export function basicsErrors(form) {
  const out = []
  if (!form.region_code) out.push(err('basics', 'region', '所在社区：请选择所在社区'))
  if (!form.address.trim()) out.push(err('basics', 'address', '详细地址：请填写家庭住址'))
  if (!form.hukou) out.push(err('basics', 'hukou', '户籍：请选择城镇或农村'))
  return out
}

export function memberErrors(form, i, workingAge) {
  const m = form.members[i]
  const who = memberLabel(m, i)
  const out = []
  if (!m.name.trim()) out.push(err('member', 'name' + i, `${who}的姓名：请填写姓名`, i))
  else if (/[*<>]/.test(m.name)) out.push(err('member', 'name' + i, `${who}的姓名：不能含 * < > 符号`, i))
  if (!idKept(m)) {
    const raw = rawID(m.idText)
    if (!raw) out.push(err('member', 'id_number' + i, `${who}的身份证号：请填写 18 位身份证号码`, i))
    else if (!validID(raw)) out.push(err('member', 'id_number' + i, `${who}的身份证号：号码不正确，请对照身份证逐位核对`, i))
    else if (form.members.some((o, j) => j !== i && !idKept(o) && rawID(o.idText) === raw)) {
      out.push(err('member', 'id_number' + i, `${who}的身份证号：重复填写了，同一个人只填一次`, i))
    }
  }
  if (!m.relation) out.push(err('member', 'relation' + i, `${who}的与户主关系：请选择`, i))
  else if (m.relation === 'self' && form.members.some((o, j) => j < i && o.relation === 'self')) {
    out.push(err('member', 'relation' + i, `${who}的与户主关系：只有一位成员是“本人”，请重新选择`, i))
  }
  if (asksWorkAbility(m, workingAge) && !m.work_ability) out.push(err('member', 'work' + i, `${who}的劳动能力：请选择完全、部分或无`, i))
  if (m.relation === 'child' && m.school_id && !m.grade.trim()) out.push(err('member', 'grade' + i, `${who}的年级：请填写年级`, i))
  return out
}

// membersErrors are the errors of the group of members as a whole.
export function membersErrors(form) {
  if (!form.members.some((m) => m.relation === 'self')) {
    return [err('member', 'relation0', '家庭成员：要有一位成员是申请人“本人”，请在与户主关系中选择', 0)]
  }
  return []
}

export function incomeErrors(form) {
  const out = []
  form.members.forEach((m, i) => {
    for (const x of m.incomes) {
      if (String(x.amount).trim() === '' || isNaN(fenOf(x.amount))) {
        out.push(err('incomes', `income${i}-${x.kind}`, `${memberLabel(m, i)}的${incomeKindText[x.kind]}：请填写每月金额（元），最多两位小数`, i))
      }
    }
  })
  return out
}

export function bankErrors(form, keptAccount) {
  const out = []
  const account = form.account.trim()
  if (account && !form.bank.trim()) out.push(err('bank', 'bank', '开户银行：请填写开户银行名称'))
  if (account && account !== keptAccount && !/^\d{12,30}$/.test(account.replace(/\s/g, ''))) {
    out.push(err('bank', 'account', '银行卡号：应为 12 到 30 位数字'))
  }
  return out
}

// fieldOf places a server field path (members[1].id_number) in the form:
// its group, member and control.
export function fieldOf(path) {
  let m = /^members\[(\d+)\]\.(incomes|monthly_income)/.exec(path)
  if (m) return { step: 'incomes', index: Number(m[1]), field: 'incomes' + m[1] }
  m = /^members\[(\d+)\]\.([a-z_]+)(?:\.([a-z_]+))?/.exec(path)
  if (m) {
    const i = m[1]
    const f = { name: 'name', id_number: 'id_number', relation: 'relation', work_ability: 'work', id: 'name' }[m[2]]
    const school = { grade: 'grade', stage: 'stage', school_id: 'school' }[m[3]] || 'school'
    return { step: 'member', index: Number(i), field: (m[2] === 'school' ? school : f || 'name') + i }
  }
  if (path === 'members') return { step: 'member', index: 0, field: 'relation0' }
  if (path.startsWith('bank_account')) return { step: 'bank', field: path.endsWith('.bank') ? 'bank' : 'account' }
  const basics = { region_code: 'region', address: 'address', hukou: 'hukou' }[path]
  return basics ? { step: 'basics', field: basics } : null
}
