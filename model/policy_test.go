package model

import (
	"testing"
)

func i64(v int64) *int64   { return &v }
func str(v string) *string { return &v }
func boolp(v bool) *bool   { return &v }

// adult, child, elder and frail are household members for the fixtures.
func adult(income int64) Person {
	return Person{Relation: RelationSelf, Age: 40, WorkAbility: WorkAbilityFull, MonthlyIncome: income, Incomes: []Income{{IncomeWage, income}}}
}
func child(inSchool bool) Person { return Person{Relation: RelationChild, Age: 10, InSchool: inSchool} }
func elder() Person              { return Person{Relation: RelationParent, Age: 75, WorkAbility: WorkAbilityNone} }
func frail() Person              { return Person{Relation: RelationSelf, Age: 66, WorkAbility: WorkAbilityNone} }

// Every amount below is computed by hand from DefaultFigures and a standard
// of 1,000.00 元 (100000 fen).
func TestProgramDecisions(t *testing.T) {
	t.Parallel()
	const std = 100000
	f := DefaultFigures()
	cases := []struct {
		name     string
		program  ProgramCode
		c        Case
		in       AssessmentInput
		eligible bool
		kind     BenefitKind
		amount   int64
		persons  int
	}{
		// dibao: (1000 − 600/3=200) × 3 = 2400 元 + minor 100 + elder 100 = 2600 元.
		{"dibao gap with increments", ProgramDibao, Case{Members: []Person{adult(60000), child(true), elder()}, Standard: std},
			AssessmentInput{PerCapitaIncome: i64(20000)}, true, BenefitMonthlyCash, 260000, 3},
		// declared 1500/1 = 1500 ≥ 1000: not eligible.
		{"dibao above the standard", ProgramDibao, Case{Members: []Person{adult(150000)}, Standard: std},
			AssessmentInput{PerCapitaIncome: i64(150000)}, false, BenefitMonthlyCash, 0, 1},
		// a transfer income is disregarded: counted 0, so (1000 − 0) × 1 = 1000 元.
		{"dibao disregards transfers", ProgramDibao, Case{Members: []Person{{Relation: RelationSelf, Age: 50, MonthlyIncome: 30000,
			Incomes: []Income{{IncomeTransfer, 30000}}}}, Standard: std},
			AssessmentInput{PerCapitaIncome: i64(0)}, true, BenefitMonthlyCash, 100000, 1},
		// tekun: ceil(1000 × 1.3) = 1300 元 + full care 600 元 = 1900 元 for the one person without work ability.
		{"tekun dispersed full care", ProgramTekun, Case{Members: []Person{frail()}, Standard: std},
			AssessmentInput{SupportMode: str(SupportDispersed), CareLevel: str(CareFull)}, true, BenefitMonthlyCash, 190000, 1},
		// An orphan of ten: the form does not ask a child's work ability, and a
		// minor under 16 counts as unable to work (特困人员认定办法 第七条).
		{"tekun orphan child not asked", ProgramTekun, Case{Members: []Person{{Relation: RelationSelf, Age: 10}}, Standard: std},
			AssessmentInput{SupportMode: str(SupportDispersed), CareLevel: str(CareFull)}, true, BenefitMonthlyCash, 190000, 1},
		{"tekun able adult not covered", ProgramTekun, Case{Members: []Person{{Relation: RelationSelf, Age: 30}}, Standard: std},
			AssessmentInput{SupportMode: str(SupportDispersed), CareLevel: str(CareFull)}, false, BenefitMonthlyCash, 0, 0},
		{"tekun with an able supporter", ProgramTekun, Case{Members: []Person{frail()}, Standard: std},
			AssessmentInput{SupportMode: str(SupportCentralized), CareLevel: str(CareSelf), SupporterAble: boolp(true)}, false, BenefitMonthlyCash, 0, 0},
		// medical, dibao household: (12000 − 4000) × 70% = 5600 元, one-off.
		{"medical dibao share", ProgramMedical, Case{Members: []Person{adult(0)}, Standard: std, Holds: []ProgramCode{ProgramDibao}},
			AssessmentInput{BillsTotal: i64(1200000), InsurancePaid: i64(400000)}, true, BenefitOneOffCash, 560000, 1},
		// medical, tekun: 100%, capped at the 50,000 元 yearly cap less 48,000 paid = 2,000 元.
		{"medical tekun capped", ProgramMedical, Case{Members: []Person{frail()}, Standard: std, Holds: []ProgramCode{ProgramTekun}, MedicalPaidThisYear: 4_800_000},
			AssessmentInput{BillsTotal: i64(1_000_000), InsurancePaid: i64(0)}, true, BenefitOneOffCash, 200000, 1},
		// medical, other household under the catastrophic threshold.
		{"medical not catastrophic", ProgramMedical, Case{Members: []Person{adult(0)}, Standard: std},
			AssessmentInput{BillsTotal: i64(500000), InsurancePaid: i64(0)}, false, BenefitOneOffCash, 0, 1},
		// temporary: 2,000 元 once.
		{"temporary one-off", ProgramTemporary, Case{Members: []Person{adult(0), child(false)}, Standard: std},
			AssessmentInput{Amount: i64(200000), Urgent: true}, true, BenefitOneOffCash, 200000, 2},
		{"education for a dibao child", ProgramEducation, Case{Members: []Person{adult(0), child(true)}, Standard: std, Holds: []ProgramCode{ProgramDibao}},
			AssessmentInput{}, true, BenefitVoucher, 0, 1},
		{"education without a pupil", ProgramEducation, Case{Members: []Person{adult(0)}, Standard: std, Holds: []ProgramCode{ProgramDibao}},
			AssessmentInput{}, false, BenefitVoucher, 0, 0},
		{"housing rent subsidy", ProgramHousing, Case{Hukou: HukouUrban, Members: []Person{adult(0)}, Standard: std, Holds: []ProgramCode{ProgramDibao}},
			AssessmentInput{Mode: str(HousingRentSubsidy)}, true, BenefitMonthlyCash, 40000, 1},
		{"housing waiting list", ProgramHousing, Case{Hukou: HukouUrban, Members: []Person{adult(0)}, Standard: std, Holds: []ProgramCode{ProgramDibao}},
			AssessmentInput{Mode: str(HousingWaitingList)}, true, BenefitService, 0, 1},
		{"housing rural", ProgramHousing, Case{Hukou: HukouRural, Members: []Person{adult(0)}, Standard: std, Holds: []ProgramCode{ProgramDibao}},
			AssessmentInput{Mode: str(HousingRentSubsidy)}, false, BenefitMonthlyCash, 0, 0},
		{"employment", ProgramEmployment, Case{Members: []Person{adult(0), elder()}, Standard: std},
			AssessmentInput{}, true, BenefitService, 0, 1},
	}
	for _, tc := range cases {
		p, ok := PolicyOf(tc.program)
		if !ok {
			t.Fatalf("%s: no policy", tc.program)
		}
		tc.c.Program = tc.program
		d, err := p.Decide(tc.c, tc.in, f)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if d.Eligible != tc.eligible || d.Kind != tc.kind || d.Amount != tc.amount || d.PersonsCovered != tc.persons {
			t.Errorf("%s: eligible %v kind %s amount %d persons %d; want %v %s %d %d (why %q)", tc.name,
				d.Eligible, d.Kind, d.Amount, d.PersonsCovered, tc.eligible, tc.kind, tc.amount, tc.persons, d.Why)
		}
		if !d.Eligible && d.Why == "" {
			t.Errorf("%s: an ineligible decision must say why", tc.name)
		}
	}
}

