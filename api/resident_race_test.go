package api_test

import (
	"net/http"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// TestConcurrentHouseholdPuts: a phone that sends its household twice at
// once (a double tap, a retry) gets its own household saved, never the
// claim that its ID numbers belong to another household, and ends with
// exactly the members of one of the bodies.
func TestConcurrentHouseholdPuts(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		for _, first := range []bool{true, false} {
			token := login(t, env, newPhone())
			self := makeID("19800101", true)
			if !first {
				apitest.Want(t, env.Put("/api/v1/me/household", token, household(self)), http.StatusOK)
			}
			// Each body adds a different new child to the same applicant.
			const n = 4
			bodies := make([]map[string]any, n)
			for i := range bodies {
				bodies[i] = household(self, makeID("20150601", i%2 == 0))
			}
			rs := apitest.Concurrently(n, func(i int) *apitest.Response {
				return env.Put("/api/v1/me/household", token, bodies[i])
			})
			for i, r := range rs {
				if r.Status != http.StatusOK {
					t.Fatalf("first=%v: PUT %d → %d %s, want 200", first, i, r.Status, r.Body)
				}
			}
			r := env.Get("/api/v1/me/household", token)
			apitest.Want(t, r, http.StatusOK)
			var hh struct {
				Members []struct {
					Relation string `json:"relation"`
				} `json:"members"`
			}
			r.JSON(t, &hh)
			if len(hh.Members) != 2 {
				t.Fatalf("first=%v: %d members after concurrent PUTs of two members each", first, len(hh.Members))
			}
		}
	})
}

// TestConcurrentSubmitAndWithdraw: a submit racing a withdraw leaves the
// application withdrawn either way (withdraw is allowed after submit), and
// the timeline tells the same story as the status; no 500s.
func TestConcurrentSubmitAndWithdraw(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		for round := 0; round < 3; round++ {
			id := createApp(t, env, token, "dibao")
			uploadRequired(t, env, token, id)
			rs := apitest.Concurrently(2, func(i int) *apitest.Response {
				if i == 0 {
					return env.Post("/api/v1/applications/"+id+"/submit", token, nil)
				}
				return env.Post("/api/v1/applications/"+id+"/withdraw", token, map[string]string{"reason": "不需要了"})
			})
			submit, withdraw := rs[0], rs[1]
			if withdraw.Status != http.StatusOK {
				t.Fatalf("withdraw → %d %s", withdraw.Status, withdraw.Body)
			}
			if submit.Status != http.StatusOK && (submit.Status != http.StatusConflict || submit.ErrorCode() != "status_changed" && submit.ErrorCode() != "wrong_status") {
				t.Fatalf("submit → %d %s", submit.Status, submit.Body)
			}
			a := gapGet(t, env, token, id)
			if a.Status != "withdrawn" {
				t.Fatalf("status %q", a.Status)
			}
			var seen []string
			for _, e := range a.Timeline {
				seen = append(seen, e.Status)
			}
			want := []string{"draft", "withdrawn"}
			if submit.Status == http.StatusOK {
				want = []string{"draft", "submitted", "withdrawn"}
			}
			if len(seen) != len(want) {
				t.Fatalf("timeline %v, want %v", seen, want)
			}
			for i := range want {
				if seen[i] != want[i] {
					t.Fatalf("timeline %v, want %v", seen, want)
				}
			}
		}
	})
}
