package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// TestSpotChecksDrawnOnceAndDecided: the county draws its share of the
// month's approved cases (its own county only), once; the auditor sees
// them; each outcome is recorded once, a discrepancy with a note.
func TestSpotChecksDrawnOnceAndDecided(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		for i, region := range []string{"330502001001", "330502001001", "330502001001", "330502001001", "330502001001", "330502001001",
			"330502001001", "330502001001", "330502001001", "330502001001", "330502001001", "330502001001", "330521001001"} {
			if _, err := env.InsertHousehold(ctx, apitest.FixtureHousehold{RegionCode: region, Phone: newPhone(), Address: "某街道1号",
				Program: model.ProgramDibao, MonthlyAmount: 50000,
				Members: []apitest.FixtureMember{{Name: "吴九", IDNumber: makeID(fmt.Sprintf("1970%02d01", i%12+1), true), Relation: "self"}}}); err != nil {
				t.Fatal(err)
			}
		}
		county := wfDemo(t, env, "county").Token
		month := model.MonthOf(env.Clock.Now())
		draw := func(period string, want int) *apitest.Response {
			r := env.Post("/api/v1/staff/spot-checks", county, map[string]string{"region_code": "330502", "period": period})
			apitest.Want(t, r, want)
			return r
		}
		draw(model.AddMonths(month, 1), http.StatusUnprocessableEntity)
		var got struct {
			Population int `json:"population"`
			SampleSize int `json:"sample_size"`
			Items      []struct {
				ID                string  `json:"id"`
				ApplicationNumber string  `json:"application_number"`
				Outcome           *string `json:"outcome"`
			} `json:"items"`
		}
		draw(month, http.StatusCreated).JSON(t, &got)
		// 12 cases in the county (the other county's is not drawn from);
		// 100‰ of 12, rounded up: 2.
		if got.Population != 12 || got.SampleSize != 2 || len(got.Items) != 2 || got.Items[0].ApplicationNumber == got.Items[1].ApplicationNumber ||
			got.Items[0].Outcome != nil {
			t.Fatalf("draw %+v", got)
		}
		if r := draw(month, http.StatusConflict); r.ErrorCode() != "sample_exists" {
			t.Fatalf("second draw: %s", r.Body)
		}

		r := env.Get("/api/v1/staff/spot-checks?period="+month, wfDemo(t, env, "auditor").Token)
		apitest.Want(t, r, http.StatusOK)
		var list struct {
			Items []map[string]any `json:"items"`
		}
		r.JSON(t, &list)
		if len(list.Items) != 2 {
			t.Fatalf("list %s", r.Body)
		}

		decide := func(id string, body map[string]string, want int) *apitest.Response {
			r := env.Post("/api/v1/staff/spot-checks/"+id+"/outcome", county, body)
			apitest.Want(t, r, want)
			return r
		}
		decide(got.Items[0].ID, map[string]string{"outcome": "discrepancy"}, http.StatusUnprocessableEntity) // a discrepancy says what
		decide(got.Items[0].ID, map[string]string{"outcome": "maybe"}, http.StatusUnprocessableEntity)
		if out := decide(got.Items[0].ID, map[string]string{"outcome": "discrepancy", "note": "入户发现家中有经营性收入未申报"}, http.StatusOK).Map(t); out["outcome"] != "discrepancy" {
			t.Fatalf("outcome %v", out)
		}
		if r := decide(got.Items[0].ID, map[string]string{"outcome": "confirmed"}, http.StatusConflict); r.ErrorCode() != "spot_check_decided" {
			t.Fatalf("second outcome: %s", r.Body)
		}
		decide(got.Items[1].ID, map[string]string{"outcome": "confirmed"}, http.StatusOK)
	})
}

// TestReviewMeetingWhenTheCountyUsesIt: a 民主评议 is recorded on a case
// under investigation only where the county uses it; the detail shows it.
func TestReviewMeetingWhenTheCountyUsesIt(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community := wfDemo(t, env, "community").Token
		c := wfSubmitted(t, env, "330502001001", 1)
		wfInvestigated(t, env, community, c)
		today := env.Clock.Now().In(model.ChinaZone).Format(time.DateOnly)
		meeting := map[string]any{"held_on": today, "attendees": 9, "agree": 7, "disagree": 1, "abstain": 1, "note": "社区评议小组 9 人参加"}
		record := func(body map[string]any, want int) *apitest.Response {
			r := env.Post("/api/v1/staff/applications/"+c.ID+"/review-meetings", community, body)
			apitest.Want(t, r, want)
			return r
		}
		if r := record(meeting, http.StatusConflict); r.ErrorCode() != "review_meeting_not_used" {
			t.Fatalf("not used: %s", r.Body)
		}
		figures := model.DefaultFigures()
		figures.DemocraticReview = true
		apitest.Want(t, env.Put("/api/v1/staff/policy-figures", wfDemo(t, env, "county").Token,
			map[string]any{"region_code": "330502", "year": env.Clock.Now().In(model.ChinaZone).Year(), "figures": figures}), http.StatusOK)

		bad := map[string]any{"held_on": today, "attendees": 3, "agree": 3, "disagree": 1, "abstain": 0}
		record(bad, http.StatusUnprocessableEntity)
		future := map[string]any{"held_on": env.Clock.Now().Add(72 * time.Hour).Format(time.DateOnly), "attendees": 3, "agree": 2, "disagree": 1, "abstain": 0}
		record(future, http.StatusUnprocessableEntity)
		if m := record(meeting, http.StatusCreated).Map(t); m["passed"] != true {
			t.Fatalf("meeting %v", m)
		}
		r := env.Get("/api/v1/staff/applications/"+c.ID, wfDemo(t, env, "county").Token)
		apitest.Want(t, r, http.StatusOK)
		if ms, _ := r.Map(t)["review_meetings"].([]any); len(ms) != 1 {
			t.Fatalf("detail review_meetings: %v", r.Map(t)["review_meetings"])
		}
		apitest.Want(t, env.Post("/api/v1/staff/applications/"+c.ID+"/review-meetings", wfDemo(t, env, "community2").Token, meeting), http.StatusNotFound)
	})
}
