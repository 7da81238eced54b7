// Package api is Jiuzhu's HTTP layer on Gin: routes, middleware, handlers and
// the one map from model errors to HTTP statuses. Handlers bind, call one
// service method and render; rules live in service and model.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// Options tune the HTTP layer.
type Options struct {
	MaxJSONBytes   int64
	MaxUploadBytes int64
	TrustedProxies []string
	Dev            bool
	// Guide is what GET /api/v1/guide tells residents before they start:
	// the help line, the procedure's time limits and the appeal rights.
	Guide model.Guide
	// MetricsToken, when set, lets /metrics on the app port answer a
	// request with "Authorization: Bearer <MetricsToken>"; without it
	// /metrics on the app port is 404 (see MetricsHandler).
	MetricsToken string
	// RequestTimeout bounds a JSON request; LongRequestTimeout an upload,
	// a document download or an export. Zero means no limit.
	RequestTimeout     time.Duration
	LongRequestTimeout time.Duration
	// TracerProvider, when set, traces every request (otelgin, W3C
	// traceparent in and out) and puts the trace id in the access log.
	TracerProvider trace.TracerProvider
}

// Server is the HTTP application.
type Server struct {
	app     *service.App
	log     *slog.Logger
	opts    Options
	metrics *Metrics
	gather  prometheus.Gatherer
	spec    []byte
	engine  *gin.Engine
	// messages is the Chinese message catalogue writeError applies.
	messages messages
}

// New builds the router. reg receives the HTTP metrics and is what /metrics
// serves.
func New(app *service.App, log *slog.Logger, reg *prometheus.Registry, opts Options) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	spec, err := Spec()
	if err != nil {
		return nil, err
	}
	m, err := NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	s := &Server{app: app, log: log, opts: opts, metrics: m, gather: reg, spec: spec, messages: newMessages()}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, err
	}
	e.Use(requestIDs())
	if opts.TracerProvider != nil {
		// Before the access log, so its line carries the request's trace id.
		e.Use(otelgin.Middleware("jiuzhu", otelgin.WithTracerProvider(opts.TracerProvider), otelgin.WithPropagators(propagation.TraceContext{})))
	}
	e.Use(securityHeaders(), accessLog(log), s.recovery(), m.middleware(), compressResponses(), requestMeta(), s.requestDeadline(), s.limitBody(opts.MaxJSONBytes))
	e.NoRoute(s.portal())
	e.NoMethod(s.handle(func(c *gin.Context) error { return errNoMethod }))
	s.engine = e
	s.routes(e)
	return s, nil
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.engine }

// MetricsHandler serves the Prometheus metrics without authentication, for
// the separate listener of JIUZHU_METRICS_ADDR (a port not exposed to the
// public).
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.gather, promhttp.HandlerOpts{})
}

// Routes lists the registered method and path pairs (for the spec test).
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// HTTPServer wraps the handler with timeouts suited to phones on slow links.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
}

func (s *Server) routes(e *gin.Engine) {
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.protectedMetrics())
	v1 := e.Group("/api/v1")
	v1.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", s.spec) })
	e.GET("/api/docs", s.apiDocs)
	e.GET("/api/docs/:file", s.apiDocs)
	v1.GET("/regions", s.handle(s.listRegions))
	v1.GET("/schools", s.handle(s.listSchools))
	v1.GET("/dev/outbox", s.handle(s.devOutbox))
	s.residentRoutes(v1)
	s.staffRoutes(v1)
	s.voucherRoutes(v1)
	s.paymentRoutes(v1)
	s.societyPeopleRoutes(v1)
	s.societyRoutes(v1)
	s.societyPairingRoutes(v1)
}

// readyCheckTimeout is each readiness check's own limit. The checks run in
// parallel, so /readyz answers within it even when several backends hang,
// and a hung one cannot make the others look failed.
const readyCheckTimeout = 2 * time.Second

// readyz answers 200 when the database, session store, blob store and local
// data disk answer, and 503 naming the failed ones otherwise.
func (s *Server) readyz(c *gin.Context) {
	checks := s.app.ReadinessChecks()
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, r := range checks {
		wg.Go(func() { errs[i] = checkWithin(c.Request.Context(), readyCheckTimeout, r.Check) })
	}
	wg.Wait()
	status := map[string]string{}
	failed := []string{}
	for i, r := range checks {
		if errs[i] != nil {
			status[r.Name] = "failed"
			failed = append(failed, r.Name)
			s.log.Warn("readiness check failed", "check", r.Name, "error", errs[i].Error())
			continue
		}
		status[r.Name] = "ok"
	}
	if len(failed) > 0 {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "failed": failed, "checks": status})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": status})
}

// checkWithin runs check with its own deadline and returns when the check
// does or when the deadline passes, whichever is first: a check stuck in a
// call that ignores its context (a file system that hangs) is abandoned
// rather than waited for.
func checkWithin(parent context.Context, limit time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, limit)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- check(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
