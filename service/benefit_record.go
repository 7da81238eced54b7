package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// makeBenefit records the benefit an approval of an eligible cash case
// gives, inside the approve transaction: program, persons covered, kind,
// the first amount version (from the month after approval for a monthly
// benefit, the month decided for a one-off) and the household as assessed,
// sealed. Vouchers and services have no amount and no benefit record.
func (w *Workflow) makeBenefit(ctx context.Context, a model.Application, now time.Time) error {
	kind, _ := a.Benefit()
	if !a.IsEligible() || (!kind.IsMonthly() && !kind.IsOneOff()) {
		return nil
	}
	c, err := w.caseOf(ctx, a, now)
	if err != nil {
		return err
	}
	return w.recordBenefit(ctx, a, c, now, model.BenefitStatusActive, nil)
}

// recordBenefit writes the benefit of a, approved at approved, decided on
// the case c, with its first amount version.
func (w *Workflow) recordBenefit(ctx context.Context, a model.Application, c model.Case, approved time.Time, status string, end *string) error {
	kind, amount := a.Benefit()
	now := approved
	if a.StandardAmount != nil {
		c.Standard = *a.StandardAmount
	}
	snap, err := json.Marshal(model.BenefitSnapshot{Case: c, Input: inputOf(a)})
	if err != nil {
		return fmt.Errorf("benefit snapshot: %w", err)
	}
	sealed, err := w.d.Keys.Seal(string(snap))
	if err != nil {
		return fmt.Errorf("seal benefit snapshot: %w", err)
	}
	h, err := w.d.DB.Household(ctx, a.HouseholdID)
	if err != nil {
		return err
	}
	ms, err := w.d.DB.Members(ctx, a.HouseholdID)
	if err != nil {
		return err
	}
	first := model.MonthOf(now)
	if kind.IsMonthly() {
		first = model.AddMonths(first, 1)
	}
	persons := len(ms)
	if a.PersonsCovered != nil {
		persons = *a.PersonsCovered
	}
	b := &model.Benefit{ID: w.d.IDs.New(), ApplicationID: a.ID, ApplicationNumber: a.Number, HouseholdID: a.HouseholdID, Program: a.Program,
		RegionCode: a.RegionCode, CountyCode: countyOf(a.RegionCode), Hukou: h.Hukou, Kind: kind, PersonsCovered: persons,
		FollowsStandard: kind.IsMonthly() && a.StandardAmount != nil && a.ComputedAmount != nil && *a.ComputedAmount == amount,
		Status:          status, FirstMonth: first, EndMonth: end, NameMasked: applicantMasked(ms), HouseholdSize: len(ms),
		SnapshotSealed: sealed, ApprovedAt: now, CreatedAt: w.d.Clock.Now(), UpdatedAt: w.d.Clock.Now()}
	v := &model.BenefitAmount{ID: w.d.IDs.New(), BenefitID: b.ID, FromMonth: first, Amount: amount, Reason: "approval", CreatedAt: b.CreatedAt}
	return w.d.DB.CreateBenefit(ctx, b, v)
}

// applicantMasked is the masked name of the household's applicant (the
// member who is "self", else the first).
func applicantMasked(ms []model.Member) string {
	name := ""
	for _, m := range ms {
		if m.Relation == model.RelationSelf {
			return m.NameMasked
		}
		if name == "" {
			name = m.NameMasked
		}
	}
	return name
}

// inputOf is the assessment input the decision of a was made with, as far
// as a new standard can change its amount (the staff's override is not
// kept: a benefit whose amount was overridden does not follow the
// standard).
func inputOf(a model.Application) model.AssessmentInput {
	in := model.AssessmentInput{PerCapitaIncome: a.PerCapitaIncome, SupportMode: a.SupportMode, CareLevel: a.CareLevel, Mode: a.HousingMode}
	if a.IncomeReason != nil {
		in.IncomeReason = *a.IncomeReason
	}
	return in
}

// benefitStatusOf is the benefit status a case status gives (false when
// the case status does not change it).
func benefitStatusOf(caseStatus model.Status) (string, bool) {
	switch caseStatus {
	case model.StatusApproved:
		return model.BenefitStatusActive, true
	case model.StatusSuspended:
		return model.BenefitStatusSuspended, true
	case model.StatusEnded:
		return model.BenefitStatusEnded, true
	}
	return "", false
}

