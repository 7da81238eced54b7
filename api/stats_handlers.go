package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/service"
)

// stats answers GET /api/v1/staff/stats: coverage, the centralized-support
// rate against its target and money per program of a region and year.
func (s *Server) stats(c *gin.Context) error {
	r, err := s.app.Stats.Report(c.Request.Context(), service.StatsInput{RegionCode: c.Query("region_code"), Year: c.Query("year")})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, r)
	return nil
}
