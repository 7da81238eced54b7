package api

import "github.com/gin-gonic/gin"

// residentRoutes registers the resident endpoints of the API contract.
func (s *Server) residentRoutes(v1 *gin.RouterGroup) {}
