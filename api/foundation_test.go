package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

func TestHealthAndReference(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		apitest.Want(t, env.Get("/healthz", ""), http.StatusOK)
		r := env.Get("/readyz", "")
		apitest.Want(t, r, http.StatusOK)
		if m := r.Map(t); m["status"] != "ok" {
			t.Fatalf("readyz: %v", m)
		}

		var regions struct {
			Items []struct {
				Code, Name, Level string
				ParentCode        *string `json:"parent_code"`
			}
		}
		env.Get("/api/v1/regions", "").JSON(t, &regions)
		levels := map[string]int{}
		for _, r := range regions.Items {
			levels[r.Level]++
			want := map[string]int{"city": 6, "county": 6, "street": 9, "community": 12}[r.Level]
			if len(r.Code) != want {
				t.Errorf("region %s (%s): code has %d digits, want %d", r.Code, r.Level, len(r.Code), want)
			}
			if r.Level != "city" && (r.ParentCode == nil || !strings.HasPrefix(r.Code, (*r.ParentCode)[:4])) {
				t.Errorf("region %s has parent %v", r.Code, r.ParentCode)
			}
		}
		if levels["city"] != 1 || levels["county"] != 5 || levels["street"] < 10 || levels["community"] < 20 {
			t.Fatalf("region tree: %v", levels)
		}

		var schools struct {
			Items []struct {
				ID         string
				RegionCode string `json:"region_code"`
				Stages     []string
			}
		}
		env.Get("/api/v1/schools?region_code=330502", "").JSON(t, &schools)
		stages := map[string]bool{}
		for _, s := range schools.Items {
			if !strings.HasPrefix(s.RegionCode, "330502") {
				t.Errorf("school outside 330502: %+v", s)
			}
			for _, st := range s.Stages {
				stages[st] = true
			}
		}
		if !stages["compulsory"] || !stages["senior_high"] || !stages["special"] {
			t.Fatalf("county schools do not cover the three stages: %v", stages)
		}
		r = env.Get("/api/v1/schools?region_code=999999", "")
		apitest.Want(t, r, http.StatusUnprocessableEntity)
	})
}

func TestErrorsAreClear(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		r := env.Do(apitest.Request{Method: http.MethodGet, Path: "/api/v1/no-such-thing", NoCheck: true})
		apitest.Want(t, r, http.StatusNotFound)
		if r.ErrorCode() != "route_not_found" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		r = env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/regions", NoCheck: true})
		apitest.Want(t, r, http.StatusMethodNotAllowed)
		if r.Header.Get("X-Request-Id") == "" {
			t.Fatal("no X-Request-Id")
		}
		r = env.Do(apitest.Request{Method: http.MethodGet, Path: "/api/v1/dev/outbox"})
		apitest.Want(t, r, http.StatusOK)
	})
}

func TestDevOutboxHiddenOutsideDevMode(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded", apitest.WithEnv("JIUZHU_DEV", "false"))
	r := env.Do(apitest.Request{Method: http.MethodGet, Path: "/api/v1/dev/outbox"})
	apitest.Want(t, r, http.StatusNotFound)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	const token = "m3tr1cs-Token-4f9c2a7b1e8d6053a9c7"
	env := apitest.New(t, "embedded", apitest.WithEnv("JIUZHU_METRICS_TOKEN", token))
	env.Get("/healthz", "")
	r := env.Get("/metrics", token)
	apitest.Want(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `jiuzhu_http_requests_total{method="GET",route="/healthz",status="200"}`) {
		t.Fatalf("metrics lack the request counter:\n%.2000s", r.Body)
	}
	if !strings.Contains(string(r.Body), "jiuzhu_http_request_duration_seconds_bucket") {
		t.Fatal("metrics lack the latency histogram")
	}
}

func TestReadyzNamesTheFailedBackend(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	if err := env.Backends.DB.Close(); err != nil {
		t.Fatal(err)
	}
	r := env.Get("/readyz", "")
	apitest.Want(t, r, http.StatusServiceUnavailable)
	var body struct {
		Failed []string `json:"failed"`
	}
	r.JSON(t, &body)
	if len(body.Failed) != 1 || body.Failed[0] != "database" {
		t.Fatalf("failed = %v, want [database]", body.Failed)
	}
	apitest.Want(t, env.Get("/healthz", ""), http.StatusOK)
}

func TestPortalIsServed(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	r := env.Do(apitest.Request{Method: http.MethodGet, Path: "/", NoCheck: true})
	apitest.Want(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), "救助通") {
		t.Fatalf("portal body: %.200s", r.Body)
	}
}
