package api

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	pathpkg "path"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/jiuzhu/jiuzhu/model"
)

const ctxRequestID = "jiuzhu.request_id"

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID returns the request's id (set by the requestIDs middleware).
func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// requestIDs takes a well-formed X-Request-Id from the client or makes one,
// and echoes it in the response.
func requestIDs() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-Id")
		if !requestIDPattern.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Header("X-Request-Id", id)
		c.Next()
	}
}

// accessLog writes one JSON line per request: method, route (the pattern,
// never the raw path, which may hold codes), status, duration and request id.
// Query strings, headers and bodies are never logged.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeLabel(c.FullPath(), c.Request.URL.Path)
		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", c.Writer.Status()),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("request_id", requestID(c)),
		}
		if sc := trace.SpanContextFromContext(c.Request.Context()); sc.HasTraceID() {
			attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
		}
		log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request", attrs...)
	}
}

// recovery turns a panic into the generic 500 body and logs the stack.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "request_id", requestID(c), "route", c.FullPath(), "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				s.writeError(c, fmt.Errorf("panic: %v", r))
			}
		}()
		c.Next()
	}
}

// Metrics are the Prometheus collectors of the HTTP layer.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the HTTP collectors on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jiuzhu_http_requests_total", Help: "HTTP requests by route, method and status.",
		}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "jiuzhu_http_request_duration_seconds", Help: "HTTP request latency by route, method and status.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "status"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeLabel(c.FullPath(), c.Request.URL.Path)
		status := strconv.Itoa(c.Writer.Status())
		m.requests.WithLabelValues(route, c.Request.Method, status).Inc()
		m.latency.WithLabelValues(route, c.Request.Method, status).Observe(time.Since(start).Seconds())
	}
}

// routeLabel is the metrics label of a request: its route, with the
// rendering suffix (.html, .xlsx, .json, .png) when a route ending in a
// parameter serves several renderings (/publications/:id and
// /publications/:id.xlsx), so JSON, HTML and Excel requests count apart.
func routeLabel(route, path string) string {
	if route == "" {
		return "unmatched"
	}
	last := route[strings.LastIndex(route, "/")+1:]
	if strings.HasPrefix(last, ":") {
		switch ext := pathpkg.Ext(path); ext {
		case ".html", ".xlsx", ".json", ".png", ".csv", ".pdf":
			return route + ext
		}
	}
	return route
}

// rawBodyKey holds a request's uncapped body for the one route that may
// read more than the JSON limit (document uploads, which set their own cap).
const rawBodyKey = "jiuzhu.raw_body"

// limitBody caps every request body at max, whatever its declared type: a
// declared length over it is refused before a byte is read, and the body is
// cut off while it streams. The upload handler opts out with uncappedBody and
// sets its own, larger cap.
func (s *Server) limitBody(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil && c.Request.Body != http.NoBody {
			c.Set(rawBodyKey, c.Request.Body)
			if c.Request.ContentLength > max && !s.isUpload(c) {
				c.Header("Connection", "close")
				s.writeError(c, model.NewError(model.KindTooLarge, "body_too_large", "the request body is over %d bytes", max))
				return
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		}
		c.Next()
	}
}

// isUpload reports whether the matched route takes a multipart upload.
func (s *Server) isUpload(c *gin.Context) bool {
	return c.Request.Method == http.MethodPost && (c.FullPath() == uploadRoute || c.FullPath() == staffUploadRoute)
}

// uncappedBody returns the request body without the JSON cap, for a handler
// that caps it itself; only the upload routes may call it.
func uncappedBody(c *gin.Context) io.ReadCloser {
	if raw, ok := c.Get(rawBodyKey); ok {
		return raw.(io.ReadCloser)
	}
	return c.Request.Body
}

// securityHeaders sets headers every response should carry.
// ContentSecurityPolicy is sent with every response. The portal keeps its
// session token in sessionStorage, so no script but the portal's own files
// may run: no inline script, no eval, no other origin, and no framing.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		c.Next()
	}
}

// noStore marks responses that carry personal data as never cacheable.
func noStore() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		c.Next()
	}
}

var errNoMetrics = model.NewError(model.KindNotFound, "route_not_found", "no such route")

// protectedMetrics serves /metrics on the app port only to a caller with
// the metrics token; without a configured token it is not there (404).
func (s *Server) protectedMetrics() gin.HandlerFunc {
	h := gin.WrapH(s.MetricsHandler())
	want := sha256.Sum256([]byte("Bearer " + s.opts.MetricsToken))
	return func(c *gin.Context) {
		if s.opts.MetricsToken == "" {
			s.writeError(c, errNoMetrics)
			return
		}
		got := sha256.Sum256([]byte(c.GetHeader("Authorization")))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			s.writeError(c, model.NewError(model.KindUnauthenticated, "metrics_token_required", "send Authorization: Bearer <JIUZHU_METRICS_TOKEN>"))
			return
		}
		h(c)
	}
}
