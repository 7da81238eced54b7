package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

type smsCodeRequest struct {
	Phone string `json:"phone"`
}

// requestSMSCode sends a login code: 202, or 422 / 429.
func (s *Server) requestSMSCode(c *gin.Context) error {
	var req smsCodeRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sent, err := s.app.Residents.RequestCode(c.Request.Context(), req.Phone)
	if err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, sent)
	return nil
}

type residentLoginRequest struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// createResidentSession logs a resident in with phone and code: 201.
func (s *Server) createResidentSession(c *gin.Context) error {
	var req residentLoginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	login, err := s.app.Residents.Login(c.Request.Context(), req.Phone, req.Code)
	if err != nil {
		return err
	}
	if wantsCookie(c) {
		setSessionCookie(c, login.Token, login.ExpiresAt)
	}
	c.JSON(http.StatusCreated, login)
	return nil
}

// deleteCurrentSession ends the session of the bearer token or the portal's
// session cookie (a resident's or a staff member's): 204, or 401 when the
// token is already dead. The cookie is cleared either way.
func (s *Server) deleteCurrentSession(c *gin.Context) error {
	token, err := sessionToken(c)
	if err != nil {
		return err
	}
	clearSessionCookie(c)
	if token == "" {
		return errNoToken
	}
	ctx := c.Request.Context()
	if _, err := s.app.Sessions.Load(ctx, token); err != nil {
		return err
	}
	if err := s.app.Sessions.Revoke(ctx, token); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// listMySessions lists the caller's live sessions.
func (s *Server) listMySessions(c *gin.Context) error {
	p := principal(c)
	list, err := s.app.Sessions.List(c.Request.Context(), p.Kind, p.ID, p.SessionID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": list})
	return nil
}

// deleteMySession revokes one of the caller's sessions: 204, 404 when it is
// not theirs or gone.
func (s *Server) deleteMySession(c *gin.Context) error {
	p := principal(c)
	if err := s.app.Sessions.RevokeByID(c.Request.Context(), p.Kind, p.ID, c.Param("id")); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}