func TestDecisionInputErrors(t *testing.T) {
	t.Parallel()
	const std = 100000
	f := DefaultFigures()
	cases := []struct {
		name    string
		program ProgramCode
		field   string
		c       Case
		in      AssessmentInput
	}{
		{"lower verified income without a reason", ProgramDibao, "income_reason", Case{Members: []Person{adult(80000)}, Standard: std},
			AssessmentInput{PerCapitaIncome: i64(50000)}},
		{"dibao needs the verified income", ProgramDibao, "per_capita_income", Case{Members: []Person{adult(0)}, Standard: std}, AssessmentInput{}},
		{"a different amount without a reason", ProgramDibao, "amount_reason", Case{Members: []Person{adult(0)}, Standard: std},
			AssessmentInput{PerCapitaIncome: i64(0), MonthlyAmount: i64(1)}},
		{"support mode only for tekun", ProgramDibao, "support_mode", Case{Members: []Person{adult(0)}, Standard: std},
			AssessmentInput{PerCapitaIncome: i64(0), SupportMode: str(SupportCentralized)}},
		{"tekun needs a support mode", ProgramTekun, "support_mode", Case{Members: []Person{frail()}, Standard: std}, AssessmentInput{CareLevel: str(CareSelf)}},
		{"tekun needs a care level", ProgramTekun, "care_level", Case{Members: []Person{frail()}, Standard: std}, AssessmentInput{SupportMode: str(SupportDispersed)}},
		{"temporary over the limit", ProgramTemporary, "amount", Case{Members: []Person{adult(0)}, Standard: std}, AssessmentInput{Amount: i64(600001)}},
		{"temporary needs an amount", ProgramTemporary, "amount", Case{Members: []Person{adult(0)}, Standard: std}, AssessmentInput{}},
		{"medical over the computed amount", ProgramMedical, "amount", Case{Members: []Person{adult(0)}, Standard: std, Holds: []ProgramCode{ProgramDibao}},
			AssessmentInput{BillsTotal: i64(100000), InsurancePaid: i64(0), Amount: i64(100000)}},
		{"medical insurance above bills", ProgramMedical, "insurance_paid", Case{Members: []Person{adult(0)}, Standard: std},
			AssessmentInput{BillsTotal: i64(100), InsurancePaid: i64(200)}},
		{"housing needs a mode", ProgramHousing, "mode", Case{Hukou: HukouUrban, Members: []Person{adult(0)}, Standard: std}, AssessmentInput{}},
		{"urgent only for temporary", ProgramDibao, "urgent", Case{Members: []Person{adult(0)}, Standard: std}, AssessmentInput{PerCapitaIncome: i64(0), Urgent: true}},
	}
	for _, tc := range cases {
		p, _ := PolicyOf(tc.program)
		_, err := p.Decide(tc.c, tc.in, f)
		var me *Error
		if err == nil || KindOf(err) != KindInvalid {
			t.Errorf("%s: got %v, want an invalid %s", tc.name, err, tc.field)
			continue
		}
		if asErr(err, &me); me.Fields[tc.field] == "" {
			t.Errorf("%s: error %v does not name %s", tc.name, err, tc.field)
		}
	}
}

