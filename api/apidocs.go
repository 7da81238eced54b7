package api

import (
	"embed"
	"mime"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"
)

// The API reference page: Redoc's standalone bundle (copied from
// web/node_modules/redoc by `make apidocs`, version pinned in
// web/package.json) rendering /api/v1/openapi.json. Nothing is loaded from
// another origin.
//
//go:embed apidocs/index.html apidocs/docs.js apidocs/docs.css apidocs/redoc.standalone.js apidocs/redoc.standalone.js.LICENSE.txt
var apiDocsFS embed.FS

// DocsContentSecurityPolicy is the policy of the /api/docs pages. Scripts
// stay 'self' as everywhere else; Redoc (styled-components) writes its styles
// into <style> elements and runs its search index in a blob: worker, so
// these pages alone allow inline styles and blob: workers.
const DocsContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (s *Server) apiDocs(c *gin.Context) {
	name := c.Param("file")
	if name == "" {
		name = "index.html"
	}
	b, err := apiDocsFS.ReadFile(path.Join("apidocs", path.Base(name)))
	if err != nil || name == "index.html" && c.Param("file") != "" {
		s.writeError(c, errNoRoute)
		return
	}
	c.Header("Content-Security-Policy", DocsContentSecurityPolicy)
	if name == "index.html" {
		c.Header("Cache-Control", "no-cache")
	} else {
		c.Header("Cache-Control", "public, max-age=3600")
	}
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "text/plain; charset=utf-8"
	}
	c.Data(http.StatusOK, ct, b)
}
