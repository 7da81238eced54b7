package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// CalendarView is a year of the working-day calendar.
type CalendarView struct {
	Year     int      `json:"year"`
	Holidays []string `json:"holidays"`
	Workdays []string `json:"workdays"`
}

// SetCalendar sets a year's holidays and make-up working days (admin;
// audited). Errors: 422 for a bad year or date.
func (w *Workflow) SetCalendar(ctx context.Context, in model.CalendarInput) (CalendarView, error) {
	p, err := staffIn(ctx, model.ActCalendarSet)
	if err != nil {
		return CalendarView{}, err
	}
	if err := in.Validate(); err != nil {
		return CalendarView{}, err
	}
	by := p.ID
	row := in.Row(w.d.Clock.Now(), &by)
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := w.d.DB.UpsertCalendarYear(ctx, row); err != nil {
			return err
		}
		return w.audit.Record(ctx, Event{Action: "calendar.set", TargetType: "calendar", TargetID: strconv.Itoa(in.Year),
			Detail: fmt.Sprintf("holidays=%s workdays=%s", row.Holidays, row.Workdays)})
	})
	if err != nil {
		return CalendarView{}, err
	}
	out := CalendarView{Year: in.Year, Holidays: in.Holidays, Workdays: in.Workdays}
	if out.Holidays == nil {
		out.Holidays = []string{}
	}
	if out.Workdays == nil {
		out.Workdays = []string{}
	}
	return out, nil
}

// calendar loads the working-day calendar.
func (w *Workflow) calendar(ctx context.Context) (model.Calendar, error) {
	rows, err := w.d.DB.CalendarYears(ctx)
	if err != nil {
		return model.Calendar{}, err
	}
	return model.NewCalendar(rows)
}

// caseClock is what a's deadlines count from (caseClockOf), with the end
// of its last notice read from the database.
func (w *Workflow) caseClock(ctx context.Context, a model.Application, events []model.ApplicationEvent) (model.CaseClock, error) {
	end, err := w.d.DB.LastNoticeEnd(ctx, a.ID)
	if err != nil {
		return model.CaseClock{}, err
	}
	return caseClockOf(a, events, end), nil
}

// caseClockOf is what a's deadlines count from: the last acceptance in its
// timeline and the first investigation step after it, the end of its last
// notice (noticeEnd, nil when it had none), its decision and extension.
func caseClockOf(a model.Application, events []model.ApplicationEvent, noticeEnd *time.Time) model.CaseClock {
	k := model.CaseClock{DecidedAt: a.DecidedAt, Extended: a.ExtendedAt != nil, NoticeEndsAt: noticeEnd,
		Closed: a.Status == model.StatusWithdrawn || a.Status == model.StatusReturned || a.Status == model.StatusSubmitted}
	prev := model.Status("")
	for i := range events {
		e := events[i]
		// An entry in the status the case already had (an extension) is no
		// step and starts no clock.
		step := e.Status != prev
		prev = e.Status
		switch {
		case !step:
		case e.Status == model.StatusAccepted:
			k.AcceptedAt, k.InvestigatedAt = &e.At, nil
		case e.Status == model.StatusInvestigating:
			if k.AcceptedAt != nil && k.InvestigatedAt == nil {
				k.InvestigatedAt = &e.At
			}
		}
	}
	return k
}

// deadlinesOf are a's clocks at now (calendar_missing when a year is not set).
func (w *Workflow) deadlinesOf(ctx context.Context, cal model.Calendar, a model.Application, events []model.ApplicationEvent) ([]model.Deadline, error) {
	k, err := w.caseClock(ctx, a, events)
	if err != nil {
		return nil, err
	}
	return cal.Deadlines(k, w.d.Clock.Now())
}

// OverdueCase is a running case with the clocks it has let run out.
type OverdueCase struct {
	ApplicationID string            `json:"application_id"`
	Number        string            `json:"number"`
	Program       model.ProgramCode `json:"program"`
	Status        model.Status      `json:"status"`
	RegionCode    string            `json:"region_code"`
	Deadlines     []model.Deadline  `json:"deadlines"`
}

// Overdue lists the running cases in the caller's subtree (or a region
// below it) that are past a deadline, oldest first, each with its overdue
// clocks. Errors: 404 for a region outside the caller's; 409
// calendar_missing when a year the clocks need is not set.
func (w *Workflow) Overdue(ctx context.Context, region string) ([]OverdueCase, error) {
	p, err := staffIn(ctx, model.ActDeadlinesRead)
	if err != nil {
		return nil, err
	}
	prefix := scopeOf(p)
	if region != "" {
		if !model.InRegion(p.RegionCode, region) {
			return nil, model.NotFound("region")
		}
		prefix = model.RegionPrefix(region)
	}
	out := []OverdueCase{}
	err = w.eachRunning(ctx, prefix, func(a model.Application, ds []model.Deadline) error {
		var late []model.Deadline
		for _, d := range ds {
			if d.Overdue && d.MetAt == nil {
				late = append(late, d)
			}
		}
		if len(late) > 0 {
			out = append(out, OverdueCase{ApplicationID: a.ID, Number: a.Number, Program: a.Program, Status: a.Status, RegionCode: a.RegionCode, Deadlines: late})
		}
		return nil
	})
	return out, err
}

