package api

import "github.com/gin-gonic/gin"

// staffRoutes registers the staff endpoints of the API contract.
func (s *Server) staffRoutes(v1 *gin.RouterGroup) {}
