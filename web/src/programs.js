// The assessment form of each program. The server has no field listing a
// program's assessment fields, so this is the portal's one copy of them:
// each entry mirrors Decide in model/program_<code>.go (its `only(in, …)`
// list, the fields it requires, and the per-capita income and monthly
// override every policy reads). Change it with that file. Every program
// also takes home_visit {date, note}.
//
// required: fields that must be filled; optional: fields that may be;
// when: a field shown only while the condition on the form holds.
export const assessmentForms = {
  // model/program_dibao.go: verified income required; an amount other than
  // the computed gap needs amount_reason.
  dibao: { required: ['per_capita_income'], optional: ['monthly_amount'] },
  // model/program_tekun.go: support mode and care level; an able supporter
  // makes the case not eligible.
  tekun: { required: ['support_mode', 'care_level'], optional: ['supporter_able', 'per_capita_income', 'monthly_amount'] },
  // model/program_temporary.go: the one-off amount; urgent lets the street
  // approve without 公示.
  temporary: { required: ['amount'], optional: ['urgent', 'per_capita_income'] },
  // model/program_medical.go: bills and insurance; a lower amount than the
  // computed one needs amount_reason.
  medical: { required: ['bills_total', 'insurance_paid'], optional: ['amount', 'per_capita_income'] },
  // model/program_housing.go: rent subsidy (monthly) or the waiting list.
  housing: { required: ['mode'], optional: ['per_capita_income', 'monthly_amount'], when: { monthly_amount: (f) => f.mode === 'rent_subsidy' } },
  // model/program_education.go and model/program_employment.go: the home
  // visit only.
  education: { required: [], optional: ['per_capita_income'] },
  employment: { required: [], optional: ['per_capita_income'] },
}

// assessmentFields describes each field: its Chinese label, its input
// (money: 元 typed, fen sent; choice; flag) and, for an amount that
// differs from the computed one or an income lower than declared, the
// reason field that goes with it.
export const assessmentFields = {
  per_capita_income: { label: '核实人均月收入(元)', input: 'money', reason: 'income_reason',
    placeholder: '入户核实的家庭月人均收入', optionalPlaceholder: '留空按申报收入' },
  monthly_amount: { label: '月救助金(元)', input: 'money', reason: 'amount_reason', optionalPlaceholder: '留空按政策计算' },
  amount: { label: '一次性救助金额(元)', input: 'money', reason: 'amount_reason', optionalPlaceholder: '留空按政策计算' },
  bills_total: { label: '医疗费用票据合计(元)', input: 'money' },
  insurance_paid: { label: '医保已报销(元)', input: 'money', placeholder: '没有报销填 0' },
  support_mode: { label: '供养方式', input: 'choice', options: { centralized: '集中供养', dispersed: '分散供养' } },
  care_level: { label: '生活自理能力', input: 'choice', options: { self_care: '生活自理', partial: '部分失能', full_care: '完全失能' } },
  supporter_able: { label: '有能力履行义务的赡养、抚养或扶养人', input: 'flag' },
  urgent: { label: '急难型（先行救助，无需公示）', input: 'flag' },
  mode: { label: '救助方式', input: 'choice', options: { rent_subsidy: '租金补贴', waiting_list: '廉租住房轮候' } },
}

export const reasonLabels = {
  income_reason: { label: '收入核减理由', placeholder: '核实收入低于申报收入时必填' },
  amount_reason: { label: '金额调整理由', placeholder: '与按政策计算的金额不同时必填' },
}

export const supportModeText = assessmentFields.support_mode.options
export const careLevelText = assessmentFields.care_level.options
export const housingModeText = assessmentFields.mode.options