// eachRunning calls fn with every running case under prefix and its clocks.
func (w *Workflow) eachRunning(ctx context.Context, prefix string, fn func(model.Application, []model.Deadline) error) error {
	cal, err := w.calendar(ctx)
	if err != nil {
		return err
	}
	cases, err := w.d.DB.RunningCases(ctx, prefix)
	if err != nil {
		return err
	}
	for _, a := range cases {
		events, err := w.d.DB.ApplicationEvents(ctx, a.ID)
		if err != nil {
			return err
		}
		ds, err := w.deadlinesOf(ctx, cal, a, events)
		if err != nil {
			return fmt.Errorf("case %s: %w", a.Number, err)
		}
		if err := fn(a, ds); err != nil {
			return err
		}
	}
	return nil
}

// Extend lets the county extend a running case to 45 working days, with a
// reason (audited, on the timeline). Errors: 422 without a reason; 404 out
// of region; 409 when the case is not running or already extended.
func (w *Workflow) Extend(ctx context.Context, id, reason string) (StaffApplicationView, error) {
	p, err := staffIn(ctx, model.ActApplicationExtend)
	if err != nil {
		return StaffApplicationView{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return StaffApplicationView{}, model.Invalid("reason", "请填写延期理由")
	}
	if err := checkText("reason", reason, true); err != nil {
		return StaffApplicationView{}, err
	}
	var out model.Application
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		a, err := w.d.DB.LockApplicationInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "application")
		}
		if err := w.d.DB.ExtendCase(ctx, a.ID, p.ID, reason, w.d.Clock.Now()); err != nil {
			return err
		}
		actor := p.ID
		prog, _ := model.ProgramOf(a.Program)
		text := fmt.Sprintf("您的%s申请（%s）情况较复杂，办理期限依规延长至 45 个工作日，请耐心等待。", prog.Name, a.Number)
		if err := w.apps.RecordStep(ctx, &a, a.Status, string(p.Role), &actor, "办理期限延长至 45 个工作日："+reason, text); err != nil {
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "application.extend", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode, Detail: reason}); err != nil {
			return err
		}
		out, err = w.d.DB.Application(ctx, a.ID)
		return err
	})
	if err != nil {
		return StaffApplicationView{}, err
	}
	return w.viewAfterStep(ctx, out)
}

// RemindResult says what a deadline reminder run did.
type RemindResult struct {
	Day     string
	Sent    int
	Skipped bool // another instance ran (or is running) today's reminders
}

// RemindDeadlines leaves a reminder for the responsible level (the
// community for the investigation, the county for the decision and the
// whole case) on the working day before a clock runs out and once it has.
// It runs once a day across instances (a KV lock per China-time day); each
// reminder is stored at most once (unique per case, clock, kind and due
// time), so a retried run sends nothing twice.
func (w *Workflow) RemindDeadlines(ctx context.Context) (RemindResult, error) {
	now := w.d.Clock.Now()
	res := RemindResult{Day: now.In(model.ChinaZone).Format(time.DateOnly)}
	skipped, err := onceAcross(ctx, w.d.KV, "deadlines:remind:"+res.Day, now, 25*time.Hour, func() error {
		return w.remindDeadlines(ctx, now, &res)
	})
	res.Skipped = skipped
	return res, err
}

func (w *Workflow) remindDeadlines(ctx context.Context, now time.Time, res *RemindResult) error {
	cal, err := w.calendar(ctx)
	if err != nil {
		return err
	}
	return w.eachRunning(ctx, "", func(a model.Application, ds []model.Deadline) error {
		for _, d := range ds {
			if d.MetAt != nil {
				continue
			}
			kind := model.ReminderOverdue
			if !d.Overdue {
				soon, err := cal.DueSoon(d.DueAt, now)
				if err != nil {
					return err
				}
				if !soon {
					continue
				}
				kind = model.ReminderDueSoon
			}
			r := &model.DeadlineReminder{ID: w.d.IDs.New(), ApplicationID: a.ID, Step: d.Step, Kind: kind,
				RegionCode: responsibleFor(a, d.Step), DueAt: d.DueAt, Text: reminderText(a, d, kind), CreatedAt: now}
			sent, err := w.d.DB.CreateReminderIfAbsent(ctx, r)
			if err != nil {
				return err
			}
			if sent {
				res.Sent++
			}
		}
		return nil
	})
}

// responsibleFor is the region of the level that keeps a clock.
func responsibleFor(a model.Application, step string) string {
	if step == model.StepInvestigation {
		return a.RegionCode
	}
	return countyOf(a.RegionCode)
}

var stepNames = map[string]string{
	model.StepInvestigation: "入户调查应在受理后 3 个工作日内启动",
	model.StepDecision:      "县级审批应在公示结束后 10 个工作日内作出",
	model.StepCase:          "案件应在受理后规定的工作日内办结",
}

func reminderText(a model.Application, d model.Deadline, kind string) string {
	due := model.LastDayBefore(d.DueAt)
	if kind == model.ReminderOverdue {
		return fmt.Sprintf("案件 %s 已超过办理时限（%s，截止 %s），请尽快办理并说明原因。", a.Number, stepNames[d.Step], due)
	}
	return fmt.Sprintf("案件 %s 的办理时限将于 %s 到期（%s），请在到期前办理。", a.Number, due, stepNames[d.Step])
}

// Reminders pages through the deadline reminders for the caller's subtree.
func (w *Workflow) Reminders(ctx context.Context, req model.PageRequest) (model.Page[model.DeadlineReminder], error) {
	p, err := staffIn(ctx, model.ActDeadlinesRead)
	if err != nil {
		return model.Page[model.DeadlineReminder]{}, err
	}
	rows, err := w.d.DB.Reminders(ctx, scopeOf(p), req)
	if err != nil {
		return model.Page[model.DeadlineReminder]{}, err
	}
	return model.NewPage(rows, req, func(r model.DeadlineReminder) string { return r.ID }), nil
}
