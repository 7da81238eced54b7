package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// TestApplicationNumbersUnderRacingCreates: 64 households of one county
// create applications of one program at the same moment; every create
// succeeds with a number of its own in the county's series. The number is
// allocated in its own statement, not under a counter row held for the
// create's whole transaction.
func TestApplicationNumbersUnderRacingCreates(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		const n = 64
		tokens := make([]string, n)
		for i := range tokens {
			tokens[i] = vResidentToken(env, vHousehold(t, env, model.ProgramDibao, ppCommunity, 80000, nil, false))
		}
		res := apitest.Concurrently(n, func(i int) *apitest.Response {
			return env.Post("/api/v1/applications", tokens[i], map[string]string{"program": string(model.ProgramTemporary), "reason": "急难"})
		})
		seen := map[string]bool{}
		for i, r := range res {
			apitest.Want(t, r, http.StatusCreated)
			var app struct {
				Number string `json:"number"`
			}
			r.JSON(t, &app)
			if seen[app.Number] || !strings.Contains(app.Number, "-330502-") {
				t.Fatalf("create %d: number %q repeated or outside the county series (%v)", i, app.Number, seen)
			}
			seen[app.Number] = true
		}
	})
}
