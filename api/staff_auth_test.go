package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/jiuzhu/jiuzhu/apitest"
)

func TestStaffLoginAndThrottling(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := wfDemo(t, env, "community")
		apitest.Want(t, env.Get("/api/v1/staff/applications", s.Token), http.StatusOK)

		bad := map[string]string{"username": "street", "password": "wrong-password"}
		for i := 1; i <= 5; i++ {
			r := env.Post("/api/v1/staff/sessions", "", bad)
			apitest.Want(t, r, http.StatusUnauthorized)
			if r.ErrorCode() != "invalid_credentials" {
				t.Fatalf("attempt %d: code %q", i, r.ErrorCode())
			}
		}
		// Throttled from this address: even the right password waits, with
		// a Retry-After (other addresses: TestStaffLoginThrottledPerAddress).
		good := map[string]string{"username": "street", "password": "jiuzhu-demo"}
		r := env.Post("/api/v1/staff/sessions", "", good)
		apitest.Want(t, r, http.StatusTooManyRequests)
		if ra := r.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After %q", ra)
		}
		// Another account is not affected.
		wfDemo(t, env, "county")
		env.Clock.Advance(15*time.Minute + time.Second)
		apitest.Want(t, env.Post("/api/v1/staff/sessions", "", good), http.StatusCreated)

		// Unknown accounts fail like wrong passwords.
		r = env.Post("/api/v1/staff/sessions", "", map[string]string{"username": "nobody", "password": "whatever-it-is"})
		apitest.Want(t, r, http.StatusUnauthorized)

		// Logins and failed logins are in the audit trail.
		aud := wfNewStaff(t, env, wfDemo(t, env, "admin").Token, "aud1", "auditor", "330500")
		r = env.Get("/api/v1/staff/audit?action=staff.login&limit=100", aud.Token)
		apitest.Want(t, r, http.StatusOK)
		outcomes := map[string]int{}
		var page struct {
			Items []struct {
				Outcome string `json:"outcome"`
			} `json:"items"`
		}
		r.JSON(t, &page)
		for _, e := range page.Items {
			outcomes[e.Outcome]++
		}
		if outcomes["failure"] < 5 || outcomes["denied"] < 1 || outcomes["success"] < 3 {
			t.Fatalf("login audit outcomes %v", outcomes)
		}
	})
}

func TestStaffSessionExpiry(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		idle := wfDemo(t, env, "community")
		env.Clock.Advance(31 * time.Minute)
		apitest.Want(t, env.Get("/api/v1/staff/applications", idle.Token), http.StatusUnauthorized)

		busy := wfDemo(t, env, "community")
		for elapsed := time.Duration(0); elapsed < 12*time.Hour-25*time.Minute; elapsed += 25 * time.Minute {
			env.Clock.Advance(25 * time.Minute)
			apitest.Want(t, env.Get("/api/v1/staff/applications", busy.Token), http.StatusOK)
		}
		env.Clock.Advance(25 * time.Minute)
		apitest.Want(t, env.Get("/api/v1/staff/applications", busy.Token), http.StatusUnauthorized)

		out := wfDemo(t, env, "community")
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/staff/sessions/current", Token: out.Token}), http.StatusNoContent)
		apitest.Want(t, env.Get("/api/v1/staff/applications", out.Token), http.StatusUnauthorized)
	})
}

func TestStaffAdministration(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		admin := wfDemo(t, env, "admin")
		w := wfNewStaff(t, env, admin.Token, "worker.a", "community_worker", "330502001002")
		apitest.Want(t, env.Get("/api/v1/staff/applications", w.Token), http.StatusOK)

		// Taken usernames, bad roles, short passwords, unknown regions.
		cases := []struct {
			body map[string]any
			want int
		}{
			{map[string]any{"username": "worker.a", "password": wfPassword, "role": "community_worker", "region_code": "330502001002"}, http.StatusConflict},
			{map[string]any{"username": "worker.b", "password": wfPassword, "role": "boss", "region_code": "330502001002"}, http.StatusUnprocessableEntity},
			{map[string]any{"username": "worker.b", "password": "short", "role": "community_worker", "region_code": "330502001002"}, http.StatusUnprocessableEntity},
			{map[string]any{"username": "worker.b", "password": wfPassword, "role": "community_worker", "region_code": "999999999999"}, http.StatusNotFound},
			{map[string]any{"username": "school.b", "password": wfPassword, "role": "school_operator", "region_code": "330502"}, http.StatusUnprocessableEntity},
		}
		for _, c := range cases {
			r := env.Post("/api/v1/staff/accounts", admin.Token, c.body)
			if r.Status != c.want {
				t.Errorf("create %v: %d, want %d (%s)", c.body, r.Status, c.want, r.Body)
			}
		}
		// A district admin cannot create accounts in another district.
		dadmin := wfNewStaff(t, env, admin.Token, "admin.wx", "admin", "330502")
		r := env.Post("/api/v1/staff/accounts", dadmin.Token, map[string]any{"username": "x.y", "password": wfPassword, "role": "auditor", "region_code": "330521"})
		apitest.Want(t, r, http.StatusNotFound)

		// Disabling ends the sessions at once and refuses new logins.
		apitest.Want(t, env.Post("/api/v1/staff/accounts/"+w.ID+"/disable", admin.Token, nil), http.StatusOK)
		apitest.Want(t, env.Get("/api/v1/staff/applications", w.Token), http.StatusUnauthorized)
		r = env.Post("/api/v1/staff/sessions", "", map[string]string{"username": "worker.a", "password": wfPassword})
		apitest.Want(t, r, http.StatusForbidden)
		apitest.Want(t, env.Post("/api/v1/staff/accounts/"+w.ID+"/enable", admin.Token, nil), http.StatusOK)
		w = wfLogin(t, env, "worker.a", wfPassword)

		// A password reset ends the sessions too; the new password works.
		apitest.Want(t, env.Post("/api/v1/staff/accounts/"+w.ID+"/password", admin.Token, map[string]string{"password": "another-long-password"}), http.StatusOK)
		apitest.Want(t, env.Get("/api/v1/staff/applications", w.Token), http.StatusUnauthorized)
		apitest.Want(t, env.Post("/api/v1/staff/sessions", "", map[string]string{"username": "worker.a", "password": wfPassword}), http.StatusUnauthorized)
		wfLogin(t, env, "worker.a", "another-long-password")

		// Every change is audited.
		aud := wfNewStaff(t, env, admin.Token, "aud2", "auditor", "330500")
		for _, action := range []string{"staff.create", "staff.disable", "staff.enable", "staff.password_reset"} {
			r := env.Get("/api/v1/staff/audit?target_id="+w.ID+"&action="+action, aud.Token)
			apitest.Want(t, r, http.StatusOK)
			if items := r.Map(t)["items"].([]any); len(items) != 1 {
				t.Errorf("audit of %s: %d rows", action, len(items))
			}
		}
	})
}

