package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// WeChat login (网页授权) for residents inside WeChat, and their binding.
// The browser keeps two short-lived cookies scoped to the WeChat login's
// own paths: the nonce the state is bound to (CSRF: a callback carrying
// someone else's state fails in this browser) and, when the WeChat is not
// yet bound, the ticket that the SMS verification binds. Both are HttpOnly,
// Secure and SameSite=Lax (sent on WeChat's top-level redirect back).
const (
	wechatPath         = "/api/v1/auth/wechat"
	wechatNonceCookie  = "jz_wx_nonce"
	wechatTicketCookie = "jz_wx_ticket"
	wechatCallback     = wechatPath + "/callback"
)

func (s *Server) wechatRoutes(v1 *gin.RouterGroup) {
	wx := v1.Group("/auth/wechat", noStore())
	wx.GET("", s.handle(s.getWeChatLogin))
	wx.GET("/authorize", s.handle(s.startWeChatLogin))
	wx.GET("/callback", s.handle(s.finishWeChatLogin))
	wx.POST("/sessions", s.handle(s.bindWeChat))

	me := v1.Group("", noStore(), s.authenticate(model.PrincipalResident))
	me.GET("/auth/sessions/current", s.handle(s.getCurrentSession))
	me.GET("/me/wechat", s.handle(s.getWeChatBinding))
	me.DELETE("/me/wechat", s.handle(s.deleteWeChatBinding))
}

// getWeChatLogin says whether WeChat login is offered (the portal shows
// its button only then, and only inside WeChat).
func (s *Server) getWeChatLogin(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"enabled": s.app.WeChat.Enabled()})
	return nil
}

// startWeChatLogin sends the browser to WeChat's authorisation page: 302,
// or 404 wechat_disabled, 429.
func (s *Server) startWeChatLogin(c *gin.Context) error {
	origin := s.app.WeChat.PublicURL()
	if origin == "" {
		origin = requestOrigin(c.Request)
	}
	start, err := s.app.WeChat.Start(c.Request.Context(), origin+wechatCallback, c.Query("redirect"))
	if err != nil {
		return err
	}
	setWeChatCookie(c, wechatNonceCookie, start.Nonce)
	c.Redirect(http.StatusFound, start.URL)
	return nil
}

// finishWeChatLogin is where WeChat sends the browser back: a bound WeChat
// gets the session cookie and goes on to the portal; an unbound one gets
// the ticket cookie and goes to the login page to verify a phone. 403
// wechat_state_invalid for a state not started in this browser, used or
// expired; 401 wechat_code_invalid; 503 when WeChat does not answer.
func (s *Server) finishWeChatLogin(c *gin.Context) error {
	nonce, _ := c.Cookie(wechatNonceCookie)
	clearWeChatCookie(c, wechatNonceCookie)
	out, err := s.app.WeChat.Finish(c.Request.Context(), c.Query("state"), nonce, c.Query("code"))
	if err != nil {
		return err
	}
	q := url.Values{"redirect": {out.Redirect}}
	if out.Login != nil {
		setSessionCookie(c, out.Login.Token, out.Login.ExpiresAt)
		q.Set("wechat", "signed-in")
	} else {
		setWeChatCookie(c, wechatTicketCookie, out.Ticket)
		q.Set("wechat", "bind")
	}
	c.Redirect(http.StatusFound, "/login?"+q.Encode())
	return nil
}

// bindWeChat verifies the phone with its SMS code, binds the WeChat of
// the ticket cookie to that resident and logs them in: 201 as the SMS
// login. The portal's header and a same-origin Origin are required (403
// csrf_check_failed); no live ticket is 401 wechat_bind_expired.
func (s *Server) bindWeChat(c *gin.Context) error {
	if !wantsCookie(c) || !sameOrigin(c.Request) {
		return errCSRF
	}
	var req residentLoginRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	ticket, _ := c.Cookie(wechatTicketCookie)
	login, err := s.app.WeChat.Bind(c.Request.Context(), ticket, req.Phone, req.Code)
	if err != nil {
		return err
	}
	clearWeChatCookie(c, wechatTicketCookie)
	setSessionCookie(c, login.Token, login.ExpiresAt)
	c.JSON(http.StatusCreated, login)
	return nil
}

// getCurrentSession describes the caller's own session (the portal reads
// it after a WeChat login, which answers with a redirect and no body).
func (s *Server) getCurrentSession(c *gin.Context) error {
	me, err := s.app.Residents.Current(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, me)
	return nil
}

// getWeChatBinding shows whether the caller's WeChat is bound (never the
// openid).
func (s *Server) getWeChatBinding(c *gin.Context) error {
	v, err := s.app.WeChat.Binding(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// deleteWeChatBinding removes the caller's binding: 204, or 404
// wechat_not_bound.
func (s *Server) deleteWeChatBinding(c *gin.Context) error {
	if err := s.app.WeChat.Unbind(c.Request.Context()); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func setWeChatCookie(c *gin.Context, name, value string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: wechatPath + "/", MaxAge: int(service.WeChatStateTTL / time.Second),
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

func clearWeChatCookie(c *gin.Context, name string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: "", Path: wechatPath + "/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

// requestOrigin is the origin the request was made to (dev mode without
// JIUZHU_WECHAT_PUBLIC_URL only; production names its origin).
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
