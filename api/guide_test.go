package api_test

import (
	"net/http"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// TestPublicGuide: the guide answers without a login, with the help line
// and the procedure's time limits and appeal periods.
func TestPublicGuide(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	r := env.Get("/api/v1/guide", "")
	apitest.Want(t, r, http.StatusOK)
	var g struct {
		HelpLine   string `json:"help_line"`
		TimeLimits struct {
			Investigate int `json:"investigate_working_days"`
			Notice      int `json:"notice_days"`
			Decide      int `json:"decide_working_days"`
			Return      int `json:"return_working_days"`
		} `json:"time_limits"`
		Appeal struct {
			Reconsideration int `json:"reconsideration_days"`
			Litigation      int `json:"litigation_months"`
		} `json:"appeal"`
	}
	r.JSON(t, &g)
	if g.HelpLine == "" || g.TimeLimits.Investigate != 3 || g.TimeLimits.Notice != 7 || g.TimeLimits.Decide != 30 || g.TimeLimits.Return != 10 ||
		g.Appeal.Reconsideration != 60 || g.Appeal.Litigation != 6 {
		t.Fatalf("guide %+v", g)
	}
}
