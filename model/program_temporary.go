package model

import "fmt"

// temporary is 临时救助: a one-off amount for sudden hardship, at most
// TemporaryMaxMonths of the dibao standard per member. An urgent case
// (急难型) may be approved by the street without the public notice
// (先行救助); the county is told.
type temporary struct{}

func (temporary) Kind() BenefitKind       { return BenefitOneOffCash }
func (temporary) Excludes() []ProgramCode { return nil }
func (temporary) Derived() []ProgramCode  { return nil }
func (temporary) RecheckMonths(Case) int  { return 0 }

func (temporary) Decide(c Case, in AssessmentInput, f Figures) (Decision, error) {
	if err := only(in, "amount", "urgent"); err != nil {
		return Decision{}, err
	}
	if err := checkAmount("amount", in.Amount); err != nil {
		return Decision{}, err
	}
	if in.Amount == nil || *in.Amount == 0 {
		return Decision{}, Invalid("amount", "请填写一次性救助金额（单位：分）")
	}
	limit := c.Standard * f.TemporaryMaxMonths * int64(len(c.Members))
	if *in.Amount > limit {
		return Decision{}, Invalid("amount", fmt.Sprintf("临时救助不得超过 %s 元（%d 个月低保标准 × 家庭人口）", Yuan(limit), f.TemporaryMaxMonths))
	}
	d := Decision{Kind: BenefitOneOffCash, Eligible: true, DeclaredPerCapita: c.DeclaredPerCapita(f), PersonsCovered: len(c.Members),
		Computed: *in.Amount, Amount: *in.Amount, Urgent: in.Urgent}
	var err error
	d.PerCapitaIncome, err = verifiedIncome(in, d.DeclaredPerCapita, false)
	return d, err
}
