package api_test

import (
	"net/http"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// Hardening item 9a: a published list is withdrawn only from the
// publisher's level or above.
func TestPublicationWithdrawnFromPublisherLevelOrAbove(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		vHousehold(t, env, model.ProgramDibao, "330502001001", 50000, nil, false)
		county, street := vStaffLogin(t, env, "county"), vStaffLogin(t, env, "street")
		period := env.Clock.Now().Format("2006-01")
		publish := func(token string) string {
			r := env.Post("/api/v1/staff/publications", token, map[string]string{"region_code": "330502001", "program": "dibao", "period": period})
			apitest.Want(t, r, http.StatusCreated)
			return r.Map(t)["id"].(string)
		}
		withdraw := func(token, id string) *apitest.Response {
			return env.Post("/api/v1/staff/publications/"+id+"/withdraw", token, map[string]string{"reason": "名单有误"})
		}
		byCounty := publish(county)
		r := withdraw(street, byCounty)
		apitest.Want(t, r, http.StatusForbidden)
		if r.ErrorCode() != "publisher_level_above" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		apitest.Want(t, withdraw(county, byCounty), http.StatusOK)
		// The street withdraws its own list; so would the county.
		apitest.Want(t, withdraw(street, publish(street)), http.StatusOK)
		apitest.Want(t, withdraw(county, publish(street)), http.StatusOK)
	})
}

// Hardening item 9c: requiring TOTP for a role ends the live sessions of
// that role's accounts without an authenticator; other roles keep theirs.
func TestRequiringTOTPRevokesLiveSessions(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		admin, community, street := wfDemo(t, env, "admin"), wfDemo(t, env, "community"), wfDemo(t, env, "street")
		apitest.Want(t, env.Put("/api/v1/staff/roles/community_worker/settings", admin.Token, map[string]bool{"require_totp": true}), http.StatusOK)
		apitest.Want(t, env.Get("/api/v1/staff/applications", community.Token), http.StatusUnauthorized)
		apitest.Want(t, env.Get("/api/v1/staff/applications", street.Token), http.StatusOK)
	})
}
