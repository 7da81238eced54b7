package api

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

var (
	errNoToken  = model.NewError(model.KindUnauthenticated, "unauthenticated", "log in first: send Authorization: Bearer <token>")
	errNotStaff = model.NewError(model.KindForbidden, "staff_only", "this endpoint is for staff accounts")
	errNotRes   = model.NewError(model.KindForbidden, "residents_only", "this endpoint is for residents")
)

// requestMeta puts the request id and client IP into the request context
// for the audit trail.
func requestMeta() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := model.WithRequestMeta(c.Request.Context(), model.RequestMeta{RequestID: requestID(c), ClientIP: c.ClientIP()})
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// bearer returns the token of the Authorization header.
func bearer(c *gin.Context) string {
	h := c.GetHeader("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// authenticate loads the session once per request and requires its kind
// (model.PrincipalResident or model.PrincipalStaff). The principal travels
// in the request context (model.PrincipalFrom).
func (s *Server) authenticate(kind string) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, err := sessionToken(c)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if token == "" {
			s.writeError(c, errNoToken)
			return
		}
		p, err := s.app.Sessions.Load(c.Request.Context(), token)
		if err != nil {
			s.writeError(c, err)
			return
		}
		if p.Kind != kind {
			if kind == model.PrincipalStaff {
				s.writeError(c, errNotStaff)
			} else {
				s.writeError(c, errNotRes)
			}
			return
		}
		c.Request = c.Request.WithContext(model.WithPrincipal(c.Request.Context(), p))
		c.Next()
	}
}

// principal returns the authenticated principal of the request.
func principal(c *gin.Context) model.Principal {
	p, _ := model.PrincipalFrom(c.Request.Context())
	return p
}

// allow requires the staff principal's role to hold action in
// model.Permissions (403 otherwise).
func (s *Server) allow(action model.Action) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := principal(c)
		// A stand-in (model.StandIns) passes here; the service admits it
		// only on a case with a declared conflict of interest.
		if !p.IsStaff() || (!model.Can(p.Role, action) && !model.CanStandIn(p.Role, action)) {
			// A denied staff request is itself worth auditing: probing for
			// what one may not do is what an auditor looks for.
			if p.IsStaff() {
				if err := s.app.Audit.RecordAlone(c.Request.Context(), service.Event{
					Action: string(action), TargetType: "route", TargetID: c.Request.Method + " " + c.FullPath(), Outcome: model.OutcomeDenied,
				}); err != nil {
					s.log.Warn("audit of a denial failed", "request_id", requestID(c), "error", err.Error())
				}
			}
			s.writeError(c, model.Forbidden("not_permitted", "your role may not do this (%s)", action))
			return
		}
		c.Next()
	}
}
