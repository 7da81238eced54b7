package model

import (
	"fmt"
	"time"
)

// Figures are the policy figures a county sets per year (PRODUCT.md "Each
// program's own rules"). They are data, edited by the county approver
// (PUT /api/v1/staff/policy-figures, audited); a county and year without
// its own row use DefaultFigures. Money is fen; rates are permille.
type Figures struct {
	// DisregardedIncomes are income kinds not counted in the per-capita
	// income (e.g. government transfers such as 优抚金, 独生子女奖励).
	DisregardedIncomes []IncomeKind `json:"disregarded_incomes"`
	// 分类施保: monthly increments of a dibao household per member who is
	// elderly (ElderlyAge or older), severely disabled (level 1 or 2) or a
	// minor (under 18). A member counts once, for the largest increment.
	ElderlyAge                int   `json:"elderly_age"`
	IncrementElderly          int64 `json:"increment_elderly"`
	IncrementSevereDisability int64 `json:"increment_severe_disability"`
	IncrementMinor            int64 `json:"increment_minor"`
	// 特困: basic support per person as a multiple of the dibao standard
	// (at least 1300‰), plus the care amount of the person's level.
	TekunBasicPermille int64            `json:"tekun_basic_permille"`
	CareAmounts        map[string]int64 `json:"care_amounts"`
	// 医疗救助: the share of (bills − insurance) paid by category, the
	// yearly cap per person, and what counts as catastrophic for others.
	MedicalPermilleTekun   int64 `json:"medical_permille_tekun"`
	MedicalPermilleDibao   int64 `json:"medical_permille_dibao"`
	MedicalPermilleOther   int64 `json:"medical_permille_other"`
	MedicalYearlyCap       int64 `json:"medical_yearly_cap"`
	MedicalCatastrophicMin int64 `json:"medical_catastrophic_min"`
	// MedicalContribution is the coop-medical (新农合) individual
	// contribution the county pays per person and year.
	MedicalContribution int64 `json:"medical_contribution"`
	// 临时救助: at most this many months of the dibao standard per person.
	TemporaryMaxMonths int64 `json:"temporary_max_months"`
	// 住房救助: the monthly rent subsidy of a household.
	HousingRentSubsidy int64 `json:"housing_rent_subsidy"`
	// GradualExitMonths is how many months a benefit is still paid after a
	// re-check found the income above the standard (渐退); 0: none.
	GradualExitMonths int `json:"gradual_exit_months"`
	// SpotCheckPermille is the share of a month's approved cases the county
	// draws for spot checks (抽查); 0: none drawn.
	SpotCheckPermille int64 `json:"spot_check_permille"`
	// DemocraticReview says the county uses community 民主评议: the
	// community may record a review meeting on a case under investigation.
	DemocraticReview bool `json:"democratic_review"`
}

// DefaultFigures are the figures of PRODUCT.md and, where it names none,
// the bureau's defaults; a county overrides them per year.
func DefaultFigures() Figures {
	return Figures{
		DisregardedIncomes:        []IncomeKind{IncomeTransfer},
		ElderlyAge:                70,
		IncrementElderly:          10000,
		IncrementSevereDisability: 15000,
		IncrementMinor:            10000,
		TekunBasicPermille:        1300,
		CareAmounts:               map[string]int64{CareSelf: 0, CarePartial: 30000, CareFull: 60000},
		MedicalPermilleTekun:      1000,
		MedicalPermilleDibao:      700,
		MedicalPermilleOther:      500,
		MedicalYearlyCap:          5_000_000,
		MedicalCatastrophicMin:    2_000_000,
		MedicalContribution:       18000,
		TemporaryMaxMonths:        6,
		HousingRentSubsidy:        40000,
		GradualExitMonths:         3,
		SpotCheckPermille:         100,
	}
}

// CountedIncome is a member's monthly income less the disregarded kinds.
// A member who declared no incomes by kind counts with the total.
func (f Figures) CountedIncome(p Person) int64 {
	if len(p.Incomes) == 0 {
		return p.MonthlyIncome
	}
	var n int64
	for _, in := range p.Incomes {
		if !f.disregards(in.Kind) {
			n += in.MonthlyAmount
		}
	}
	return n
}

func (f Figures) disregards(k IncomeKind) bool {
	for _, d := range f.DisregardedIncomes {
		if d == k {
			return true
		}
	}
	return false
}

// Validate checks figures a county sends (KindInvalid naming the field).
func (f Figures) Validate() error {
	for _, k := range f.DisregardedIncomes {
		if !IsIncomeKind(k) {
			return Invalid("disregarded_incomes", "不是收入类别："+string(k))
		}
	}
	money := map[string]int64{
		"increment_elderly": f.IncrementElderly, "increment_severe_disability": f.IncrementSevereDisability, "increment_minor": f.IncrementMinor,
		"medical_yearly_cap": f.MedicalYearlyCap, "medical_catastrophic_min": f.MedicalCatastrophicMin, "medical_contribution": f.MedicalContribution,
		"housing_rent_subsidy": f.HousingRentSubsidy,
	}
	for field, v := range money {
		if v < 0 || v > MaxAmount {
			return Invalid(field, "请填写 0 到 100 万元之间的金额（单位：分）")
		}
	}
	if f.GradualExitMonths < 0 || f.GradualExitMonths > 12 {
		return Invalid("gradual_exit_months", "请填写 0 到 12 之间的渐退月数")
	}
	if f.ElderlyAge < 50 || f.ElderlyAge > 120 {
		return Invalid("elderly_age", "请填写 50 到 120 之间的年龄")
	}
	if f.TekunBasicPermille < 1300 || f.TekunBasicPermille > 10000 {
		return Invalid("tekun_basic_permille", "特困基本生活标准不得低于低保标准的 1.3 倍（1300‰）")
	}
	for field, v := range map[string]int64{"medical_permille_tekun": f.MedicalPermilleTekun, "medical_permille_dibao": f.MedicalPermilleDibao, "medical_permille_other": f.MedicalPermilleOther} {
		if v < 0 || v > 1000 {
			return Invalid(field, "请填写 0 到 1000 之间的千分比")
		}
	}
	for _, level := range []string{CareSelf, CarePartial, CareFull} {
		v, ok := f.CareAmounts[level]
		if !ok || v < 0 || v > MaxAmount {
			return Invalid("care_amounts."+level, "请填写每一护理等级的照料护理费（单位：分）")
		}
	}
	if len(f.CareAmounts) != 3 {
		return Invalid("care_amounts", "只有 self_care、partial、full_care 三个护理等级")
	}
	if f.SpotCheckPermille < 0 || f.SpotCheckPermille > 1000 {
		return Invalid("spot_check_permille", "请填写 0 到 1000 之间的抽查千分比")
	}
	if f.TemporaryMaxMonths < 1 || f.TemporaryMaxMonths > 36 {
		return Invalid("temporary_max_months", "请填写 1 到 36 之间的月数")
	}
	return nil
}

// PolicyFigures is a county's stored figures for a year.
type PolicyFigures struct {
	RegionCode string
	Year       int
	Figures    string // JSON of Figures
	UpdatedAt  time.Time
	UpdatedBy  *string
}

// TableName is the policy figures table.
func (PolicyFigures) TableName() string { return "policy_figures" }

// String names the row for audit entries.
func (p PolicyFigures) String() string { return fmt.Sprintf("%s/%d", p.RegionCode, p.Year) }
