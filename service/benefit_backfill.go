package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// BackfillResult is what one run of BackfillBenefits did.
type BackfillResult struct {
	Skipped  bool // another instance ran it today
	Recorded int  // benefit records written
	Failed   int  // cases that could not be recorded (logged; tried again next run)
}

// BackfillBenefits gives a benefit record to every approved or suspended
// cash case decided before benefit records existed (migration 00090), so
// that the payment rolls pay it: a monthly benefit from the month after its
// decision at the amount decided (a roll never reaches back before its own
// month, so no past month is paid), a one-off as settled outside the rolls
// (status ended: it was decided, and paid, before the rolls existed). The
// household kept as its snapshot is the household as it is now (the one
// assessed was not kept then). Run once a day across instances (a KV lock
// per day); idempotent: a case that has a record is never touched again,
// and benefits.application_id is unique.
func (w *Workflow) BackfillBenefits(ctx context.Context) (BackfillResult, error) {
	now := w.d.Clock.Now()
	var res BackfillResult
	skipped, err := onceAcross(ctx, w.d.KV, "benefits:backfill:"+now.In(chinaZone).Format("2006-01-02"), now, 26*time.Hour, func() error {
		for {
			as, err := w.d.DB.ApprovedWithoutBenefit(ctx, 200)
			if err != nil {
				return err
			}
			progress := false
			for _, a := range as {
				if err := w.backfillOne(ctx, a, now); err != nil {
					if ctx.Err() != nil {
						return ctx.Err()
					}
					w.d.Logger.Warn("benefit backfill failed", "application", a.ID, "error", err.Error())
					res.Failed++
					continue
				}
				res.Recorded++
				progress = true
			}
			if len(as) < 200 || !progress {
				return nil
			}
		}
	})
	res.Skipped = skipped
	return res, err
}

// backfillOne records the benefit of one case decided before records
// existed, in its own transaction (with an audit row).
func (w *Workflow) backfillOne(ctx context.Context, a model.Application, now time.Time) error {
	decided := a.CreatedAt
	if a.DecidedAt != nil {
		decided = *a.DecidedAt
	}
	kind, amount := a.Benefit()
	if amount <= 0 {
		return fmt.Errorf("backfill %s: no amount decided", a.ID)
	}
	status, _ := benefitStatusOf(a.Status)
	var end *string
	if kind.IsOneOff() {
		status = model.BenefitStatusEnded
		m := model.AddMonths(model.MonthOf(decided), 1)
		end = &m
	}
	ctx = model.WithPrincipal(ctx, systemPrincipal)
	return w.d.DB.InTx(ctx, func(ctx context.Context) error {
		// The case as decided needs that year's standard; a year the county
		// never set falls back to the standard in force now.
		c, err := w.caseOf(ctx, a, decided)
		var me *model.Error
		if errors.As(err, &me) && me.Code == "standard_missing" {
			c, err = w.caseOf(ctx, a, now)
		}
		if err != nil {
			return err
		}
		if a.StandardAmount != nil {
			c.Standard = *a.StandardAmount
		}
		if err := w.recordBenefit(ctx, a, c, decided, status, end); err != nil {
			return err
		}
		return w.audit.Record(ctx, Event{Action: "benefit.backfill", TargetType: "application",
			TargetID: a.ID, RegionCode: a.RegionCode, Detail: fmt.Sprintf("%s %s amount=%d", a.Program, kind, amount)})
	})
}