// followBenefit keeps the benefit's status with its case after a 复核 step
// taken at now: an ended benefit pays no month after the one it ended in.
func (w *Workflow) followBenefit(ctx context.Context, a model.Application, to model.Status, now time.Time) error {
	status, ok := benefitStatusOf(to)
	if !ok {
		return nil
	}
	var end *string
	if to == model.StatusEnded {
		m := model.AddMonths(model.MonthOf(now), 1)
		end = &m
	}
	return w.d.DB.SetBenefitStatus(ctx, a.ID, status, end, now)
}

// benefitRecordView is the view of a benefit from its record: the amount
// in force in the current month (the first amount before it starts) and
// the amount versions.
func benefitRecordView(b model.Benefit, versions []model.BenefitAmount, now time.Time) *BenefitView {
	month := model.MonthOf(now)
	if month < b.FirstMonth {
		month = b.FirstMonth
	}
	amount, _ := model.AmountIn(versions, month)
	v := &BenefitView{Kind: b.Kind, Starts: b.FirstMonth, Status: b.Status}
	v.MonthlyAmount, v.Amount = model.AmountFields(b.Kind, amount)
	start, _ := time.Parse("2006-01", b.FirstMonth)
	if b.Kind.IsMonthly() {
		v.Text = fmt.Sprintf("每月 %s 元，自 %d 年 %d 月起", model.Yuan(amount), start.Year(), start.Month())
		for _, x := range versions {
			v.Versions = append(v.Versions, AmountVersion{From: x.FromMonth, Amount: x.Amount})
		}
		if b.Status == model.BenefitStatusGradualExit && b.EndMonth != nil {
			v.Ends = model.AddMonths(*b.EndMonth, -1)
			last, _ := time.Parse("2006-01", v.Ends)
			v.Text += fmt.Sprintf("；渐退期内发放至 %d 年 %d 月", last.Year(), last.Month())
		}
	} else {
		v.Text = fmt.Sprintf("一次性 %s 元", model.Yuan(amount))
	}
	return v
}

// AmountVersion is one amount of a monthly benefit and the month it starts.
type AmountVersion struct {
	From   string `json:"from"`
	Amount int64  `json:"amount"`
}

