package model

import "testing"

func TestNextSteps(t *testing.T) {
	c := testCalendar(t)
	sub := cst(2026, 9, 14, 10) // Monday
	// Submitted, not yet accepted: counted from the submission, estimated.
	steps, est, err := NextSteps(StatusSubmitted, CaseClock{Closed: true}, &sub, c, cst(2026, 9, 14, 11))
	if err != nil || !est || len(steps) != 4 {
		t.Fatalf("submitted: %+v %v %v", steps, est, err)
	}
	if steps[0].Step != "accept" || steps[0].By != nil || steps[1].Step != StepInvestigation || steps[1].By == nil ||
		!steps[1].By.Equal(cst(2026, 9, 18, 0)) || steps[2].Step != "notice" || steps[3].Step != StepDecision || steps[3].By == nil {
		t.Fatalf("submitted steps %+v", steps)
	}
	// 30 working days after Mon 14 Sep across 国庆 (the test calendar's 5
	// holidays and 1 make-up Saturday): 12 in September, then 8–10 and 12–30
	// October; the last is Fri 30 Oct, so due the 31st at 00:00.
	if want := cst(2026, 10, 31, 0); !steps[3].By.Equal(want) {
		t.Errorf("decision by %s, want %s", steps[3].By.In(ChinaZone), want)
	}
	for _, s := range steps {
		if s.Text == "" {
			t.Errorf("step %s without words", s.Step)
		}
	}
	// Investigating: accepted and visited; the notice and the decision are ahead, dated from the acceptance.
	acc, inv := cst(2026, 9, 15, 9), cst(2026, 9, 16, 9)
	steps, est, err = NextSteps(StatusInvestigating, CaseClock{AcceptedAt: &acc, InvestigatedAt: &inv}, &sub, c, cst(2026, 9, 17, 9))
	if err != nil || est || len(steps) != 2 || steps[0].Step != "notice" || steps[1].Step != StepDecision || steps[1].By == nil {
		t.Fatalf("investigating: %+v %v %v", steps, est, err)
	}
	// Publicizing: only the decision.
	steps, _, _ = NextSteps(StatusPublicizing, CaseClock{AcceptedAt: &acc, InvestigatedAt: &inv}, &sub, c, cst(2026, 9, 20, 9))
	if len(steps) != 1 || steps[0].Step != StepDecision {
		t.Fatalf("publicizing: %+v", steps)
	}
	// Nothing ahead for a draft, a returned or a decided case.
	for _, s := range []Status{StatusDraft, StatusReturned, StatusApproved, StatusRejected, StatusWithdrawn} {
		if steps, _, err := NextSteps(s, CaseClock{AcceptedAt: &acc}, &sub, c, cst(2026, 9, 20, 9)); err != nil || steps != nil {
			t.Errorf("%s: %+v %v", s, steps, err)
		}
	}
	// A year the calendar lacks: the steps in words, without dates.
	late := cst(2026, 12, 20, 9)
	steps, est, err = NextSteps(StatusSubmitted, CaseClock{}, &late, c, late)
	if err != nil || est || len(steps) != 4 || steps[1].By != nil || steps[3].By != nil {
		t.Errorf("missing year: %+v %v %v", steps, est, err)
	}
}
