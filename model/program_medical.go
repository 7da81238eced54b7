package model

import "fmt"

// medical is 医疗救助's one-off aid: (bills − insurance paid) × the share of
// the household's category (tekun 100%, dibao 70%, others 50%), up to the
// yearly cap, for dibao and tekun households or a catastrophic cost. The
// coop-medical contribution of dibao/tekun members is a derived benefit
// (the county's medical list), not an application.
type medical struct{}

func (medical) Kind() BenefitKind       { return BenefitOneOffCash }
func (medical) Excludes() []ProgramCode { return nil }
func (medical) Derived() []ProgramCode  { return nil }
func (medical) RecheckMonths(Case) int  { return 0 }

func (medical) Decide(c Case, in AssessmentInput, f Figures) (Decision, error) {
	if err := only(in, "amount", "bills_total", "insurance_paid"); err != nil {
		return Decision{}, err
	}
	for field, v := range map[string]*int64{"amount": in.Amount, "bills_total": in.BillsTotal, "insurance_paid": in.InsurancePaid} {
		if err := checkAmount(field, v); err != nil {
			return Decision{}, err
		}
	}
	if in.BillsTotal == nil {
		return Decision{}, Invalid("bills_total", "请填写医疗费用票据合计（单位：分）")
	}
	if in.InsurancePaid == nil {
		return Decision{}, Invalid("insurance_paid", "请填写医保已报销金额（单位：分），没有报销填 0")
	}
	if *in.InsurancePaid > *in.BillsTotal {
		return Decision{}, Invalid("insurance_paid", "医保报销金额不能大于票据合计")
	}
	d := Decision{Kind: BenefitOneOffCash, DeclaredPerCapita: c.DeclaredPerCapita(f), PersonsCovered: 1}
	var err error
	if d.PerCapitaIncome, err = verifiedIncome(in, d.DeclaredPerCapita, false); err != nil {
		return Decision{}, err
	}
	own := *in.BillsTotal - *in.InsurancePaid
	share := f.MedicalPermilleOther
	switch {
	case c.Holding(ProgramTekun):
		share = f.MedicalPermilleTekun
	case c.Holding(ProgramDibao):
		share = f.MedicalPermilleDibao
	}
	left := max(f.MedicalYearlyCap-c.MedicalPaidThisYear, 0)
	switch {
	case !c.Holding(ProgramTekun) && !c.Holding(ProgramDibao) && own < f.MedicalCatastrophicMin:
		d.Why = fmt.Sprintf("不是低保或特困家庭，自付医疗费用 %s 元未达到大病救助起点 %s 元", Yuan(own), Yuan(f.MedicalCatastrophicMin))
	case left == 0:
		d.Why = "今年的医疗救助已达到年度封顶线"
	case own == 0:
		d.Why = "没有需要自付的医疗费用"
	default:
		d.Eligible = true
	}
	if !d.Eligible {
		if in.Amount != nil && *in.Amount != 0 {
			return Decision{}, Invalid("amount", "不符合医疗救助条件，没有救助金额")
		}
		return d, nil
	}
	d.Computed = min(applyPermille(own, share), left)
	d.Amount = d.Computed
	if in.Amount != nil && *in.Amount != d.Computed {
		if *in.Amount > d.Computed {
			return Decision{}, Invalid("amount", fmt.Sprintf("超过按政策可救助的 %s 元", Yuan(d.Computed)))
		}
		if in.AmountReason == "" {
			return Decision{}, Invalid("amount_reason", fmt.Sprintf("金额与按政策计算的 %s 元不同，请说明原因", Yuan(d.Computed)))
		}
		d.Amount = *in.Amount
	}
	return d, nil
}
