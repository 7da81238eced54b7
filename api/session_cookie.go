package api

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
)

// The portal keeps a resident's session in a cookie, so a new WeChat page
// (a new webview, a link from a message) is still logged in; API clients
// keep sending Authorization: Bearer. The cookie is HttpOnly (no script
// reads it), Secure and SameSite=Lax, scoped to /api/.
const (
	sessionCookie = "jz_session"
	// portalHeader asks for the cookie at login and must accompany every
	// cookie-authenticated write: a cross-site form cannot set a custom
	// header, and a cross-site script cannot either without a CORS grant,
	// which this server never gives. That is the CSRF defence.
	portalHeader = "X-Jiuzhu-Portal"
)

var errCSRF = model.Forbidden("csrf_check_failed", "a cookie-authenticated write needs the X-Jiuzhu-Portal header and a same-origin Origin")

// setSessionCookie gives the portal its session cookie, expiring with the
// session.
func setSessionCookie(c *gin.Context, token string, expires time.Time) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/api/", Expires: expires,
		MaxAge: int(time.Until(expires).Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

// clearSessionCookie removes the session cookie (logout).
func clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/api/", MaxAge: -1, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
}

// wantsCookie reports whether the caller is the portal asking for a
// cookie session.
func wantsCookie(c *gin.Context) bool { return c.GetHeader(portalHeader) != "" }

// sessionToken returns the request's session token: the bearer token, or
// else the session cookie. A cookie-authenticated write must pass the
// CSRF check (errCSRF otherwise); an empty token means no session.
func sessionToken(c *gin.Context) (string, error) {
	if token := bearer(c); token != "" {
		return token, nil
	}
	ck, err := c.Cookie(sessionCookie)
	if err != nil || ck == "" {
		return "", nil
	}
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return ck, nil
	}
	if !wantsCookie(c) || !sameOrigin(c.Request) {
		return "", errCSRF
	}
	return ck, nil
}

// sameOrigin reports whether the request's Origin (when the browser sent
// one) names this host.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}
