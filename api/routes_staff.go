package api

import (
	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
)

// staffRoutes registers the staff endpoints of the API contract (login,
// account administration, TOTP, the review queue, the approval chain,
// objections, standards and the audit trail) and the public 公示 endpoints.
// Every staff route names its permission through s.allow, except the
// actions route, whose permission depends on the action and is checked by
// the workflow against model.Transitions. Staff responses carry personal
// data and are marked no-store.
func (s *Server) staffRoutes(v1 *gin.RouterGroup) {
	pub := v1.Group("/public")
	pub.GET("/notices", s.handle(s.listPublicNotices))
	pub.POST("/notices/:id/objections", s.handle(s.createObjection))

	v1.POST("/staff/sessions", noStore(), s.handle(s.createStaffSession))

	st := v1.Group("/staff", noStore(), s.authenticate(model.PrincipalStaff))
	st.DELETE("/sessions/current", s.handle(s.deleteStaffSession))
	st.GET("/me", s.handle(s.staffMe))
	st.POST("/me/totp", s.handle(s.beginTOTP))
	st.POST("/me/totp/confirm", s.handle(s.confirmTOTP))

	st.GET("/accounts", s.allow(model.ActStaffManage), s.handle(s.listStaff))
	st.POST("/accounts", s.allow(model.ActStaffManage), s.idempotent(), s.handle(s.createStaff))
	st.POST("/accounts/:id/disable", s.allow(model.ActStaffManage), s.handle(staffAccountAction(s.app.Staff.Disable)))
	st.POST("/accounts/:id/enable", s.allow(model.ActStaffManage), s.handle(staffAccountAction(s.app.Staff.Enable)))
	st.POST("/accounts/:id/unlock", s.allow(model.ActStaffManage), s.handle(staffAccountAction(s.app.Staff.Unlock)))
	st.POST("/accounts/:id/password", s.allow(model.ActStaffManage), s.handle(s.resetStaffPassword))
	st.POST("/grants/:id/confirm", s.allow(model.ActStaffManage), s.handle(staffAccountAction(s.app.Staff.ConfirmGrant)))
	st.DELETE("/accounts/:id/totp", s.allow(model.ActStaffManage), s.handle(s.resetStaffTOTP))
	st.PUT("/roles/:role/settings", s.allow(model.ActStaffManage), s.handle(s.putRoleSettings))

	st.GET("/applications", s.allow(model.ActApplicationsRead), s.handle(s.staffQueue))
	st.GET("/applications/:id", s.allow(model.ActApplicationsRead), s.handle(s.staffApplication))
	st.PUT("/applications/:id/assessment", s.allow(model.ActApplicationsAssess), s.handle(s.putAssessment))
	st.POST("/applications/:id/actions", s.handle(s.applicationAction))
	st.GET("/documents/:id/content", s.allow(model.ActDocumentsRead), s.handle(s.staffDocumentContent))
	st.POST("/documents/:id/review", s.allow(model.ActDocumentsReview), s.handle(s.reviewDocument))
	st.POST(staffUploadRoute[len("/api/v1/staff"):], s.allow(model.ActDocumentsUpload), s.handle(s.staffUploadDocument))

	st.GET("/objections", s.allow(model.ActObjectionsRead), s.handle(s.listObjections))
	st.POST("/objections/:id/resolve", s.allow(model.ActObjectionsResolve), s.handle(s.resolveObjection))

	st.PUT("/standards", s.allow(model.ActStandardsSet), s.handle(s.putStandard))
	st.GET("/policy-figures", s.allow(model.ActPolicyRead), s.handle(s.getPolicyFigures))
	st.PUT("/policy-figures", s.allow(model.ActPolicySet), s.handle(s.putPolicyFigures))
	st.GET("/applications/:id/service-records", s.allow(model.ActApplicationsRead), s.handle(s.listServiceRecords))
	st.POST("/applications/:id/service-records", s.allow(model.ActServiceRecordsWrite), s.handle(s.addServiceRecord))
	st.GET("/duplicate-hits", s.allow(model.ActDuplicateHitsRead), s.handle(s.listDuplicateHits))
	st.GET("/audit", s.allow(model.ActAuditRead), s.handle(s.listAudit))

	st.PUT("/calendar", s.allow(model.ActCalendarSet), s.handle(s.putCalendar))
	st.GET("/overdue", s.allow(model.ActDeadlinesRead), s.handle(s.listOverdue))
	st.GET("/deadline-reminders", s.allow(model.ActDeadlinesRead), s.handle(s.listDeadlineReminders))
	st.POST("/applications/:id/extend", s.allow(model.ActApplicationExtend), s.handle(s.extendApplication))
	st.POST("/applications/:id/checks", s.allow(model.ActChecksRun), s.handle(s.runChecks))
	st.POST("/assisted-applications", s.allow(model.ActApplicationsAssist), s.idempotent(), s.handle(s.createAssistedApplication))
	st.PUT("/me/relatives", s.allow(model.ActRelativesDeclare), s.handle(s.putRelatives))
	st.GET("/relatives", s.allow(model.ActRelativesRead), s.handle(s.listDeclarations))
	st.POST("/duplicate-hits/:id/resolve", s.allow(model.ActDuplicateHitsResolve), s.handle(s.resolveDuplicateHit))
	st.POST("/spot-checks", s.allow(model.ActSpotChecksDraw), s.handle(s.drawSpotChecks))
	st.GET("/spot-checks", s.allow(model.ActSpotChecksRead), s.handle(s.listSpotChecks))
	st.POST("/spot-checks/:id/outcome", s.allow(model.ActSpotChecksDraw), s.handle(s.decideSpotCheck))
	st.POST("/applications/:id/review-meetings", s.allow(model.ActReviewMeetingsRecord), s.handle(s.recordReviewMeeting))
	st.GET("/stats", s.allow(model.ActStatsRead), s.handle(s.stats))
}