func TestStaffTOTP(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		admin := wfDemo(t, env, "admin")
		apitest.Want(t, env.Put("/api/v1/staff/roles/street_reviewer/settings", admin.Token, map[string]bool{"require_totp": true}), http.StatusOK)

		// Required but not enrolled: the session can only enrol.
		r := env.Post("/api/v1/staff/sessions", "", map[string]string{"username": "street", "password": "jiuzhu-demo"})
		apitest.Want(t, r, http.StatusCreated)
		var login struct {
			Token    string `json:"token"`
			Required bool   `json:"totp_enrolment_required"`
		}
		r.JSON(t, &login)
		if !login.Required {
			t.Fatal("login does not say TOTP enrolment is required")
		}
		apitest.Want(t, env.Get("/api/v1/staff/applications", login.Token), http.StatusForbidden)

		r = env.Post("/api/v1/staff/me/totp", login.Token, nil)
		apitest.Want(t, r, http.StatusCreated)
		secret := r.Map(t)["secret"].(string)
		apitest.Want(t, env.Post("/api/v1/staff/me/totp/confirm", login.Token, map[string]string{"code": "000000"}), http.StatusUnprocessableEntity)
		code, err := totp.GenerateCode(secret, env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		apitest.Want(t, env.Post("/api/v1/staff/me/totp/confirm", login.Token, map[string]string{"code": code}), http.StatusOK)

		pw := map[string]string{"username": "street", "password": "jiuzhu-demo"}
		r = env.Post("/api/v1/staff/sessions", "", pw)
		apitest.Want(t, r, http.StatusUnauthorized)
		if r.ErrorCode() != "totp_required" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		// The code used to confirm cannot be replayed.
		pw["totp_code"] = code
		apitest.Want(t, env.Post("/api/v1/staff/sessions", "", pw), http.StatusUnauthorized)
		env.Clock.Advance(30 * time.Second)
		pw["totp_code"], _ = totp.GenerateCode(secret, env.Clock.Now())
		r = env.Post("/api/v1/staff/sessions", "", pw)
		apitest.Want(t, r, http.StatusCreated)
		r.JSON(t, &login)
		if login.Required {
			t.Fatal("an enrolled login still says enrolment is required")
		}
		apitest.Want(t, env.Get("/api/v1/staff/applications", login.Token), http.StatusOK)

		// Only a city admin changes city-wide role settings.
		dadmin := wfNewStaff(t, env, admin.Token, "admin.wx", "admin", "330502")
		apitest.Want(t, env.Put("/api/v1/staff/roles/auditor/settings", dadmin.Token, map[string]bool{"require_totp": true}), http.StatusForbidden)
	})
}

func TestDeniedStaffRequestsAreAudited(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		worker := wfDemo(t, env, "community")
		r := env.Put("/api/v1/staff/standards", worker.Token, map[string]any{"region_code": "330502", "year": 2026, "hukou": "urban", "monthly_amount": 1})
		apitest.Want(t, r, http.StatusForbidden)
		auditor := wfDemo(t, env, "auditor")
		r = env.Get("/api/v1/staff/audit?action=standards.set", auditor.Token)
		apitest.Want(t, r, http.StatusOK)
		var page struct {
			Items []struct {
				ActorID string `json:"actor_id"`
				Outcome string `json:"outcome"`
			} `json:"items"`
		}
		r.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Outcome != "denied" {
			t.Fatalf("audit of the denial: %+v", page.Items)
		}
	})
}
