package model

// housing is 住房救助 for urban households that hold dibao (or whose verified
// income is below the standard): a monthly rent subsidy, or a place on the
// 廉租住房 waiting list whose order the applicant sees. Re-checked every
// 12 months.
type housing struct{}

func (housing) Kind() BenefitKind       { return BenefitMonthlyCash }
func (housing) Excludes() []ProgramCode { return nil }
func (housing) Derived() []ProgramCode  { return nil }
func (housing) RecheckMonths(Case) int  { return 12 }

func (housing) Decide(c Case, in AssessmentInput, f Figures) (Decision, error) {
	if err := only(in, "mode"); err != nil {
		return Decision{}, err
	}
	if in.Mode == nil || (*in.Mode != HousingRentSubsidy && *in.Mode != HousingWaitingList) {
		return Decision{}, Invalid("mode", "请选择救助方式：rent_subsidy（租金补贴）或 waiting_list（廉租住房轮候）")
	}
	d := Decision{Kind: BenefitMonthlyCash, DeclaredPerCapita: c.DeclaredPerCapita(f), PersonsCovered: len(c.Members), Mode: in.Mode}
	if *in.Mode == HousingWaitingList {
		d.Kind = BenefitService
	}
	var err error
	if d.PerCapitaIncome, err = verifiedIncome(in, d.DeclaredPerCapita, false); err != nil {
		return Decision{}, err
	}
	switch {
	case c.Hukou != HukouUrban:
		d.Why = "住房救助面向城镇户籍家庭"
	case !c.Holding(ProgramDibao) && d.PerCapitaIncome >= c.Standard:
		d.Why = "不是低保家庭，月人均收入也不低于低保标准"
	default:
		d.Eligible = true
	}
	if !d.Eligible || d.Kind != BenefitMonthlyCash {
		if !d.Eligible {
			d.PersonsCovered = 0
		}
		if in.MonthlyAmount != nil && *in.MonthlyAmount != 0 {
			return Decision{}, Invalid("monthly_amount", "此情形没有按月补贴金额")
		}
		return d, nil
	}
	d.Computed = f.HousingRentSubsidy
	d.Amount, err = monthlyOverride(in, d.Computed)
	return d, err
}
