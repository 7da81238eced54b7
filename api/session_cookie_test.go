package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// TestPortalCookieSession: the portal's login sets an HttpOnly, Secure,
// SameSite=Lax session cookie; a read with the cookie alone is
// authenticated; a cookie-authenticated write needs the portal header and a
// same-origin Origin (403 csrf_check_failed otherwise); logout clears it.
// Bearer clients get no cookie.
func TestPortalCookieSession(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		phone := newPhone()
		code := sendCode(t, env, phone)
		r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/sessions", Body: map[string]string{"phone": phone, "code": code},
			Header: map[string]string{"X-Jiuzhu-Portal": "1"}})
		apitest.Want(t, r, http.StatusCreated)
		set := r.Header.Get("Set-Cookie")
		for _, attr := range []string{"jz_session=", "Path=/api/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age="} {
			if !strings.Contains(set, attr) {
				t.Fatalf("Set-Cookie %q lacks %s", set, attr)
			}
		}
		cookie := strings.SplitN(set, ";", 2)[0]
		withCookie := func(method string, body any, h map[string]string) *apitest.Response {
			hdr := map[string]string{"Cookie": cookie}
			for k, v := range h {
				hdr[k] = v
			}
			return env.Do(apitest.Request{Method: method, Path: "/api/v1/me/household", Body: body, Header: hdr})
		}
		apitest.Want(t, withCookie(http.MethodGet, nil, nil), http.StatusNotFound) // logged in, no household yet
		body := household(makeID("19800101", true))
		r = withCookie(http.MethodPut, body, nil)
		apitest.Want(t, r, http.StatusForbidden)
		if r.ErrorCode() != "csrf_check_failed" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		r = withCookie(http.MethodPut, body, map[string]string{"X-Jiuzhu-Portal": "1", "Origin": "https://evil.example"})
		apitest.Want(t, r, http.StatusForbidden)
		apitest.Want(t, withCookie(http.MethodPut, body, map[string]string{"X-Jiuzhu-Portal": "1"}), http.StatusOK)

		r = env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/auth/sessions/current",
			Header: map[string]string{"Cookie": cookie, "X-Jiuzhu-Portal": "1"}})
		apitest.Want(t, r, http.StatusNoContent)
		if set := r.Header.Get("Set-Cookie"); !strings.Contains(set, "jz_session=;") || !strings.Contains(set, "Max-Age=0") {
			t.Fatalf("logout Set-Cookie %q", set)
		}
		apitest.Want(t, withCookie(http.MethodGet, nil, nil), http.StatusUnauthorized)

		// An API client logging in with Bearer gets no cookie.
		phone = newPhone()
		r = env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": sendCode(t, env, phone)})
		apitest.Want(t, r, http.StatusCreated)
		if set := r.Header.Get("Set-Cookie"); set != "" {
			t.Fatalf("a Bearer login got a cookie: %q", set)
		}
	})
}
