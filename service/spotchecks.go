package service

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// SpotCheckInput asks for the spot-check draw of a county and month.
type SpotCheckInput struct {
	RegionCode string `json:"region_code"`
	Period     string `json:"period"`
}

// SpotCheckDrawView is a draw with its drawn cases.
type SpotCheckDrawView struct {
	model.SpotCheckDraw
	Items []model.SpotCheck `json:"items"`
}

// DrawSpotChecks draws the county's share (model.Figures.SpotCheckPermille
// of the month's year) of the cases approved in a past or current month, at
// random (crypto/rand, or the injected source), once per county and month
// (409 sample_exists), audited with what was drawn.
func (w *Workflow) DrawSpotChecks(ctx context.Context, in SpotCheckInput) (SpotCheckDrawView, error) {
	p, err := staffIn(ctx, model.ActSpotChecksDraw)
	if err != nil {
		return SpotCheckDrawView{}, err
	}
	if model.LevelOfCode(in.RegionCode) != model.LevelCounty {
		return SpotCheckDrawView{}, model.Invalid("region_code", "抽查按县（区）进行，请填写 6 位县（区）代码")
	}
	if !model.InRegion(p.RegionCode, in.RegionCode) {
		return SpotCheckDrawView{}, model.NotFound("region")
	}
	if _, err := model.ParsePeriod(in.Period); err != nil {
		return SpotCheckDrawView{}, err
	}
	// The month in China time: cases decided from its first instant on.
	start, err := time.ParseInLocation("2006-01", in.Period, model.ChinaZone)
	if err != nil {
		return SpotCheckDrawView{}, model.Invalid("period", "请按 2026-03 的格式填写月份")
	}
	now := w.d.Clock.Now()
	if in.Period > model.MonthOf(now) {
		return SpotCheckDrawView{}, model.Invalid("period", "只能抽查本月及以前已批准的案件")
	}
	figures, err := w.figures(ctx, in.RegionCode, start.Year())
	if err != nil {
		return SpotCheckDrawView{}, err
	}
	from := start
	to := start.AddDate(0, 1, 0)
	pop, err := w.d.DB.ApprovedInMonth(ctx, model.RegionPrefix(in.RegionCode), from, to)
	if err != nil {
		return SpotCheckDrawView{}, err
	}
	size := model.SampleSize(len(pop), figures.SpotCheckPermille)
	picked, err := model.DrawSample(len(pop), size, w.randomIntn)
	if err != nil {
		return SpotCheckDrawView{}, err
	}
	draw := model.SpotCheckDraw{RegionCode: in.RegionCode, Period: in.Period, Permille: figures.SpotCheckPermille, Population: len(pop),
		SampleSize: len(picked), DrawnBy: p.ID, DrawnAt: now}
	checks := make([]model.SpotCheck, 0, len(picked))
	numbers := make([]string, 0, len(picked))
	for _, i := range picked {
		a := pop[i]
		checks = append(checks, model.SpotCheck{ID: w.d.IDs.New(), RegionCode: in.RegionCode, Period: in.Period, ApplicationID: a.ID,
			ApplicationNumber: a.Number, Program: a.Program, CreatedAt: now})
		numbers = append(numbers, a.Number)
	}
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := w.d.DB.CreateSpotCheckDraw(ctx, &draw, checks); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("sample_exists", "本县（区）%s 的抽查已经抽取过，不能重复抽取", in.Period).Wrap(err)
			}
			return err
		}
		return w.audit.Record(ctx, Event{Action: "spot_check.draw", TargetType: "spot_check_draw", TargetID: in.RegionCode + "/" + in.Period,
			RegionCode: in.RegionCode, Detail: fmt.Sprintf("permille=%d population=%d drawn=%s", draw.Permille, draw.Population, clipDetail(strings.Join(numbers, ",")))})
	})
	if err != nil {
		return SpotCheckDrawView{}, err
	}
	return SpotCheckDrawView{SpotCheckDraw: draw, Items: checks}, nil
}

// clipDetail keeps an audit detail within a few thousand bytes.
func clipDetail(s string) string {
	if c := clipBytes(s, 4000); c != s {
		return c + "…"
	}
	return s
}

// randomIntn is a uniform draw in [0, k) from the injected source (or the
// system's).
func (w *Workflow) randomIntn(k int) (int, error) {
	src := w.d.Random
	if src == nil {
		src = rand.Reader
	}
	n, err := rand.Int(src, big.NewInt(int64(k)))
	if err != nil {
		return 0, fmt.Errorf("random draw: %w", err)
	}
	return int(n.Int64()), nil
}

// SpotChecks pages through the drawn cases of the caller's subtree.
func (w *Workflow) SpotChecks(ctx context.Context, period string, req model.PageRequest) (model.Page[model.SpotCheck], error) {
	p, err := staffIn(ctx, model.ActSpotChecksRead)
	if err != nil {
		return model.Page[model.SpotCheck]{}, err
	}
	if period != "" {
		if _, err := model.ParsePeriod(period); err != nil {
			return model.Page[model.SpotCheck]{}, err
		}
	}
	rows, err := w.d.DB.SpotChecks(ctx, scopeOf(p), period, req)
	if err != nil {
		return model.Page[model.SpotCheck]{}, err
	}
	return model.NewPage(rows, req, func(s model.SpotCheck) string { return s.ID }), nil
}

