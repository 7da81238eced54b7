package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
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
