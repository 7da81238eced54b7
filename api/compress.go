package api

import (
	"compress/gzip"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// minCompressBytes is the smallest declared body worth compressing: below
// it gzip's own 20-odd bytes and the CPU are not paid back.
const minCompressBytes = 1024

// compressResponses gzips text responses — the portal's scripts, styles
// and pages, and JSON — for clients that accept it: a phone on a weak
// network gets the portal's first load at about a third of its size.
// Binary bodies (photos, PDFs, spreadsheets, QR images), ranges, HEAD and
// bodies declared shorter than minCompressBytes pass through unchanged.
func compressResponses() gin.HandlerFunc {
	pool := &sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression) // the level is valid: no error
		return w
	}}
	return func(c *gin.Context) {
		r := c.Request
		if r.Method == http.MethodHead || r.Header.Get("Range") != "" || !acceptsGzip(r.Header.Get("Accept-Encoding")) {
			c.Next()
			return
		}
		orig := c.Writer
		gw := &gzipWriter{ResponseWriter: orig, pool: pool}
		c.Writer = gw
		defer func() {
			gw.close()
			c.Writer = orig
		}()
		c.Header("Vary", "Accept-Encoding")
		c.Next()
	}
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if name = strings.TrimSpace(name); !strings.EqualFold(name, "gzip") && name != "*" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		return q > 0
	}
	return false
}

// compressible reports whether a response of this Content-Type gains from
// gzip.
func compressible(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.TrimSpace(strings.ToLower(ct))
	switch {
	case strings.HasPrefix(ct, "text/"):
		return true
	case ct == "application/json", ct == "application/javascript", ct == "application/problem+json",
		ct == "image/svg+xml", ct == "application/manifest+json", ct == "application/xml":
		return true
	}
	return false
}

// gzipWriter decides at the first body byte whether to compress: by then
// the handler has set the Content-Type and any Content-Encoding.
type gzipWriter struct {
	gin.ResponseWriter
	pool    *sync.Pool
	gz      *gzip.Writer
	decided bool
}

func (w *gzipWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	status := w.Status()
	if h.Get("Content-Encoding") != "" || !compressible(h.Get("Content-Type")) ||
		status < 200 || status == http.StatusNoContent || status == http.StatusNotModified || status == http.StatusPartialContent {
		return
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n < minCompressBytes {
		return
	}
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	gz := w.pool.Get().(*gzip.Writer)
	gz.Reset(w.ResponseWriter)
	w.gz = gz
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	w.decide()
	if w.gz == nil {
		return w.ResponseWriter.Write(b)
	}
	return w.gz.Write(b)
}

func (w *gzipWriter) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}

// Flush sends what is compressed so far (streamed responses).
func (w *gzipWriter) Flush() {
	if w.gz != nil {
		_ = w.gz.Flush() // a failed flush shows up on the next write
	}
	w.ResponseWriter.Flush()
}

// close ends the gzip stream and returns the compressor to the pool.
func (w *gzipWriter) close() {
	if w.gz == nil {
		return
	}
	_ = w.gz.Close() // the client went away: nothing left to tell it
	w.gz.Reset(nil)
	w.pool.Put(w.gz)
	w.gz = nil
}
