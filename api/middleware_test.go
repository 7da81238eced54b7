package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// newBareServer builds the router without backends and adds test routes.
func newBareServer(t *testing.T, logs *bytes.Buffer) *Server {
	t.Helper()
	log := slog.New(slog.NewJSONHandler(logs, nil))
	s, err := New(service.NewApp(service.Deps{}), log, prometheus.NewRegistry(), Options{MaxJSONBytes: 1024, MaxUploadBytes: 4096})
	if err != nil {
		t.Fatal(err)
	}
	s.engine.GET("/test/panic", func(c *gin.Context) { panic("boom: secret detail") })
	s.engine.POST("/test/echo", s.handle(func(c *gin.Context) error {
		var body struct {
			Name  string `json:"name"`
			Count int    `json:"count"`
		}
		if err := bindJSON(c, &body); err != nil {
			return err
		}
		c.JSON(http.StatusOK, body)
		return nil
	}))
	s.engine.GET("/test/kinds/:kind", s.handle(func(c *gin.Context) error {
		return &model.Error{Kind: model.Kind(c.Param("kind")), Code: "x", Message: "m", RetryAfter: 1500e6}
	}))
	return s
}

func serve(s *Server, method, path, contentType, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func TestPanicGivesGenericBody(t *testing.T) {
	var logs bytes.Buffer
	s := newBareServer(t, &logs)
	rec := serve(s, http.MethodGet, "/test/panic", "", "")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "secret detail") {
		t.Fatalf("panic detail leaked to the client: %s", rec.Body)
	}
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != "internal" {
		t.Fatalf("body %s", rec.Body)
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), rec.Header().Get("X-Request-Id")) {
		t.Fatal("the panic and its request id should be in the log")
	}
}

func TestBindJSONErrors(t *testing.T) {
	var logs bytes.Buffer
	s := newBareServer(t, &logs)
	cases := []struct {
		name, contentType, body string
		status                  int
		code                    string
	}{
		{"ok", "application/json", `{"name":"a","count":2}`, 200, ""},
		{"no content type is read as JSON", "", `{"name":"a"}`, 200, ""},
		{"broken", "application/json", `{"name":`, 400, "malformed_json"},
		{"empty", "application/json", ``, 400, "malformed_json"},
		{"wrong type", "application/json", `{"count":"two"}`, 400, "malformed_json"},
		{"two values", "application/json", `{} {}`, 400, "malformed_json"},
		{"form", "application/x-www-form-urlencoded", `name=a`, 415, "unsupported_media_type"},
		{"too large", "application/json", `{"name":"` + strings.Repeat("a", 2000) + `"}`, 413, "body_too_large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(s, http.MethodPost, "/test/echo", tc.contentType, tc.body)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if tc.code != "" {
				var body errorBody
				_ = json.Unmarshal(rec.Body.Bytes(), &body)
				if body.Error.Code != tc.code || body.Error.Message == "" {
					t.Fatalf("error body %s", rec.Body)
				}
			}
		})
	}
}

func TestEveryKindHasItsStatus(t *testing.T) {
	var logs bytes.Buffer
	s := newBareServer(t, &logs)
	want := map[model.Kind]int{
		model.KindMalformed: 400, model.KindUnauthenticated: 401, model.KindForbidden: 403, model.KindNotFound: 404,
		model.KindMethod: 405, model.KindConflict: 409, model.KindTooLarge: 413, model.KindUnsupported: 415,
		model.KindInvalid: 422, model.KindRateLimited: 429, model.KindUnavailable: 503, model.KindInternal: 500,
	}
	for kind, status := range want {
		rec := serve(s, http.MethodGet, "/test/kinds/"+string(kind), "", "")
		if rec.Code != status {
			t.Errorf("%s → %d, want %d", kind, rec.Code, status)
		}
		if kind == model.KindRateLimited && rec.Header().Get("Retry-After") != "2" {
			t.Errorf("Retry-After %q, want 2", rec.Header().Get("Retry-After"))
		}
	}
}

func TestAccessLogLinePerRequest(t *testing.T) {
	var logs bytes.Buffer
	s := newBareServer(t, &logs)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/regions-typo?phone=13812345678", nil)
	req.Header.Set("Authorization", "Bearer supersecrettoken")
	s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	line := logs.String()
	for _, field := range []string{`"method":"GET"`, `"route":"unmatched"`, `"status":404`, `"duration_ms"`, `"request_id"`} {
		if !strings.Contains(line, field) {
			t.Errorf("access log lacks %s: %s", field, line)
		}
	}
	if strings.Contains(line, "13812345678") || strings.Contains(line, "supersecrettoken") {
		t.Fatalf("access log leaks the query or token: %s", line)
	}
}
