package model

import (
	"encoding/json"
	"fmt"
	"sort"
)

// BenefitKind is what an approval of a program gives (API.md "Programs and
// assessment").
type BenefitKind string

// Benefit kinds.
const (
	BenefitMonthlyCash BenefitKind = "monthly_cash" // paid every month (dibao, tekun, housing rent subsidy)
	BenefitOneOffCash  BenefitKind = "one_off_cash" // paid once (temporary, medical)
	BenefitVoucher     BenefitKind = "voucher"      // education vouchers per term
	BenefitService     BenefitKind = "service"      // employment: registration, referrals
)

// IsMonthly reports whether the kind pays an amount every month.
func (k BenefitKind) IsMonthly() bool { return k == BenefitMonthlyCash }

// IsOneOff reports whether the kind pays one amount once.
func (k BenefitKind) IsOneOff() bool { return k == BenefitOneOffCash }

// Policy is one program's own rules: who is eligible, what the benefit is
// and how much, what it excludes, how often it is re-checked and what it
// brings with it. Each program implements it in its own file
// (program_<code>.go); the workflow, the statistics and the portal ask the
// policy instead of switching on program codes.
type Policy interface {
	// Kind is the benefit an approval gives.
	Kind() BenefitKind
	// Excludes lists the programs a person covered by this program cannot
	// hold at the same time.
	Excludes() []ProgramCode
	// Derived lists the programs whose benefits an eligible approval brings
	// without a second proof of poverty (education vouchers, the medical
	// contribution).
	Derived() []ProgramCode
	// RecheckMonths is the 复核 interval of an approved case (0: none).
	RecheckMonths(c Case) int
	// Decide checks the program's own assessment fields and computes the
	// decision from the facts of the case and the county's figures. Bad
	// input is a KindInvalid error naming the field.
	Decide(c Case, in AssessmentInput, f Figures) (Decision, error)
}

// Income kinds a member may declare (API.md `incomes`).
type IncomeKind string

// Income kinds.
const (
	IncomeWage        IncomeKind = "wage"
	IncomePension     IncomeKind = "pension"
	IncomeAgriculture IncomeKind = "agriculture"
	IncomeBusiness    IncomeKind = "business"
	IncomeProperty    IncomeKind = "property"
	IncomeTransfer    IncomeKind = "transfer"
	IncomeOther       IncomeKind = "other"
)

// IncomeKinds lists every income kind.
var IncomeKinds = []IncomeKind{IncomeWage, IncomePension, IncomeAgriculture, IncomeBusiness, IncomeProperty, IncomeTransfer, IncomeOther}