func asErr(err error, target **Error) bool {
	e, ok := err.(*Error)
	if ok {
		*target = e
	}
	return ok
}

func TestPoliciesAreComplete(t *testing.T) {
	t.Parallel()
	for _, p := range Programs {
		if p.Policy == nil {
			t.Fatalf("%s has no policy", p.Code)
		}
		for _, x := range p.Policy.Excludes() {
			q, _ := PolicyOf(x)
			found := false
			for _, back := range q.Excludes() {
				found = found || back == p.Code
			}
			if !found {
				t.Errorf("%s excludes %s but not the other way round", p.Code, x)
			}
		}
	}
	if got := ProgramsBringing(ProgramEducation); len(got) != 3 {
		t.Errorf("programs bringing vouchers: %v", got)
	}
}

func TestRecheckMonths(t *testing.T) {
	t.Parallel()
	p, _ := PolicyOf(ProgramDibao)
	if m := p.RecheckMonths(Case{Members: []Person{elder()}}); m != 12 {
		t.Errorf("dibao without work ability: %d", m)
	}
	if m := p.RecheckMonths(Case{Members: []Person{elder(), adult(100)}}); m != 6 {
		t.Errorf("dibao with a member able to work: %d", m)
	}
}

func TestYuan(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]string{0: "0.00", 194000: "1,940.00", 5: "0.05", 123456789: "1,234,567.89", -150: "-1.50"} {
		if got := Yuan(in); got != want {
			t.Errorf("Yuan(%d) = %s, want %s", in, got, want)
		}
	}
}
