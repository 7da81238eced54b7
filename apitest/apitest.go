// Package apitest runs Jiuzhu's real router over real backends for HTTP
// tests: "embedded" (SQLite file, in-process KV, local disk) always, and
// "real" (MariaDB, Redis, S3 from the JIUZHU_TEST_* variables) when they are
// set — required under CI=true. Every request and response a test makes
// through Env.Do is validated against the OpenAPI document.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"go.opentelemetry.io/otel/trace"

	"github.com/jiuzhu/jiuzhu/api"
	"github.com/jiuzhu/jiuzhu/app"
	"github.com/jiuzhu/jiuzhu/config"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

// Clock is a settable clock for tests; it starts at the real time.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// Env is one running application over one backend set.
type Env struct {
	T        testing.TB
	Backend  string
	Config   config.Config
	Clock    *Clock
	App      *service.App
	Server   *api.Server
	Backends *app.Backends
	Logs     *SafeBuffer
	Handler  http.Handler
	router   routers.Router
	// IP is the client address requests come from (RemoteAddr).
	IP string
}

// SafeBuffer is a bytes.Buffer safe for concurrent writers (the log).
type SafeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *SafeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written.
func (b *SafeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Backends lists the backend sets to run: "embedded" always, "real" when
// the JIUZHU_TEST_* variables are set or CI=true (where missing ones fail).
func Backends() []string {
	if os.Getenv("CI") == "true" || os.Getenv("JIUZHU_TEST_MYSQL_DSN") != "" {
		return []string{"embedded", "real"}
	}
	return []string{"embedded"}
}

// Run runs fn once per backend set as a subtest with a fresh Env.
func Run(t *testing.T, fn func(t *testing.T, env *Env), opts ...Option) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b, func(t *testing.T) {
			fn(t, New(t, b, opts...))
		})
	}
}

// Option adjusts the configuration (and injected sources) of an Env
// before it starts.
type Option func(*Setup)

// Setup is what Options adjust: the configuration and what app.Build gets
// injected.
type Setup struct {
	Config config.Config
	App    app.Options
}

// WithHasher injects the staff password hasher (to observe hashing).
func WithHasher(h service.PasswordHasher) Option {
	return func(s *Setup) { s.App.Hasher = h }
}

// WithTracerProvider traces the application with tp (an in-memory
// recorder in tests).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(s *Setup) { s.App.TracerProvider = tp }
}

// WithEnv sets configuration as the JIUZHU_* variable name would.
func WithEnv(name, value string) Option {
	return WithEnvs(map[string]string{name: value})
}

// WithEnvs sets several variables at once (for settings that are only
// valid together).
func WithEnvs(vals map[string]string) Option {
	return func(s *Setup) {
		n, err := config.Load("", func(k string) string {
			if v, ok := vals[k]; ok {
				return v
			}
			return envOf(s.Config)(k)
		})
		if err != nil {
			panic(fmt.Sprintf("apitest.WithEnvs %v: %v", vals, err))
		}
		s.Config = n
	}
}

// envOf turns the fields tests care about back into variables so WithEnv
// can re-load over them.
func envOf(c config.Config) func(string) string {
	m := map[string]string{
		"JIUZHU_DATA_DIR": c.DataDir, "JIUZHU_DB_DRIVER": c.DBDriver, "JIUZHU_DB_DSN": c.DBDSN,
		"JIUZHU_REDIS_ADDR": c.RedisAddr, "JIUZHU_REDIS_PREFIX": c.RedisPrefix,
		"JIUZHU_S3_ENDPOINT": c.S3Endpoint, "JIUZHU_S3_ACCESS_KEY": c.S3AccessKey, "JIUZHU_S3_SECRET_KEY": c.S3SecretKey,
		"JIUZHU_S3_BUCKET": c.S3Bucket, "JIUZHU_SECRET_KEY": c.SecretKey, "JIUZHU_DEV": fmt.Sprint(c.IsDev()),
		"JIUZHU_WORKFLOW_PUBLICITY_PERIOD":     c.PublicityPeriod.String(),
		"JIUZHU_MAX_UPLOAD_BYTES":              fmt.Sprint(c.MaxUploadBytes),
		"JIUZHU_SMS_WEBHOOK_URL":               c.SMSWebhookURL,
		"JIUZHU_SMS_WEBHOOK_SECRET":            c.SMSWebhookSecret,
		"JIUZHU_STAFF_LOGIN_PER_IP_PER_MINUTE": fmt.Sprint(c.StaffLoginPerIPPerMinute),
		"JIUZHU_STAFF_LOGIN_PER_MINUTE":        fmt.Sprint(c.StaffLoginPerMinute),
		"JIUZHU_STAFF_LOGIN_MAX_HASHES":        fmt.Sprint(c.StaffLoginMaxHashes),
		"JIUZHU_STAFF_LOGIN_HASH_WAIT":         c.StaffLoginHashWait.String(),
		"JIUZHU_METRICS_ADDR":                  c.MetricsAddr,
		"JIUZHU_METRICS_TOKEN":                 c.MetricsToken,
		"JIUZHU_WECHAT_APP_ID":                 c.WeChatAppID,
		"JIUZHU_WECHAT_SECRET":                 c.WeChatSecret,
		"JIUZHU_WECHAT_PUBLIC_URL":             c.WeChatPublicURL,
		"JIUZHU_WECHAT_TEMPLATE_ID":            c.WeChatTemplateID,
		"JIUZHU_WECHAT_OAUTH_URL":              c.WeChatOAuthURL,
		"JIUZHU_WECHAT_API_URL":                c.WeChatAPIURL,
	}
	return func(k string) string { return m[k] }
}

