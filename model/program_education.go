package model

// education is 教育救助: education vouchers per term for the school
// children of a dibao or tekun household, or of another poor household
// (verified income below the standard). Vouchers follow the parent benefit;
// the program has no re-check of its own.
type education struct{}

func (education) Kind() BenefitKind       { return BenefitVoucher }
func (education) Excludes() []ProgramCode { return nil }
func (education) Derived() []ProgramCode  { return nil }
func (education) RecheckMonths(Case) int  { return 0 }

func (education) Decide(c Case, in AssessmentInput, f Figures) (Decision, error) {
	if err := only(in); err != nil {
		return Decision{}, err
	}
	d := Decision{Kind: BenefitVoucher, DeclaredPerCapita: c.DeclaredPerCapita(f)}
	var err error
	if d.PerCapitaIncome, err = verifiedIncome(in, d.DeclaredPerCapita, false); err != nil {
		return Decision{}, err
	}
	for _, m := range c.Members {
		if m.InSchool {
			d.PersonsCovered++
		}
	}
	poor := c.Holding(ProgramDibao) || c.Holding(ProgramTekun) || d.PerCapitaIncome < c.Standard
	switch {
	case d.PersonsCovered == 0:
		d.Why = "家中没有登记在校学生"
	case !poor:
		d.Why = "不是低保、特困家庭，月人均收入也不低于低保标准"
	default:
		d.Eligible = true
	}
	if !d.Eligible {
		d.PersonsCovered = 0
	}
	return d, nil
}
