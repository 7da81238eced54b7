package model

// tekun is 特困人员供养 (农村五保, 城镇三无): per person without work
// ability, income or anyone obliged and able to support them, basic
// support of at least 1.3 × the dibao standard plus a care amount by the
// person's self-care level, paid monthly, in an institution (centralized)
// or at home (dispersed). It excludes dibao for the same person and is
// re-checked every 12 months.
type tekun struct{}

func (tekun) Kind() BenefitKind       { return BenefitMonthlyCash }
func (tekun) Excludes() []ProgramCode { return []ProgramCode{ProgramDibao} }
func (tekun) Derived() []ProgramCode  { return []ProgramCode{ProgramEducation, ProgramMedical} }
func (tekun) RecheckMonths(Case) int  { return 12 }

func (tekun) Decide(c Case, in AssessmentInput, f Figures) (Decision, error) {
	if err := only(in, "support_mode", "care_level", "supporter_able"); err != nil {
		return Decision{}, err
	}
	if in.SupportMode == nil || (*in.SupportMode != SupportCentralized && *in.SupportMode != SupportDispersed) {
		return Decision{}, Invalid("support_mode", "请选择供养方式：centralized（集中供养）或 dispersed（分散供养）")
	}
	if in.CareLevel == nil {
		return Decision{}, Invalid("care_level", "请选择生活自理能力：self_care、partial 或 full_care")
	}
	care, ok := f.CareAmounts[*in.CareLevel]
	if !ok {
		return Decision{}, Invalid("care_level", "请选择生活自理能力：self_care、partial 或 full_care")
	}
	d := Decision{Kind: BenefitMonthlyCash, DeclaredPerCapita: c.DeclaredPerCapita(f), SupportMode: in.SupportMode, CareLevel: in.CareLevel}
	var err error
	if d.PerCapitaIncome, err = verifiedIncome(in, d.DeclaredPerCapita, false); err != nil {
		return Decision{}, err
	}
	for _, m := range c.Members {
		if m.UnableToWork() && f.CountedIncome(m) == 0 {
			d.PersonsCovered++
		}
	}
	switch {
	case d.PersonsCovered == 0:
		d.Why = "家中没有无劳动能力且无收入的人员"
	case in.SupporterAble != nil && *in.SupporterAble:
		d.Why = "有法定赡养、抚养或扶养义务人且有能力履行"
	default:
		d.Eligible = true
	}
	if !d.Eligible {
		d.PersonsCovered = 0
		return d, nil
	}
	d.Computed = (applyPermille(c.Standard, f.TekunBasicPermille) + care) * int64(d.PersonsCovered)
	d.Amount, err = monthlyOverride(in, d.Computed)
	return d, err
}
