package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// bufferedWriter captures a response so it can be stored for replay.
type bufferedWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *bufferedWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *bufferedWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// idempotent makes a JSON write replayable with an Idempotency-Key header:
// the same key and body return the first response; the same key with a
// different body is a 422. It runs after authentication, so keys are scoped
// to the caller. Without the header the request runs as usual.
func (s *Server) idempotent() gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			c.Next()
			return
		}
		// Only JSON writes are replayable: refuse another declared type
		// before reading a byte of the body.
		if ct := c.ContentType(); ct != "" && ct != "application/json" {
			s.writeError(c, model.NewError(model.KindUnsupported, "unsupported_media_type", "send the body as application/json"))
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			s.writeError(c, jsonError(err))
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		p := principal(c)
		scope := p.Kind + ":" + p.ID
		h := sha256.New()
		h.Write([]byte(c.Request.Method + " " + c.Request.URL.Path + "\n"))
		h.Write(body)
		fp := hex.EncodeToString(h.Sum(nil))
		ctx := c.Request.Context()
		prev, err := s.app.Idempotency.Begin(ctx, scope, key, fp)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if prev != nil {
			c.Header("Idempotent-Replayed", "true")
			c.Data(prev.Status, prev.ContentType, prev.Body)
			c.Abort()
			return
		}
		w := &bufferedWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		status := w.Status()
		if status == 0 {
			status = http.StatusOK
		}
		resp := service.StoredResponse{Status: status, ContentType: w.Header().Get("Content-Type"), Body: w.buf.Bytes()}
		if err := s.app.Idempotency.Finish(ctx, scope, key, fp, resp); err != nil {
			s.log.Warn("idempotency record not stored", "request_id", requestID(c), "error", err.Error())
		}
	}
}
