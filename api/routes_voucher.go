package api

import "github.com/gin-gonic/gin"

// voucherRoutes registers the voucher endpoints of the API contract.
func (s *Server) voucherRoutes(v1 *gin.RouterGroup) {}