// SpotCheckOutcome is what the county found on a drawn case.
type SpotCheckOutcome struct {
	Outcome string `json:"outcome"`
	Note    string `json:"note"`
}

// DecideSpotCheck records the outcome of a drawn case once (409
// spot_check_decided), audited; a discrepancy needs a note saying what did
// not hold (the county then re-checks the case: 复核).
func (w *Workflow) DecideSpotCheck(ctx context.Context, id string, in SpotCheckOutcome) (model.SpotCheck, error) {
	p, err := staffIn(ctx, model.ActSpotChecksDraw)
	if err != nil {
		return model.SpotCheck{}, err
	}
	if in.Outcome != model.SpotConfirmed && in.Outcome != model.SpotDiscrepancy {
		return model.SpotCheck{}, model.Invalid("outcome", "请选择 confirmed（情况属实）或 discrepancy（发现问题）")
	}
	in.Note = strings.TrimSpace(in.Note)
	if err := checkText("note", in.Note, in.Outcome == model.SpotDiscrepancy); err != nil {
		return model.SpotCheck{}, err
	}
	var out model.SpotCheck
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		sc, err := w.d.DB.SpotCheckInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "spot_check")
		}
		a, err := w.d.DB.Application(ctx, sc.ApplicationID)
		if err != nil {
			return err
		}
		if err := w.noConflict(ctx, p, a); err != nil {
			return err
		}
		now := w.d.Clock.Now()
		if err := w.d.DB.DecideSpotCheck(ctx, sc.ID, in.Outcome, in.Note, p.ID, now); err != nil {
			return err
		}
		sc.Outcome, sc.Note, sc.DecidedBy, sc.DecidedAt = &in.Outcome, &in.Note, &p.ID, &now
		out = sc
		return w.audit.Record(ctx, Event{Action: "spot_check.decide", TargetType: "spot_check", TargetID: sc.ID, RegionCode: sc.RegionCode,
			Detail: in.Outcome + " " + sc.ApplicationNumber})
	})
	return out, err
}

// ReviewMeetingInput is a community 民主评议 of a case.
type ReviewMeetingInput struct {
	HeldOn    string `json:"held_on"`
	Attendees int    `json:"attendees"`
	Agree     int    `json:"agree"`
	Disagree  int    `json:"disagree"`
	Abstain   int    `json:"abstain"`
	Note      string `json:"note"`
}

// RecordReviewMeeting records a 民主评议 on a case under investigation in
// the community worker's region, when the county uses it
// (model.Figures.DemocraticReview; 409 review_meeting_not_used otherwise);
// audited, shown on the staff detail.
func (w *Workflow) RecordReviewMeeting(ctx context.Context, id string, in ReviewMeetingInput) (model.ReviewMeeting, error) {
	p, err := staffIn(ctx, model.ActReviewMeetingsRecord)
	if err != nil {
		return model.ReviewMeeting{}, err
	}
	a, err := w.d.DB.ApplicationInRegion(ctx, id, scopeOf(p))
	if err != nil {
		return model.ReviewMeeting{}, notFoundAs(err, "application")
	}
	if err := w.noConflict(ctx, p, a); err != nil {
		return model.ReviewMeeting{}, err
	}
	if a.Status != model.StatusInvestigating {
		return model.ReviewMeeting{}, model.Conflict("status_changed", "只有调查核实中的申请可以记录民主评议")
	}
	now := w.d.Clock.Now()
	figures, err := w.figures(ctx, countyOf(a.RegionCode), now.In(model.ChinaZone).Year())
	if err != nil {
		return model.ReviewMeeting{}, err
	}
	if !figures.DemocraticReview {
		return model.ReviewMeeting{}, model.Conflict("review_meeting_not_used", "本县（区）没有采用民主评议，无需记录")
	}
	held, err := time.ParseInLocation(time.DateOnly, in.HeldOn, model.ChinaZone)
	if err != nil {
		return model.ReviewMeeting{}, model.Invalid("held_on", "请按 2026-03-01 的格式填写评议日期")
	}
	if held.After(now) {
		return model.ReviewMeeting{}, model.Invalid("held_on", "评议日期不能晚于今天")
	}
	m := model.ReviewMeeting{ID: w.d.IDs.New(), ApplicationID: a.ID, HeldOn: in.HeldOn, Attendees: in.Attendees, Agree: in.Agree,
		Disagree: in.Disagree, Abstain: in.Abstain, Note: strings.TrimSpace(in.Note), RecordedBy: p.ID, CreatedAt: now}
	if err := m.CheckVotes(); err != nil {
		return model.ReviewMeeting{}, err
	}
	if err := checkText("note", m.Note, false); err != nil {
		return model.ReviewMeeting{}, err
	}
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := w.d.DB.CreateReviewMeeting(ctx, &m); err != nil {
			return err
		}
		return w.audit.Record(ctx, Event{Action: "review_meeting.record", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode,
			Detail: fmt.Sprintf("attendees=%d agree=%d disagree=%d abstain=%d", m.Attendees, m.Agree, m.Disagree, m.Abstain)})
	})
	if err != nil {
		return model.ReviewMeeting{}, err
	}
	return m, nil
}
