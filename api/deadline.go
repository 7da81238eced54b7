package api

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// documentContentRoute streams a stored document to staff; like uploads it
// may take longer than a JSON request.
const documentContentRoute = "/api/v1/staff/documents/:id/content"

// requestDeadline bounds every request's context, so a backend that hangs
// (a paused database or Redis) makes the handler's call fail with the
// context's deadline, which storage maps to model.ErrUnavailable: the
// client gets 503 within the limit instead of waiting for TCP to give up.
// Uploads, document downloads and exports get the long limit; everything
// else the short one. A zero limit means none.
func (s *Server) requestDeadline() gin.HandlerFunc {
	return func(c *gin.Context) {
		limit := s.opts.RequestTimeout
		if s.isLongRequest(c) {
			limit = s.opts.LongRequestTimeout
		}
		if limit <= 0 {
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), limit)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// isLongRequest reports whether the matched route moves a file: a document
// upload or download, or an .xlsx/.csv export.
func (s *Server) isLongRequest(c *gin.Context) bool {
	if s.isUpload(c) || (c.Request.Method == http.MethodGet && c.FullPath() == documentContentRoute) {
		return true
	}
	p := c.Request.URL.Path
	return strings.HasSuffix(p, ".xlsx") || strings.HasSuffix(p, ".csv")
}
