package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

type nsView struct {
	Status    string `json:"status"`
	NextSteps []struct {
		Step string     `json:"step"`
		Text string     `json:"text"`
		By   *time.Time `json:"by"`
	} `json:"next_steps"`
	Estimated bool `json:"next_steps_estimated"`
}

func nsGet(t *testing.T, env *apitest.Env, residentID, id string) nsView {
	t.Helper()
	r := env.Get("/api/v1/applications/"+id, ppResident(env, residentID))
	apitest.Want(t, r, http.StatusOK)
	var v nsView
	r.JSON(t, &v)
	return v
}

// TestResidentSeesNextStepsAndBenefitInWords: after submitting, the
// resident's case says what happens next and by when (counted from the
// submission until the case is accepted, then from the acceptance); after
// the notice nothing but the decision is ahead; on approval the benefit
// says the amount, from which month, how it is paid and when it is next
// re-checked.
func TestResidentSeesNextStepsAndBenefitInWords(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := ppOfficers(t, env)
		hh := ppHousehold(model.HukouUrban, ppMember("卫十一", "19750505", "self", true, map[string]any{"monthly_income": 30000}))
		tok, residentID := ppLogin(t, env)
		apitest.Want(t, env.Put("/api/v1/me/household", tok, hh), http.StatusOK)
		c := submitCase(t, env, tok, model.ProgramDibao)

		v := nsGet(t, env, residentID, c.ID)
		if v.Status != "submitted" || !v.Estimated || len(v.NextSteps) != 4 || v.NextSteps[0].Step != "accept" ||
			v.NextSteps[1].By == nil || v.NextSteps[3].Step != "decision" || v.NextSteps[3].By == nil {
			t.Fatalf("after submit: %+v", v)
		}
		for _, st := range v.NextSteps {
			if st.Text == "" || !strings.ContainsAny(st.Text, "社区县") {
				t.Errorf("step %s not in words: %q", st.Step, st.Text)
			}
		}
		decisionBy := *v.NextSteps[3].By
		if days := decisionBy.Sub(env.Clock.Now()).Hours() / 24; days < 30 || days > 60 {
			t.Errorf("decision due %s, %v days after submitting; want 30 working days", decisionBy, days)
		}

		wfReviewed(t, env, s.community, c)
		v = nsGet(t, env, residentID, c.ID)
		if v.Status != "investigating" || v.Estimated || len(v.NextSteps) != 2 || v.NextSteps[0].Step != "notice" || v.NextSteps[1].By == nil {
			t.Fatalf("investigating: %+v", v)
		}

		ppAssess(t, env, &s, c.ID, map[string]any{"per_capita_income": 30000})
		ppApproved(t, env, &s, c.ID)
		v = nsGet(t, env, residentID, c.ID)
		if len(v.NextSteps) != 0 {
			t.Errorf("an approved case has steps ahead: %+v", v.NextSteps)
		}
		b := ppResidentBenefit(t, env, residentID, c.ID)
		for _, want := range []string{"每月", "元，自", "每月由银行发放到您登记的银行卡", "下次复核在"} {
			if !strings.Contains(b.Text, want) {
				t.Errorf("benefit text %q lacks %q", b.Text, want)
			}
		}
	})
}