// benefitRecord returns the view of the benefit record of a, or nil when
// the case has none (decided before benefits were recorded, or no cash).
func benefitRecord(ctx context.Context, db *storage.DB, now time.Time, a model.Application) (*BenefitView, error) {
	b, err := db.BenefitOfApplication(ctx, a.ID)
	if errors.Is(err, model.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	vs, err := db.BenefitAmounts(ctx, []string{b.ID})
	if err != nil {
		return nil, err
	}
	return benefitRecordView(b, vs[b.ID], now), nil
}

// gradualExit puts the benefit of an approved case in gradual exit (渐退)
// inside the step's transaction: it is paid for the county's gradual-exit
// months after this one and then ends (EndGradualExits). It returns the
// reason completed with the last month paid. A case without a monthly
// benefit, one already exiting, or a county without gradual exit is
// model.KindConflict.
func (w *Workflow) gradualExit(ctx context.Context, a model.Application, reason string, now time.Time) (string, error) {
	b, err := w.d.DB.BenefitOfApplication(ctx, a.ID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && !b.Kind.IsMonthly()) {
		return "", model.Conflict("no_monthly_benefit", "只有按月发放的救助可以渐退；请直接终止")
	}
	if err != nil {
		return "", err
	}
	if b.Status != model.BenefitStatusActive {
		return "", model.Conflict("wrong_state", "该救助已在渐退期或已停发")
	}
	f, err := w.figures(ctx, b.CountyCode, now.In(chinaZone).Year())
	if err != nil {
		return "", err
	}
	if f.GradualExitMonths == 0 {
		return "", model.Conflict("no_gradual_exit", "本县（区）未设定渐退期；请直接终止")
	}
	last := model.AddMonths(model.MonthOf(now), f.GradualExitMonths)
	end := model.AddMonths(last, 1)
	if err := w.d.DB.SetBenefitStatus(ctx, a.ID, model.BenefitStatusGradualExit, &end, now); err != nil {
		return "", err
	}
	t, _ := time.Parse("2006-01", last)
	return fmt.Sprintf("渐退期内继续发放至 %d 年 %d 月，之后停止发放。复核意见：%s", t.Year(), t.Month(), reason), nil
}

// EndGradualExits ends the cases whose gradual exit is over (the month
// after the last one paid has come): the case is ended, the resident told,
// the step audited. Run by the scheduler once a day on every instance; a
// KV lock per day makes it run once, and it is idempotent (a case already
// ended is left alone).
func (w *Workflow) EndGradualExits(ctx context.Context) (int, error) {
	now := w.d.Clock.Now()
	month := model.MonthOf(now)
	lock := "benefits:end-gradual-exits:" + now.In(chinaZone).Format("2006-01-02")
	got, err := w.d.KV.SetNX(ctx, lock, []byte(now.Format(time.RFC3339)), 26*time.Hour)
	if err != nil || !got {
		return 0, err
	}
	n, err := w.endGradualExits(ctx, month, now)
	if err != nil {
		// Let the next run (this day) try again.
		_ = w.d.KV.Delete(context.WithoutCancel(ctx), lock)
	}
	return n, err
}

// endGradualExits ends each case whose gradual exit ended by month.
func (w *Workflow) endGradualExits(ctx context.Context, month string, now time.Time) (int, error) {
	due, err := w.d.DB.GradualExitsDue(ctx, month)
	if err != nil {
		return 0, err
	}
	ended := 0
	for _, b := range due {
		err := w.d.DB.InTx(ctx, func(ctx context.Context) error {
			a, err := w.d.DB.Application(ctx, b.ApplicationID)
			if err != nil {
				return err
			}
			if err := w.d.DB.UpdateApplicationStatus(ctx, a.ID, []model.Status{model.StatusApproved}, model.StatusEnded,
				storage.StatusChange{At: now, EndedAt: &now, ClearReviewDue: true, ClearChangeReport: true}); err != nil {
				return err
			}
			if err := w.d.DB.SetBenefitStatus(ctx, a.ID, model.BenefitStatusEnded, b.EndMonth, now); err != nil {
				return err
			}
			prog, _ := model.ProgramOf(a.Program)
			if err := w.apps.RecordStep(ctx, &a, model.StatusEnded, "system", nil, "渐退期满，停止发放",
				fmt.Sprintf("您的%s（%s）渐退期已满，自本月起停止发放。如家庭情况再有困难，可以重新申请。", prog.Name, a.Number)); err != nil {
				return err
			}
			return w.audit.Record(ctx, Event{Action: "application.gradual_exit_ended", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode})
		})
		if model.KindOf(err) == model.KindConflict {
			continue // ended meanwhile
		}
		if err != nil {
			return ended, err
		}
		ended++
	}
	return ended, nil
}

// NotifyReviewsDue tells the resident of each approved case whose re-check
// (复核) has fallen due that the community will re-check, once per due
// date (a conditional update), with a timeline entry. Run by the scheduler
// on every instance; a KV lock per day makes one instance do the work.
func (w *Workflow) NotifyReviewsDue(ctx context.Context) (int, error) {
	now := w.d.Clock.Now()
	lock := "applications:reviews-due:" + now.In(chinaZone).Format("2006-01-02")
	got, err := w.d.KV.SetNX(ctx, lock, []byte(now.Format(time.RFC3339)), 26*time.Hour)
	if err != nil || !got {
		return 0, err
	}
	told, seen := 0, map[string]bool{}
	for {
		due, err := w.d.DB.ReviewsDueUntold(ctx, now, 200)
		fresh := due[:0]
		for _, a := range due {
			if !seen[a.ID] {
				seen[a.ID] = true
				fresh = append(fresh, a)
			}
		}
		due = fresh
		if err != nil || len(due) == 0 {
			if err != nil {
				_ = w.d.KV.Delete(context.WithoutCancel(ctx), lock)
			}
			return told, err
		}
		for _, a := range due {
			err := w.d.DB.InTx(ctx, func(ctx context.Context) error {
				ok, err := w.d.DB.MarkReviewNotified(ctx, a.ID, now)
				if err != nil || !ok {
					return err
				}
				told++
				prog, _ := model.ProgramOf(a.Program)
				return w.apps.RecordStep(ctx, &a, a.Status, "system", nil, "复核到期，待社区复核",
					fmt.Sprintf("您的%s（%s）已到复核时间，社区将联系您核实家庭情况；如家庭人口、收入有变化，请在“我的家庭”中更新。", prog.Name, a.Number))
			})
			if err != nil {
				_ = w.d.KV.Delete(context.WithoutCancel(ctx), lock)
				return told, err
			}
		}
	}
}
