package api

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/web"
)

var (
	errNoRoute  = model.NewError(model.KindNotFound, "route_not_found", "no such endpoint")
	errNoMethod = &model.Error{Kind: model.KindMethod, Code: "method_not_allowed", Message: "this endpoint does not take that method"}
)

func (s *Server) listRegions(c *gin.Context) error {
	rs, err := s.app.Directory.Regions(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": rs})
	return nil
}

func (s *Server) listSchools(c *gin.Context) error {
	ss, err := s.app.Directory.Schools(c.Request.Context(), c.Query("region_code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": ss})
	return nil
}

// devOutbox lists the dev outbox; outside dev mode the endpoint does not exist.
func (s *Server) devOutbox(c *gin.Context) error {
	ob := s.app.Outbox()
	if !s.opts.Dev || ob == nil {
		return errNoRoute
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"items": ob.List(c.Query("phone"))})
	return nil
}

// portal serves the embedded H5 portal for GET requests outside /api/ and
// the ops endpoints, falling back to index.html for client-side routes;
// everything else, and a missing file under assets/, is the API's 404.
// Hashed assets are cached for a year, index.html is revalidated.
func (s *Server) portal() gin.HandlerFunc {
	files := web.Dist()
	fileServer := http.FileServer(http.FS(files))
	return s.handle(func(c *gin.Context) error {
		p := c.Request.URL.Path
		if (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) || strings.HasPrefix(p, "/api/") {
			return errNoRoute
		}
		name := strings.TrimPrefix(path.Clean(p), "/")
		if name == "" {
			name = "index.html"
		}
		if _, err := fs.Stat(files, name); err != nil {
			if strings.HasPrefix(name, "assets/") {
				// A missing hashed asset (an old build) is a 404, not the page.
				return errNoRoute
			}
			c.Request.URL.Path = "/"
			name = "index.html"
		}
		if strings.HasPrefix(name, "assets/") {
			// Vite puts a content hash in every asset name.
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			// index.html names the current assets: always revalidate it.
			c.Header("Cache-Control", "no-cache")
		}
		c.Status(http.StatusOK)
		fileServer.ServeHTTP(c.Writer, c.Request)
		return nil
	})
}