const testSecret = "0123456789abcdef-test-key-material-7Q9x"

// New starts an application over the named backend set with demo data.
func New(t testing.TB, backend string, opts ...Option) *Env {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"JIUZHU_DATA_DIR":   dir,
		"JIUZHU_DEV":        "true",
		"JIUZHU_SECRET_KEY": testSecret,
	}
	switch backend {
	case "embedded":
	case "real":
		s3 := storagetest.S3(t)
		vars["JIUZHU_DB_DRIVER"] = "mysql"
		vars["JIUZHU_DB_DSN"] = storagetest.FreshMySQL(t)
		vars["JIUZHU_REDIS_ADDR"] = storagetest.RedisAddr(t)
		vars["JIUZHU_REDIS_PREFIX"] = storagetest.RandomName("jzt") + ":"
		vars["JIUZHU_S3_ENDPOINT"] = s3.Endpoint
		vars["JIUZHU_S3_ACCESS_KEY"] = s3.AccessKey
		vars["JIUZHU_S3_SECRET_KEY"] = s3.SecretKey
		vars["JIUZHU_S3_BUCKET"] = storagetest.RandomName("jzt-")
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	cfg, err := config.Load("", func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	setup := Setup{Config: cfg}
	for _, o := range opts {
		o(&setup)
	}
	cfg = setup.Config
	ctx := context.Background()
	b, err := app.OpenBackends(ctx, cfg)
	if err != nil {
		t.Fatalf("open backends (%s): %v", backend, err)
	}
	t.Cleanup(func() { _ = b.Close() })
	if _, err := b.DB.MigrateUp(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	clock := &Clock{now: time.Now().UTC()}
	logs := &SafeBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	setup.App.Clock = clock
	built, err := app.Build(cfg, b, log, setup.App)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if _, err := built.App.Seeder.Seed(ctx); err != nil {
		t.Fatalf("seed: %v", err)
	}
	spec, err := api.Spec()
	if err != nil {
		t.Fatalf("spec: %v", err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(spec)
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("spec router: %v", err)
	}
	env := &Env{T: t, Backend: backend, Config: cfg, Clock: clock, App: built.App, Server: built.Server,
		Backends: b, Logs: logs, Handler: built.Server.Handler(), router: router, IP: "192.0.2.10"}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log (%s):\n%s", backend, tail(logs.String(), 4000))
		}
	})
	return env
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

// Response is a recorded response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %q: %v", truncate(string(r.Body)), err)
	}
}

// Map decodes the body as a JSON object.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// ErrorCode returns error.code of an error body ("" when absent).
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500] + "…"
	}
	return s
}

// Request describes one call.
type Request struct {
	Method  string
	Path    string
	Token   string
	Body    any // marshalled as JSON unless it is []byte or io.Reader
	Header  map[string]string
	IP      string
	NoCheck bool // skip OpenAPI validation (for deliberately malformed requests)
}

