package api

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/gin-gonic/gin"
)

// minCompressBytes is the smallest declared body worth compressing: below
// it the encoders' own bytes and the CPU are not paid back.
const minCompressBytes = 1024

// jsonBrotliLevel is the brotli level of responses compressed as they are
// sent (JSON, the OpenAPI document, /api/docs): a fast level, a little
// smaller than gzip's default for about its CPU. The portal's files are not
// compressed here: the build wrote their best-quality .br and .gz copies
// (api/static.go sends them).
const jsonBrotliLevel = 4

// Content codings the server sends, in its order of preference at equal
// quality.
const (
	encBrotli = "br"
	encGzip   = "gzip"
)

// negotiateEncoding picks the content coding for an Accept-Encoding header
// among offers (in the server's order of preference): the one with the
// highest quality, the server's order breaking ties; "" means identity
// (no header, nothing acceptable offered, or only q=0). "*" stands for
// any coding the header does not name.
func negotiateEncoding(header string, offers ...string) string {
	if header == "" {
		return ""
	}
	named := map[string]float64{}
	star := -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				f = 0 // a malformed weight accepts nothing rather than guessing
			}
			q = f
		}
		if name == "*" {
			star = q
			continue
		}
		if name == "x-gzip" {
			name = encGzip
		}
		if old, seen := named[name]; !seen || q > old {
			named[name] = q
		}
	}
	best, bestQ := "", 0.0
	for _, o := range offers {
		q, ok := named[o]
		if !ok {
			q = star
		}
		if q > bestQ {
			best, bestQ = o, q
		}
	}
	return best
}

// encoder is what gzip.Writer and brotli.Writer have in common.
type encoder interface {
	io.WriteCloser
	Flush() error
	Reset(io.Writer)
}

// compressResponses compresses text responses made as they are sent —
// JSON above all — with brotli or gzip as the client's Accept-Encoding
// prefers, and says so in Vary. Binary bodies (photos, PDFs,
// spreadsheets, QR images), ranges, HEAD, bodies declared shorter than
// minCompressBytes and responses that already carry a Content-Encoding
// (the portal's precompressed files) pass through unchanged, so nothing
// is compressed twice.
func compressResponses() gin.HandlerFunc {
	pools := map[string]*sync.Pool{
		encBrotli: {New: func() any { return brotli.NewWriterLevel(nil, jsonBrotliLevel) }},
		encGzip: {New: func() any {
			w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression) // the level is valid: no error
			return w
		}},
	}
	return func(c *gin.Context) {
		r := c.Request
		if r.Method == http.MethodHead || r.Header.Get("Range") != "" {
			c.Next()
			return
		}
		enc := negotiateEncoding(r.Header.Get("Accept-Encoding"), encBrotli, encGzip)
		addVary(c.Writer.Header(), "Accept-Encoding")
		if enc == "" {
			c.Next()
			return
		}
		orig := c.Writer
		cw := &compressWriter{ResponseWriter: orig, pool: pools[enc], encoding: enc}
		c.Writer = cw
		defer func() {
			cw.close()
			c.Writer = orig
		}()
		c.Next()
	}
}

// addVary adds a field name to Vary once.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}

// compressible reports whether a response of this Content-Type gains from
// compression.
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

// compressWriter decides at the first body byte whether to compress: by
// then the handler has set the Content-Type and any Content-Encoding.
type compressWriter struct {
	gin.ResponseWriter
	pool     *sync.Pool
	encoding string
	enc      encoder
	decided  bool
}

func (w *compressWriter) decide() {
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
	h.Set("Content-Encoding", w.encoding)
	// The compressed bytes are another representation: a strong validator
	// of the plain body no longer names them byte for byte.
	if et := h.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		h.Set("ETag", "W/"+et)
	}
	e := w.pool.Get().(encoder)
	e.Reset(w.ResponseWriter)
	w.enc = e
}

func (w *compressWriter) Write(b []byte) (int, error) {
	w.decide()
	if w.enc == nil {
		return w.ResponseWriter.Write(b)
	}
	return w.enc.Write(b)
}

func (w *compressWriter) WriteString(s string) (int, error) {
	return w.Write([]byte(s))
}

// Flush sends what is compressed so far (streamed responses).
func (w *compressWriter) Flush() {
	if w.enc != nil {
		_ = w.enc.Flush() // a failed flush shows up on the next write
	}
	w.ResponseWriter.Flush()
}

// close ends the compressed stream and returns the encoder to its pool.
func (w *compressWriter) close() {
	if w.enc == nil {
		return
	}
	_ = w.enc.Close() // the client went away: nothing left to tell it
	w.enc.Reset(nil)
	w.pool.Put(w.enc)
	w.enc = nil
}
