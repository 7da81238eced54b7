// Package api is Jiuzhu's HTTP layer on Gin: routes, middleware, handlers and
// the one map from model errors to HTTP statuses. Handlers bind, call one
// service method and render; rules live in service and model.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/jiuzhu/jiuzhu/service"
)

// Options tune the HTTP layer.
type Options struct {
	MaxJSONBytes   int64
	MaxUploadBytes int64
	TrustedProxies []string
	Dev            bool
	// MetricsToken, when set, lets /metrics on the app port answer a
	// request with "Authorization: Bearer <MetricsToken>"; without it
	// /metrics on the app port is 404 (see MetricsHandler).
	MetricsToken string
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
	s := &Server{app: app, log: log, opts: opts, metrics: m, gather: reg, spec: spec}
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, err
	}
	e.Use(requestIDs(), securityHeaders(), accessLog(log), s.recovery(), m.middleware(), requestMeta(), s.limitBody(opts.MaxJSONBytes))
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
	v1.GET("/regions", s.handle(s.listRegions))
	v1.GET("/schools", s.handle(s.listSchools))
	v1.GET("/dev/outbox", s.handle(s.devOutbox))
	s.residentRoutes(v1)
	s.staffRoutes(v1)
	s.voucherRoutes(v1)
}

// readyz answers 200 when the database, session store and blob store answer,
// and 503 naming the failed ones otherwise.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	failed := []string{}
	for _, r := range s.app.ReadinessChecks() {
		if err := r.Check(ctx); err != nil {
			checks[r.Name] = "failed"
			failed = append(failed, r.Name)
			s.log.Warn("readiness check failed", "check", r.Name, "error", err.Error())
			continue
		}
		checks[r.Name] = "ok"
	}
	if len(failed) > 0 {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "failed": failed, "checks": checks})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "checks": checks})
}