// Do sends a request through the router and validates both request and
// response against the OpenAPI document.
func (e *Env) Do(r Request) *Response {
	e.T.Helper()
	var body io.Reader
	var raw []byte
	contentType := ""
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		raw = b
		body = bytes.NewReader(b)
		contentType = "application/json"
	case io.Reader:
		body = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode body: %v", err)
		}
		raw = j
		body = bytes.NewReader(j)
		contentType = "application/json"
	}
	req := httptest.NewRequest(r.Method, r.Path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	ip := r.IP
	if ip == "" {
		ip = e.IP
	}
	req.RemoteAddr = ip + ":40000"
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, req)
	resp := &Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
	if !r.NoCheck {
		e.validate(req, raw, resp)
	}
	return resp
}

// validate checks a request/response pair against the spec.
func (e *Env) validate(req *http.Request, body []byte, resp *Response) {
	e.T.Helper()
	if resp.Status == http.StatusNotFound && resp.Header.Get("Content-Type") != "" && strings.Contains(string(resp.Body), "route_not_found") {
		return
	}
	vreq := req.Clone(context.Background())
	if body != nil {
		vreq.Body = io.NopCloser(bytes.NewReader(body))
	}
	route, params, err := e.router.FindRoute(vreq)
	if err != nil {
		e.T.Errorf("%s %s: not in the OpenAPI document: %v", req.Method, req.URL.Path, err)
		return
	}
	multipartBody := strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/")
	in := &openapi3filter.RequestValidationInput{
		Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			ExcludeRequestBody: multipartBody || body == nil,
			MultiError:         true,
		},
	}
	// Requests the server rejected with 4xx may well break the schema on
	// purpose; only check the requests the server accepted.
	if resp.Status < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			e.T.Errorf("%s %s: request does not match the OpenAPI document: %v", req.Method, req.URL.Path, err)
		}
	}
	ct := resp.Header.Get("Content-Type")
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 resp.Status,
		Header:                 resp.Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			ExcludeResponseBody:   !strings.HasPrefix(ct, "application/json"),
			MultiError:            true,
		},
	}
	out.SetBodyBytes(resp.Body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		e.T.Errorf("%s %s → %d: response does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, resp.Status, err, truncate(string(resp.Body)))
	}
}

// Get is a GET with an optional token.
func (e *Env) Get(path, token string) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodGet, Path: path, Token: token})
}

// Post is a JSON POST with an optional token.
func (e *Env) Post(path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPost, Path: path, Token: token, Body: body})
}

// Put is a JSON PUT with an optional token.
func (e *Env) Put(path, token string, body any) *Response {
	e.T.Helper()
	return e.Do(Request{Method: http.MethodPut, Path: path, Token: token, Body: body})
}

// Multipart builds a multipart body with the given fields and one file part
// named "file"; it returns the body and its Content-Type.
func Multipart(t testing.TB, fields map[string]string, filename string, content []byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if filename != "" {
		fw, err := w.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(content); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, w.FormDataContentType()
}

// Want fails the test unless the response has the status.
func Want(t testing.TB, r *Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %s", r.Status, status, truncate(string(r.Body)))
	}
}

// Principal is a helper for tests that need to act as someone without the
// login flow (unit-style service tests). It creates a session directly.
func (e *Env) SessionFor(p model.Principal) string {
	e.T.Helper()
	s, err := e.App.Sessions.Create(context.Background(), p, time.Hour, 2*time.Hour)
	if err != nil {
		e.T.Fatalf("create session: %v", err)
	}
	return s.Token
}

// Concurrently runs fn(0) … fn(n-1) at the same moment (each waits for one
// start signal) and returns their responses in order.
func Concurrently(n int, fn func(i int) *Response) []*Response {
	out := make([]*Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			out[i] = fn(i)
		}(i)
	}
	close(start)
	wg.Wait()
	return out
}

// Statuses returns the status of each response.
func Statuses(rs []*Response) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		out[i] = r.Status
	}
	return out
}

// Instance wires a second application instance over the same configured
// backends (database, Redis prefix, blob store) with the same clock, as a
// second server process would be. The embedded set's memory KV is the
// instance's own; the real set shares Redis.
func (e *Env) Instance() *service.App {
	e.T.Helper()
	b, err := app.OpenBackends(context.Background(), e.Config)
	if err != nil {
		e.T.Fatalf("open second instance: %v", err)
	}
	e.T.Cleanup(func() { _ = b.Close() })
	built, err := app.Build(e.Config, b, slog.New(slog.DiscardHandler), app.Options{Clock: e.Clock})
	if err != nil {
		e.T.Fatalf("build second instance: %v", err)
	}
	return built.App
}
