package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

func TestResidentLogin(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		for _, bad := range []string{"1381234567", "23812345678", "1381234567a", "+1 2025550123", ""} {
			r := env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": bad})
			apitest.Want(t, r, http.StatusUnprocessableEntity)
		}
		r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/sms-codes", Body: []byte(`{"phone":`), NoCheck: true})
		apitest.Want(t, r, http.StatusBadRequest)

		phone := newPhone()
		// The number is normalised: the country code and separators go.
		r = env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": "+86 " + phone[:3] + "-" + phone[3:7] + "-" + phone[7:]})
		apitest.Want(t, r, http.StatusAccepted)
		items := env.App.Outbox().List(phone)
		if len(items) != 1 {
			t.Fatalf("outbox for the normalised phone: %+v", items)
		}
		code := items[0].Code
		wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1_000_000)
		r = env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": wrong})
		apitest.Want(t, r, http.StatusUnauthorized)
		apitest.Want(t, env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": "12ab56"}), http.StatusUnprocessableEntity)

		r = env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": code})
		apitest.Want(t, r, http.StatusCreated)
		var login struct {
			Token     string    `json:"token"`
			ExpiresAt time.Time `json:"expires_at"`
			Resident  struct {
				ID          string `json:"id"`
				PhoneMasked string `json:"phone_masked"`
			} `json:"resident"`
		}
		r.JSON(t, &login)
		if len(login.Token) < 22 || login.Resident.PhoneMasked != phone[:3]+"****"+phone[7:] {
			t.Fatalf("login: %+v", login)
		}
		if d := time.Until(login.ExpiresAt); d < 29*24*time.Hour || d > 31*24*time.Hour {
			t.Fatalf("absolute expiry in %v, want 30 days", d)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Fatal("login response is cacheable")
		}
		// A code is single use.
		apitest.Want(t, env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": code}), http.StatusUnauthorized)

		// A second session of the same resident (the rate limits run on real
		// time, so a second login of the phone would wait a minute).
		other := loginBody{Token: env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: login.Resident.ID})}
		var sessions struct {
			Items []struct {
				ID      string `json:"id"`
				Current bool   `json:"current"`
			}
		}
		r = env.Get("/api/v1/me/sessions", login.Token)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &sessions)
		if len(sessions.Items) != 2 {
			t.Fatalf("sessions: %+v", sessions)
		}
		otherID := ""
		for _, s := range sessions.Items {
			if !s.Current {
				otherID = s.ID
			}
		}
		// Revoking the other session kills its token; a stranger's id is 404.
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/me/sessions/" + otherID, Token: login.Token}), http.StatusNoContent)
		apitest.Want(t, env.Get("/api/v1/me/household", other.Token), http.StatusUnauthorized)
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/me/sessions/" + otherID, Token: login.Token}), http.StatusNotFound)

		// Logout kills the token.
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/auth/sessions/current", Token: login.Token}), http.StatusNoContent)
		apitest.Want(t, env.Get("/api/v1/me/household", login.Token), http.StatusUnauthorized)
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/auth/sessions/current", Token: login.Token}), http.StatusUnauthorized)
		apitest.Want(t, env.Get("/api/v1/applications", ""), http.StatusUnauthorized)
		apitest.Want(t, env.Get("/api/v1/applications", "not-a-token"), http.StatusUnauthorized)
	})
}

type loginBody struct {
	Token string `json:"token"`
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestResidentCodeBurnsAfterFiveWrongTries(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		phone := newPhone()
		code := sendCode(t, env, phone)
		wrong := fmt.Sprintf("%06d", (mustAtoi(t, code)+500_000)%1_000_000)
		for i := 0; i < 5; i++ {
			apitest.Want(t, env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": wrong}), http.StatusUnauthorized)
		}
		// The right code no longer works: it was burned.
		apitest.Want(t, env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": code}), http.StatusUnauthorized)
	})
}

func TestResidentCodeExpires(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		phone := newPhone()
		code := sendCode(t, env, phone)
		env.Clock.Advance(10*time.Minute + time.Second)
		apitest.Want(t, env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": code}), http.StatusUnauthorized)
	})
}

func TestResidentSMSRateLimits(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		phone := newPhone()
		apitest.Want(t, env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": phone}), http.StatusAccepted)
		// A second code within the minute, even from another address, is refused.
		r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/sms-codes", Body: map[string]string{"phone": phone}, IP: "198.51.100.7"})
		apitest.Want(t, r, http.StatusTooManyRequests)
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		if len(env.App.Outbox().List(phone)) != 1 {
			t.Fatal("a refused request still sent a code")
		}

		// One address may ask for 20 codes an hour, whatever the numbers.
		ip := "203.0.113.20"
		for i := 0; i < 20; i++ {
			r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/sms-codes", Body: map[string]string{"phone": newPhone()}, IP: ip})
			apitest.Want(t, r, http.StatusAccepted)
		}
		r = env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/sms-codes", Body: map[string]string{"phone": newPhone()}, IP: ip})
		apitest.Want(t, r, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
	})
}

func TestResidentSessionExpiry(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		// Idle: seven days without use end the session.
		token := login(t, env, newPhone())
		env.Clock.Advance(6 * 24 * time.Hour)
		apitest.Want(t, env.Get("/api/v1/me/sessions", token), http.StatusOK)
		env.Clock.Advance(7*24*time.Hour + time.Minute)
		r := env.Get("/api/v1/me/sessions", token)
		apitest.Want(t, r, http.StatusUnauthorized)

		// Absolute: used every six days, it still ends after 30.
		token = login(t, env, newPhone())
		for day := 6; day < 30; day += 6 {
			env.Clock.Advance(6 * 24 * time.Hour)
			apitest.Want(t, env.Get("/api/v1/me/sessions", token), http.StatusOK)
		}
		env.Clock.Advance(6 * 24 * time.Hour)
		apitest.Want(t, env.Get("/api/v1/me/sessions", token), http.StatusUnauthorized)
	})
}
