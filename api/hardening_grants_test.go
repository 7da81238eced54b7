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
		county, street := wfDemo(t, env, "county").Token, wfDemo(t, env, "street").Token
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

// Hardening item 9b: creating an admin or county approver, and resetting
// their password, takes a second admin; both steps are audited.
func TestPrivilegedGrantsNeedASecondAdmin(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		admin, admin2 := wfDemo(t, env, "admin"), wfDemo(t, env, "admin2")
		r := env.Post("/api/v1/staff/accounts", admin.Token, map[string]any{"username": "new.county", "password": wfPassword,
			"role": model.RoleCountyApprover, "region_code": "330502"})
		apitest.Want(t, r, http.StatusAccepted)
		grant := r.Map(t)["grant"].(map[string]any)["id"].(string)
		// Not there yet: no login.
		apitest.Want(t, env.Post("/api/v1/staff/sessions", "", map[string]string{"username": "new.county", "password": wfPassword}), http.StatusUnauthorized)
		// The requester cannot confirm their own grant.
		r = env.Post("/api/v1/staff/grants/"+grant+"/confirm", admin.Token, nil)
		apitest.Want(t, r, http.StatusForbidden)
		if r.ErrorCode() != "second_admin_required" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		apitest.Want(t, env.Post("/api/v1/staff/grants/"+grant+"/confirm", admin2.Token, nil), http.StatusOK)
		apitest.Want(t, env.Post("/api/v1/staff/grants/"+grant+"/confirm", admin2.Token, nil), http.StatusNotFound)
		made := wfLogin(t, env, "new.county", wfPassword)

		// Resetting the approver's password: pending, then confirmed.
		r = env.Post("/api/v1/staff/accounts/"+made.ID+"/password", admin.Token, map[string]string{"password": "another-password-9"})
		apitest.Want(t, r, http.StatusAccepted)
		apitest.Want(t, env.Get("/api/v1/staff/applications", made.Token), http.StatusOK)
		grant = r.Map(t)["grant"].(map[string]any)["id"].(string)
		apitest.Want(t, env.Post("/api/v1/staff/grants/"+grant+"/confirm", admin2.Token, nil), http.StatusOK)
		apitest.Want(t, env.Get("/api/v1/staff/applications", made.Token), http.StatusUnauthorized)
		wfLogin(t, env, "new.county", "another-password-9")

		// An ordinary account is still made at once.
		r = env.Post("/api/v1/staff/accounts", admin.Token, map[string]any{"username": "new.worker", "password": wfPassword,
			"role": model.RoleCommunityWorker, "region_code": "330502001001"})
		apitest.Want(t, r, http.StatusCreated)

		aud := wfDemo(t, env, "auditor").Token
		for action, want := range map[string]int{"staff.grant_request": 2, "staff.grant_confirm": 2} {
			r = env.Get("/api/v1/staff/audit?action="+action, aud)
			apitest.Want(t, r, http.StatusOK)
			if n := len(r.Map(t)["items"].([]any)); n != want {
				t.Errorf("%s audit rows: %d, want %d", action, n, want)
			}
		}
	})
}
