package service

import (
	"context"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// RollRemindResult is what one run of RemindRolls did.
type RollRemindResult struct {
	Day     string `json:"day"`
	Skipped bool   `json:"skipped"` // another instance ran it today
	Sent    int    `json:"sent"`    // reminders written
}

// RemindRolls is the roll-preparation job: for every county and program
// with a benefit to pay next month and no roll made by the 20th, and every
// one whose roll of this month is not approved when the month has begun,
// it leaves the county a reminder (GET /staff/roll-reminders). Run daily by
// the scheduler on every instance; a KV lock per China-time day makes it
// run once, and a row unique per county, program, month and kind makes a
// re-run write nothing.
func (p *Payments) RemindRolls(ctx context.Context) (RollRemindResult, error) {
	now := p.d.Clock.Now()
	res := RollRemindResult{Day: now.In(model.ChinaZone).Format(time.DateOnly)}
	skipped, err := onceAcross(ctx, p.d.KV, "payments:remind-rolls:"+res.Day, now, 25*time.Hour, func() error {
		month := model.MonthOf(now)
		for _, period := range []string{month, model.AddMonths(month, 1)} {
			if err := p.remindRolls(ctx, period, now, &res); err != nil {
				return err
			}
		}
		return nil
	})
	res.Skipped = skipped
	return res, err
}

func (p *Payments) remindRolls(ctx context.Context, period string, now time.Time, res *RollRemindResult) error {
	due, err := p.d.DB.RollsDue(ctx, period)
	if err != nil {
		return err
	}
	statuses, err := p.d.DB.RollStatuses(ctx, period)
	if err != nil {
		return err
	}
	for _, d := range due {
		status, made := statuses[d.CountyCode+"|"+string(d.Program)]
		kind := model.RollReminderKind(period, now, made, status == model.RollApproved)
		if kind == "" {
			continue
		}
		r := &model.RollReminder{ID: p.d.IDs.New(), RegionCode: d.CountyCode, Program: d.Program, Period: period, Kind: kind,
			Text: rollReminderText(d.Program, period, kind, made), CreatedAt: now}
		sent, err := p.d.DB.CreateRollReminderIfAbsent(ctx, r)
		if err != nil {
			return err
		}
		if sent {
			res.Sent++
		}
	}
	return nil
}

// rollReminderText says in words what the county should do.
func rollReminderText(program model.ProgramCode, period, kind string, made bool) string {
	name := string(program)
	if prog, ok := model.ProgramOf(program); ok {
		name = prog.Name
	}
	t, _ := time.Parse("2006-01", period)
	when := fmt.Sprintf("%d 年 %d 月", t.Year(), t.Month())
	switch {
	case kind == model.ReminderDueSoon:
		return fmt.Sprintf("%s%s的发放名册还没有编制。请在本月底前编制名册，并请财务人员审核，以免资金不能按月发放。", when, name)
	case made:
		return fmt.Sprintf("%s%s的发放名册已编制但还没有审核，本月资金尚未发出。请财务人员尽快审核名册并导出银行文件。", when, name)
	}
	return fmt.Sprintf("%s%s的发放名册还没有编制，本月资金尚未发出。请尽快编制名册并请财务人员审核。", when, name)
}

// RollReminders pages through the roll reminders of the caller's subtree,
// newest first.
func (p *Payments) RollReminders(ctx context.Context, req model.PageRequest) (model.Page[model.RollReminder], error) {
	pr, err := staffIn(ctx, model.ActPaymentRollsRead)
	if err != nil {
		return model.Page[model.RollReminder]{}, err
	}
	rows, err := p.d.DB.RollReminders(ctx, scopeOf(pr), req)
	if err != nil {
		return model.Page[model.RollReminder]{}, err
	}
	return model.NewPage(rows, req, func(r model.RollReminder) string { return r.ID }), nil
}