// IsIncomeKind reports whether k is one of IncomeKinds.
func IsIncomeKind(k IncomeKind) bool {
	for _, x := range IncomeKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Income is one declared income of a member, in fen per month.
type Income struct {
	Kind          IncomeKind `json:"kind"`
	MonthlyAmount int64      `json:"monthly_amount"`
}

// Care levels of a 特困 person (生活自理能力).
const (
	CareSelf    = "self_care"
	CarePartial = "partial"
	CareFull    = "full_care"
)

// Housing modes of a 住房救助 case.
const (
	HousingRentSubsidy = "rent_subsidy"
	HousingWaitingList = "waiting_list"
)

// Person is a member of the household as the decision sees it.
type Person struct {
	Relation        string
	Age             int
	WorkAbility     string // WorkAbilityFull, …; "" when not declared
	DisabilityLevel string // "1"–"4", "" for none
	Incomes         []Income
	MonthlyIncome   int64 // the declared total (incomes summed)
	InSchool        bool
}

// UnableToWork says whether p counts as without work ability: declared
// so, or a child below WorkingAge (the household form does not ask a
// child, and 《特困人员认定办法》 counts a minor under 16 as unable to work).
func (p Person) UnableToWork() bool {
	return p.WorkAbility == WorkAbilityNone || (p.Age >= 0 && p.Age < WorkingAge)
}

// Case is what a decision needs to know of an application and its
// household.
type Case struct {
	Program ProgramCode
	Hukou   string
	Members []Person
	// Standard is the 低保 standard in force for the county, year and hukou
	// (fen per person per month).
	Standard int64
	// Holds lists the programs the household holds an approved or
	// suspended benefit of (the case itself excluded).
	Holds []ProgramCode
	// MedicalPaidThisYear is what the household's one-off medical aid paid
	// this year so far (for the yearly cap).
	MedicalPaidThisYear int64
}

// Holding reports whether the household holds an active benefit of program.
func (c Case) Holding(program ProgramCode) bool {
	for _, p := range c.Holds {
		if p == program {
			return true
		}
	}
	return false
}

// DeclaredPerCapita is the household's declared income per person and
// month: every member's declared incomes less the kinds the county
// disregards, summed, divided by the members (rounded down to the fen).
func (c Case) DeclaredPerCapita(f Figures) int64 {
	if len(c.Members) == 0 {
		return 0
	}
	var total int64
	for _, m := range c.Members {
		total += f.CountedIncome(m)
	}
	return total / int64(len(c.Members))
}

// AssessmentInput is what the community worker records, for every program
// (API.md): the fields a program does not use must be absent.
type AssessmentInput struct {
	PerCapitaIncome *int64  `json:"per_capita_income"`
	IncomeReason    string  `json:"income_reason"`
	MonthlyAmount   *int64  `json:"monthly_amount"`
	AmountReason    string  `json:"amount_reason"`
	SupportMode     *string `json:"support_mode"`
	CareLevel       *string `json:"care_level"`
	SupporterAble   *bool   `json:"supporter_able"`
	Amount          *int64  `json:"amount"`
	BillsTotal      *int64  `json:"bills_total"`
	InsurancePaid   *int64  `json:"insurance_paid"`
	Mode            *string `json:"mode"`
	Urgent          bool    `json:"urgent"`
}

// Decision is the outcome of an assessment.
type Decision struct {
	Eligible bool
	// Why says, in Chinese, why a case is not eligible.
	Why  string
	Kind BenefitKind
	// DeclaredPerCapita and PerCapitaIncome are the declared and the
	// verified income per person and month.
	DeclaredPerCapita int64
	PerCapitaIncome   int64
	// Computed is the amount the rule gives; Amount the amount decided
	// (monthly for a monthly benefit, once for a one-off), which differs
	// from Computed only with a reason.
	Computed int64
	Amount   int64
	// PersonsCovered is how many people the benefit covers (the members,
	// or for tekun the persons supported).
	PersonsCovered int
	SupportMode    *string
	CareLevel      *string
	Mode           *string
	Urgent         bool
}

// MaxAmount bounds every amount and income in fen (one million yuan).
const MaxAmount = 100_000_000

// Rounding, stated once: a rate is applied to a whole number of fen and
// the result rounded up to the next whole fen, so a rule that says "at
// least" or "a share of" never pays less than it says.
func applyPermille(amount, permille int64) int64 {
	p := amount * permille
	if p <= 0 {
		return 0
	}
	return (p + 999) / 1000
}

// checkAmount validates an optional amount field.
func checkAmount(field string, v *int64) error {
	if v != nil && (*v < 0 || *v > MaxAmount) {
		return Invalid(field, "请填写 0 到 100 万元之间的金额（单位：分）")
	}
	return nil
}

// only refuses the assessment fields of other programs.
func only(in AssessmentInput, allowed ...string) error {
	ok := map[string]bool{}
	for _, a := range allowed {
		ok[a] = true
	}
	given := map[string]bool{
		"support_mode": in.SupportMode != nil, "care_level": in.CareLevel != nil, "supporter_able": in.SupporterAble != nil,
		"amount": in.Amount != nil, "bills_total": in.BillsTotal != nil, "insurance_paid": in.InsurancePaid != nil,
		"mode": in.Mode != nil, "urgent": in.Urgent,
	}
	names := make([]string, 0, len(given))
	for k := range given {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if given[k] && !ok[k] {
			return Invalid(k, "本项目的评估不填写此项")
		}
	}
	return nil
}

// verifiedIncome is the per-capita income the assessment records: the
// verified figure when given (a lower one than declared needs a reason),
// the declared one otherwise.
func verifiedIncome(in AssessmentInput, declared int64, required bool) (int64, error) {
	if in.PerCapitaIncome == nil {
		if required {
			return 0, Invalid("per_capita_income", "请填写入户核实的家庭月人均收入（单位：分）")
		}
		return declared, nil
	}
	if err := checkAmount("per_capita_income", in.PerCapitaIncome); err != nil {
		return 0, err
	}
	v := *in.PerCapitaIncome
	if v < declared && in.IncomeReason == "" {
		return 0, Invalid("income_reason", fmt.Sprintf("核实的人均收入低于申报的 %s 元，请说明原因", Yuan(declared)))
	}
	return v, nil
}

// monthlyOverride applies a staff amount that differs from the computed
// monthly amount; it needs amount_reason.
func monthlyOverride(in AssessmentInput, computed int64) (int64, error) {
	if err := checkAmount("monthly_amount", in.MonthlyAmount); err != nil {
		return 0, err
	}
	if in.MonthlyAmount == nil || *in.MonthlyAmount == computed {
		return computed, nil
	}
	if in.AmountReason == "" {
		return 0, Invalid("amount_reason", fmt.Sprintf("金额与按政策计算的 %s 元不同，请说明原因", Yuan(computed)))
	}
	return *in.MonthlyAmount, nil
}

// Yuan formats fen as yuan with two decimals and thousands separators:
// 194000 → "1,940.00".
func Yuan(fen int64) string {
	neg := fen < 0
	if neg {
		fen = -fen
	}
	whole, cents := fen/100, fen%100
	s := fmt.Sprintf("%d", whole)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return fmt.Sprintf("%s.%02d", s, cents)
}

// PolicyOf returns the policy of a program code.
func PolicyOf(program ProgramCode) (Policy, bool) {
	p, ok := ProgramOf(program)
	if !ok {
		return nil, false
	}
	return p.Policy, true
}

// ParseIncomes reads a member's stored incomes (nil: none declared by kind).
func ParseIncomes(stored *string) ([]Income, error) {
	if stored == nil || *stored == "" {
		return nil, nil
	}
	var out []Income
	if err := json.Unmarshal([]byte(*stored), &out); err != nil {
		return nil, fmt.Errorf("stored incomes: %w", err)
	}
	return out, nil
}
