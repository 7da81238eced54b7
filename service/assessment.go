package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// AssessmentInput is what the community worker records: the home visit
// and the program's own fields (model.AssessmentInput).
type AssessmentInput struct {
	model.AssessmentInput
	HomeVisit *HomeVisit `json:"home_visit"`
}

// HomeVisit is the date and note of the community worker's visit.
type HomeVisit struct {
	Date string `json:"date"`
	Note string `json:"note"`
}

// AssessmentView is the recorded assessment of an application and the
// program's decision.
type AssessmentView struct {
	Eligible                bool              `json:"eligible"`
	IneligibleReason        *string           `json:"ineligible_reason,omitempty"`
	BenefitKind             model.BenefitKind `json:"benefit_kind"`
	Standard                int64             `json:"standard"`
	DeclaredPerCapitaIncome int64             `json:"declared_per_capita_income"`
	PerCapitaIncome         int64             `json:"per_capita_income"`
	IncomeReason            *string           `json:"income_reason"`
	ComputedAmount          int64             `json:"computed_amount"`
	MonthlyAmount           *int64            `json:"monthly_amount"`
	Amount                  *int64            `json:"amount"`
	AmountReason            *string           `json:"amount_reason"`
	PersonsCovered          int               `json:"persons_covered"`
	SupportMode             *string           `json:"support_mode,omitempty"`
	CareLevel               *string           `json:"care_level,omitempty"`
	Mode                    *string           `json:"mode,omitempty"`
	Urgent                  bool              `json:"urgent"`
	BillsTotal              *int64            `json:"bills_total,omitempty"`
	InsurancePaid           *int64            `json:"insurance_paid,omitempty"`
	HomeVisit               HomeVisit         `json:"home_visit"`
	AssessedBy              *string           `json:"assessed_by"`
	AssessedAt              *time.Time        `json:"assessed_at"`
}

// assessmentViewOf is the recorded assessment of a as staff see it.
func assessmentViewOf(a model.Application) AssessmentView {
	v := AssessmentView{Eligible: a.IsEligible(), IneligibleReason: a.IneligibleReason, IncomeReason: a.IncomeReason,
		MonthlyAmount: a.MonthlyAmount, Amount: a.Amount, AmountReason: a.AmountReason, SupportMode: a.SupportMode,
		CareLevel: a.CareLevel, Mode: a.HousingMode, Urgent: a.Urgent, BillsTotal: a.BillsTotal, InsurancePaid: a.InsurancePaid,
		AssessedBy: a.AssessedBy, AssessedAt: a.AssessedAt}
	if a.BenefitKind != nil {
		v.BenefitKind = *a.BenefitKind
	}
	for dst, src := range map[*int64]*int64{&v.Standard: a.StandardAmount, &v.DeclaredPerCapitaIncome: a.DeclaredIncome, &v.PerCapitaIncome: a.PerCapitaIncome} {
		if src != nil {
			*dst = *src
		}
	}
	switch {
	case a.ComputedAmount != nil:
		v.ComputedAmount = *a.ComputedAmount
	case a.MonthlyAmount != nil: // assessed before the rule's amount was kept
		v.ComputedAmount = *a.MonthlyAmount
	case a.Amount != nil:
		v.ComputedAmount = *a.Amount
	}
	if a.PersonsCovered != nil {
		v.PersonsCovered = *a.PersonsCovered
	}
	if a.HomeVisitDate != nil {
		v.HomeVisit.Date = *a.HomeVisitDate
	}
	if a.HomeVisitNote != nil {
		v.HomeVisit.Note = *a.HomeVisitNote
	}
	return v
}

// assessable are the statuses in which the assessment can be recorded.
var assessable = []model.Status{model.StatusAccepted, model.StatusInvestigating}

// countyOf is the county code of a region code.
func countyOf(code string) string {
	if len(code) < 6 {
		return code
	}
	return code[:6]
}

