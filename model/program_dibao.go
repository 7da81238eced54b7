package model

import "fmt"

// dibao is 最低生活保障: a household whose verified per-capita income is
// below the county's standard gets the gap times its members, plus the
// 分类施保 increments, every month. It excludes 特困 for the same person,
// brings the derived benefits, and is re-checked every 12 months (6 when
// a member can work or an income is irregular).
type dibao struct{}

func (dibao) Kind() BenefitKind       { return BenefitMonthlyCash }
func (dibao) Excludes() []ProgramCode { return []ProgramCode{ProgramTekun} }
func (dibao) Derived() []ProgramCode  { return []ProgramCode{ProgramEducation, ProgramMedical} }

func (dibao) RecheckMonths(c Case) int {
	for _, m := range c.Members {
		if m.WorkAbility == WorkAbilityFull || m.WorkAbility == WorkAbilityPartial {
			return 6
		}
		for _, in := range m.Incomes {
			if irregularIncome(in.Kind) {
				return 6
			}
		}
	}
	return 12
}

// irregularIncome are the kinds whose amount changes month to month.
func irregularIncome(k IncomeKind) bool {
	return k == IncomeAgriculture || k == IncomeBusiness || k == IncomeOther
}

func (dibao) Decide(c Case, in AssessmentInput, f Figures) (Decision, error) {
	if err := only(in); err != nil {
		return Decision{}, err
	}
	d := Decision{Kind: BenefitMonthlyCash, DeclaredPerCapita: c.DeclaredPerCapita(f), PersonsCovered: len(c.Members)}
	var err error
	if d.PerCapitaIncome, err = verifiedIncome(in, d.DeclaredPerCapita, true); err != nil {
		return Decision{}, err
	}
	if d.PerCapitaIncome >= c.Standard {
		d.Why = fmt.Sprintf("家庭月人均收入 %s 元不低于当地低保标准 %s 元", Yuan(d.PerCapitaIncome), Yuan(c.Standard))
		if in.MonthlyAmount != nil && *in.MonthlyAmount != 0 {
			return Decision{}, Invalid("monthly_amount", "不符合低保条件的家庭没有救助金额")
		}
		return d, nil
	}
	d.Eligible = true
	d.Computed = (c.Standard-d.PerCapitaIncome)*int64(len(c.Members)) + dibaoIncrements(c, f)
	d.Amount, err = monthlyOverride(in, d.Computed)
	return d, err
}

// dibaoIncrements is the 分类施保 sum: per member the largest increment
// the member qualifies for (elderly, severely disabled, minor).
func dibaoIncrements(c Case, f Figures) int64 {
	var sum int64
	for _, m := range c.Members {
		var inc int64
		if m.Age >= f.ElderlyAge {
			inc = max(inc, f.IncrementElderly)
		}
		if m.DisabilityLevel == "1" || m.DisabilityLevel == "2" {
			inc = max(inc, f.IncrementSevereDisability)
		}
		if m.Age >= 0 && m.Age < 18 {
			inc = max(inc, f.IncrementMinor)
		}
		sum += inc
	}
	return sum
}
