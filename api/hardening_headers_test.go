package api_test

import (
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/api"
	"github.com/jiuzhu/jiuzhu/apitest"
)

// Hardening item 9d: the portal is served under a strict CSP (no inline
// script, no framing), and its pages carry no inline script that the
// policy would block.
func TestPortalContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		for _, path := range []string{"/", "/school", "/api/v1/regions"} {
			r := env.Do(apitest.Request{Method: http.MethodGet, Path: path, NoCheck: !strings.HasPrefix(path, "/api/")})
			apitest.Want(t, r, http.StatusOK)
			csp := r.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: Content-Security-Policy %q lacks %q", path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s: Content-Security-Policy %q allows inline script or eval", path, csp)
			}
		}
	})
	if api.ContentSecurityPolicy == "" {
		t.Fatal("no policy")
	}
	script := regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=|javascript:`)
	for _, f := range []string{"../web/index.html", "../web/dist/index.html"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range script.FindAllSubmatch(b, -1) {
			if !regexp.MustCompile(`\bsrc=`).Match(m[1]) || len(strings.TrimSpace(string(m[2]))) > 0 {
				t.Errorf("%s has an inline script the policy blocks: %q", f, m[0])
			}
		}
		if m := handler.Find(b); m != nil {
			t.Errorf("%s has an inline event handler the policy blocks: %q", f, m)
		}
	}
}

// Hardening item 9e: /metrics is not public on the app port; with
// JIUZHU_METRICS_TOKEN it answers only the bearer of the token.
func TestMetricsNotPublic(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	apitest.Want(t, env.Get("/metrics", ""), http.StatusNotFound)

	const token = "m3tr1cs-Token-4f9c2a7b1e8d6053a9c7"
	env = apitest.New(t, "embedded", apitest.WithEnv("JIUZHU_METRICS_TOKEN", token))
	apitest.Want(t, env.Get("/metrics", ""), http.StatusUnauthorized)
	apitest.Want(t, env.Get("/metrics", "wrong-token"), http.StatusUnauthorized)
	r := env.Get("/metrics", token)
	apitest.Want(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), "jiuzhu_http_requests_total") {
		t.Fatalf("metrics body:\n%.500s", r.Body)
	}
}
