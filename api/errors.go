package api

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
)

// errorBody is the error model of the API contract.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// statusOf is the one map from error kinds to HTTP statuses.
func statusOf(kind model.Kind) int {
	switch kind {
	case model.KindMalformed:
		return http.StatusBadRequest
	case model.KindUnauthenticated:
		return http.StatusUnauthorized
	case model.KindForbidden:
		return http.StatusForbidden
	case model.KindNotFound:
		return http.StatusNotFound
	case model.KindMethod:
		return http.StatusMethodNotAllowed
	case model.KindConflict:
		return http.StatusConflict
	case model.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case model.KindUnsupported:
		return http.StatusUnsupportedMediaType
	case model.KindInvalid:
		return http.StatusUnprocessableEntity
	case model.KindRateLimited:
		return http.StatusTooManyRequests
	case model.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError renders err as the API's error body. Internal errors get a
// generic body; their detail goes to the log with the request id.
func (s *Server) writeError(c *gin.Context, err error) {
	var me *model.Error
	if !errors.As(err, &me) {
		me = &model.Error{Kind: model.KindInternal}
	}
	status := statusOf(me.Kind)
	body := errorDetail{Code: me.Code}
	if body.Code == "" {
		body.Code = string(me.Kind)
	}
	body.Message, body.Fields = s.messages.localize(me)
	if status >= 500 {
		level := slog.LevelError
		if status == http.StatusServiceUnavailable {
			level = slog.LevelWarn
		}
		s.log.Log(c.Request.Context(), level, "request failed", "request_id", requestID(c), "route", c.FullPath(), "error", err.Error())
		if status == http.StatusInternalServerError {
			body = errorDetail{Code: "internal", Message: s.messages.codes["internal"] + "（请求编号 " + requestID(c) + "）"}
		}
	}
	if me.Kind == model.KindRateLimited {
		secs := int(math.Ceil(me.RetryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		c.Header("Retry-After", strconv.Itoa(secs))
	}
	c.AbortWithStatusJSON(status, errorBody{Error: body})
}

// handle adapts a handler that returns an error to Gin, so every handler's
// errors go through writeError.
func (s *Server) handle(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := fn(c); err != nil {
			s.writeError(c, err)
		}
	}
}