// Assess records the home visit and the program's decision on an accepted
// or investigated case in the staff member's subtree: the program's policy
// (model.PolicyOf) checks its own fields and computes eligibility and the
// amount from the household, the benefits it holds, the county's 低保
// standard and its policy figures for the year. Out of region is
// model.KindNotFound; bad values model.KindInvalid; a missing standard or
// a case in another state model.KindConflict.
func (w *Workflow) Assess(ctx context.Context, id string, in AssessmentInput) (AssessmentView, error) {
	p, err := staffOrStandIn(ctx, model.ActApplicationsAssess)
	if err != nil {
		return AssessmentView{}, err
	}
	now := w.d.Clock.Now()
	var out AssessmentView
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		a, err := w.d.DB.ApplicationInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "application")
		}
		if err := w.mayAct(ctx, p, a, model.ActApplicationsAssess); err != nil {
			return err
		}
		if err := validateAssessment(&in, now); err != nil {
			return err
		}
		policy, ok := model.PolicyOf(a.Program)
		if !ok {
			return fmt.Errorf("application %s has unknown program %q", a.ID, a.Program)
		}
		c, err := w.caseOf(ctx, a, now)
		if err != nil {
			return err
		}
		figures, err := w.figures(ctx, countyOf(a.RegionCode), now.Year())
		if err != nil {
			return err
		}
		d, err := policy.Decide(c, in.AssessmentInput, figures)
		if err != nil {
			return err
		}
		as := storage.Assessment{Decision: d, IncomeReason: nonEmpty(in.IncomeReason), AmountReason: nonEmpty(in.AmountReason),
			BillsTotal: in.BillsTotal, InsurancePaid: in.InsurancePaid, Standard: c.Standard,
			HomeVisitDate: in.HomeVisit.Date, HomeVisitNote: in.HomeVisit.Note, AssessedBy: p.ID, AssessedAt: now}
		if !d.Eligible {
			as.IneligibleReason = &d.Why
		}
		if err := w.d.DB.SetAssessment(ctx, a.ID, assessable, as); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("not_assessable", "只有已受理或调查核实中的申请可以录入评估")
			}
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "application.assess", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode,
			Detail: fmt.Sprintf("eligible=%t kind=%s amount=%d", d.Eligible, d.Kind, d.Amount)}); err != nil {
			return err
		}
		a, err = w.d.DB.Application(ctx, a.ID)
		if err != nil {
			return err
		}
		out = assessmentViewOf(a)
		return nil
	})
	return out, err
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// caseOf gathers what a decision needs: the household as it is now, the
// benefits it holds, the 低保 standard in force and, for medical aid, what
// was paid this year.
func (w *Workflow) caseOf(ctx context.Context, a model.Application, now time.Time) (model.Case, error) {
	h, err := w.d.DB.Household(ctx, a.HouseholdID)
	if err != nil {
		return model.Case{}, err
	}
	ms, err := w.d.DB.Members(ctx, h.ID)
	if err != nil {
		return model.Case{}, err
	}
	c := model.Case{Program: a.Program, Hukou: h.Hukou}
	for _, m := range ms {
		person, err := w.personOf(m, now)
		if err != nil {
			return model.Case{}, err
		}
		c.Members = append(c.Members, person)
	}
	held, err := w.d.DB.HeldBenefits(ctx, h.ID, a.ID)
	if err != nil {
		return model.Case{}, err
	}
	for _, b := range held {
		if b.IsEligible() || b.BenefitKind == nil {
			c.Holds = append(c.Holds, b.Program)
		}
	}
	std, err := w.d.DB.Standard(ctx, countyOf(a.RegionCode), now.Year(), h.Hukou)
	if errors.Is(err, model.ErrNotFound) {
		return model.Case{}, model.Conflict("standard_missing", "本县（区）还没有设定 %d 年%s低保标准，请县级民政部门先设定", now.Year(), hukouName(h.Hukou))
	}
	if err != nil {
		return model.Case{}, err
	}
	c.Standard = std.MonthlyAmount
	yearStart := time.Date(now.Year(), time.January, 1, 0, 0, 0, 0, time.UTC)
	if c.MedicalPaidThisYear, err = w.d.DB.OneOffPaidSince(ctx, h.ID, model.ProgramMedical, yearStart); err != nil {
		return model.Case{}, err
	}
	return c, nil
}

func hukouName(h string) string {
	if h == model.HukouRural {
		return "农村"
	}
	return "城镇"
}

// personOf is a member as a decision sees it (the disability level is
// unsealed for the 分类施保 increment and never leaves the service).
func (w *Workflow) personOf(m model.Member, now time.Time) (model.Person, error) {
	p := model.Person{Relation: m.Relation, Age: model.AgeOn(m.BirthDate, now), MonthlyIncome: m.MonthlyIncome, InSchool: m.SchoolID != nil}
	if m.WorkAbility != nil {
		p.WorkAbility = *m.WorkAbility
	}
	if m.DisabilitySealed != nil {
		level, err := w.d.Keys.Open(*m.DisabilitySealed)
		if err != nil {
			return p, fmt.Errorf("open disability: %w", err)
		}
		p.DisabilityLevel = level
	}
	incomes, err := model.ParseIncomes(m.Incomes)
	if err != nil {
		return p, fmt.Errorf("member %s: %w", m.ID, err)
	}
	p.Incomes = incomes
	return p, nil
}

// figures returns a county's policy figures for a year.
func (w *Workflow) figures(ctx context.Context, county string, year int) (model.Figures, error) {
	return loadFigures(ctx, w.d.DB, county, year)
}

// loadFigures returns a county's policy figures for a year: its own when
// it set them, model.DefaultFigures otherwise.
func loadFigures(ctx context.Context, db *storage.DB, county string, year int) (model.Figures, error) {
	row, err := db.PolicyFigures(ctx, county, year)
	if errors.Is(err, model.ErrNotFound) {
		return model.DefaultFigures(), nil
	}
	if err != nil {
		return model.Figures{}, err
	}
	// Fields added after the county saved its figures keep their defaults.
	f := model.DefaultFigures()
	if err := json.Unmarshal([]byte(row.Figures), &f); err != nil {
		return model.Figures{}, fmt.Errorf("policy figures %s: %w", row, err)
	}
	return f, nil
}

// validateAssessment checks the fields common to every program and trims
// the free texts; reasons and notes are limited in characters.
func validateAssessment(in *AssessmentInput, now time.Time) error {
	in.AmountReason = strings.TrimSpace(in.AmountReason)
	in.IncomeReason = strings.TrimSpace(in.IncomeReason)
	for field, v := range map[string]string{"amount_reason": in.AmountReason, "income_reason": in.IncomeReason} {
		if err := checkText(field, v, false); err != nil {
			return err
		}
	}
	if in.HomeVisit == nil {
		return model.Invalid("home_visit", "请填写入户调查的日期和情况")
	}
	d, err := time.Parse("2006-01-02", in.HomeVisit.Date)
	if err != nil {
		return model.Invalid("home_visit.date", "请按 2026-03-01 的格式填写入户日期")
	}
	if d.After(now.Add(24 * time.Hour)) {
		return model.Invalid("home_visit.date", "入户日期不能晚于今天")
	}
	in.HomeVisit.Note = strings.TrimSpace(in.HomeVisit.Note)
	return checkText("home_visit.note", in.HomeVisit.Note, true)
}
