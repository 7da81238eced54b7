package api

import (
	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
)

// residentRoutes registers the resident endpoints of the API contract: SMS
// login, sessions, the household, applications with their documents, and
// messages; and the public program catalog. Everything behind a resident
// session carries personal data and is marked no-store.
// uploadRoute and staffUploadRoute are the routes whose body may exceed the
// JSON limit (document uploads, capped by uploadForm).
const (
	uploadRoute      = "/api/v1/applications/:id/documents"
	staffUploadRoute = "/api/v1/staff/applications/:id/documents"
)

func (s *Server) residentRoutes(v1 *gin.RouterGroup) {
	v1.GET("/programs", s.handle(s.listPrograms))
	v1.GET("/guide", s.handle(s.getGuide))

	auth := v1.Group("/auth", noStore())
	auth.POST("/sms-codes", s.handle(s.requestSMSCode))
	auth.POST("/sessions", s.handle(s.createResidentSession))
	auth.DELETE("/sessions/current", s.handle(s.deleteCurrentSession))
	s.wechatRoutes(v1)

	me := v1.Group("", noStore(), s.authenticate(model.PrincipalResident))
	me.GET("/me/sessions", s.handle(s.listMySessions))
	me.DELETE("/me/sessions/:id", s.handle(s.deleteMySession))
	me.GET("/me/household", s.handle(s.getHousehold))
	me.PUT("/me/household", s.handle(s.putHousehold))
	me.GET("/me/messages", s.handle(s.listMessages))
	me.POST("/me/messages/read", s.handle(s.markMessagesRead))

	me.POST("/applications", s.idempotent(), s.handle(s.createApplication))
	me.GET("/applications", s.handle(s.listApplications))
	me.GET("/applications/:id", s.handle(s.getApplication))
	me.POST("/applications/:id/submit", s.idempotent(), s.handle(s.submitApplication))
	me.POST("/applications/:id/withdraw", s.handle(s.withdrawApplication))
	me.POST(uploadRoute[len("/api/v1"):], s.handle(s.uploadDocument))
	me.GET("/applications/:id/documents/:doc_id", s.handle(s.getDocument))
	me.DELETE("/applications/:id/documents/:doc_id", s.handle(s.deleteDocument))
	me.GET("/applications/:id/documents/:doc_id/content", s.handle(s.downloadDocument))
}
