package model

import "time"

// NextStep is a step still ahead of a resident's running case, in words,
// with the last working day the law gives for it where a clock runs (By).
type NextStep struct {
	Step string     `json:"step"`
	Text string     `json:"text"`
	By   *time.Time `json:"by,omitempty"`
}

// HasStepsAhead reports whether a case in status s is running toward its
// decision (submitted up to 公示), so NextSteps has steps for it.
func HasStepsAhead(s Status) bool {
	switch s {
	case StatusSubmitted, StatusAccepted, StatusInvestigating, StatusPublicizing:
		return true
	}
	return false
}

// NextSteps are the steps ahead of a case in status s, for the resident's
// confirmation after submitting and the case page: acceptance, the home
// visit (调查 within InvestigationDays of acceptance), the public notice and
// the decision (the whole case within CaseDays, or CaseDaysExtended). A
// case not yet accepted is counted from submittedAt as if accepted that
// day, so its dates are estimates (estimated is true). Statuses with
// nothing ahead (a draft, a returned, decided or closed case) have none.
// When the calendar lacks a year a clock needs, the steps come without
// dates (the bureau has not set the year yet); other errors are returned.
func NextSteps(s Status, k CaseClock, submittedAt *time.Time, cal Calendar, now time.Time) (steps []NextStep, estimated bool, err error) {
	if !HasStepsAhead(s) {
		return nil, false, nil
	}
	k.Closed = false
	if k.AcceptedAt == nil {
		if submittedAt == nil {
			return nil, false, nil
		}
		k.AcceptedAt, k.InvestigatedAt, estimated = submittedAt, nil, true
	}
	clocks, err := cal.Deadlines(k, now)
	if err != nil {
		if KindOf(err) != KindConflict {
			return nil, false, err
		}
		clocks, estimated = nil, false
	}
	due := func(step string) *time.Time {
		for _, d := range clocks {
			if d.Step == step && d.MetAt == nil {
				t := d.DueAt
				return &t
			}
		}
		return nil
	}
	if s == StatusSubmitted {
		steps = append(steps, NextStep{Step: "accept", Text: "社区工作人员核对您的材料并受理；材料不全会通知您补正。"})
	}
	if s == StatusSubmitted || s == StatusAccepted {
		steps = append(steps, NextStep{Step: StepInvestigation, Text: "社区工作人员入户调查，了解家庭收入、财产和生活情况，请保持电话畅通。", By: due(StepInvestigation)})
	}
	if s != StatusPublicizing {
		steps = append(steps, NextStep{Step: "notice", Text: "审核后一般在社区公示 7 天，接受群众监督（急难型临时救助可先行救助）。"})
	}
	steps = append(steps, NextStep{Step: StepDecision, Text: "县（区）民政部门作出是否批准的决定，结果会通过消息告诉您。", By: due(StepCase)})
	return steps, estimated, nil
}
