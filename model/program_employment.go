package model

// employment is 就业援助: a service, not money — registration, training,
// referrals and their outcomes for members able to work. Three suitable
// offers refused without reason let the county reduce or stop the
// household's dibao.
type employment struct{}

func (employment) Kind() BenefitKind       { return BenefitService }
func (employment) Excludes() []ProgramCode { return nil }
func (employment) Derived() []ProgramCode  { return nil }
func (employment) RecheckMonths(Case) int  { return 0 }

// RefusedOffersLimit is how many suitable offers refused without reason
// let the county reduce or stop dibao.
const RefusedOffersLimit = 3

func (employment) Decide(c Case, in AssessmentInput, f Figures) (Decision, error) {
	if err := only(in); err != nil {
		return Decision{}, err
	}
	d := Decision{Kind: BenefitService, DeclaredPerCapita: c.DeclaredPerCapita(f)}
	var err error
	if d.PerCapitaIncome, err = verifiedIncome(in, d.DeclaredPerCapita, false); err != nil {
		return Decision{}, err
	}
	for _, m := range c.Members {
		if m.WorkAbility == WorkAbilityFull || m.WorkAbility == WorkAbilityPartial {
			d.PersonsCovered++
		}
	}
	if d.PersonsCovered == 0 {
		d.Why = "家中没有有劳动能力的成员"
		return d, nil
	}
	d.Eligible = true
	return d, nil
}
