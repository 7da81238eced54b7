package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

func (s *Server) createStaffSession(c *gin.Context) error {
	var req service.StaffLogin
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sess, err := s.app.Staff.Login(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, sess)
	return nil
}

func (s *Server) deleteStaffSession(c *gin.Context) error {
	if err := s.app.Staff.Logout(c.Request.Context(), bearer(c)); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (s *Server) staffMe(c *gin.Context) error {
	v, err := s.app.Staff.Me(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) beginTOTP(c *gin.Context) error {
	en, err := s.app.Staff.BeginTOTP(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, en)
	return nil
}

func (s *Server) confirmTOTP(c *gin.Context) error {
	var req struct {
		Code string `json:"code"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Staff.ConfirmTOTP(c.Request.Context(), req.Code)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) listStaff(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	out, err := s.app.Staff.List(c.Request.Context(), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) createStaff(c *gin.Context) error {
	var req service.NewStaff
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, grant, err := s.app.Staff.Create(c.Request.Context(), req)
	return writeAccountChange(c, http.StatusCreated, v, grant, err)
}

// writeAccountChange answers an account change: 202 with the pending grant
// when a second admin must confirm it, status with the account otherwise.
func writeAccountChange(c *gin.Context, status int, v service.StaffView, grant *service.PendingGrant, err error) error {
	if err != nil {
		return err
	}
	if grant != nil {
		c.JSON(http.StatusAccepted, gin.H{"grant": grant})
		return nil
	}
	c.JSON(status, v)
	return nil
}

// staffAccountAction is a handler for an admin action on the account named
// by the :id parameter that answers 200 with the account (disable, enable,
// unlock).
func staffAccountAction(act func(ctx context.Context, id string) (service.StaffView, error)) func(c *gin.Context) error {
	return func(c *gin.Context) error {
		v, err := act(c.Request.Context(), c.Param("id"))
		if err != nil {
			return err
		}
		c.JSON(http.StatusOK, v)
		return nil
	}
}

func (s *Server) resetStaffPassword(c *gin.Context) error {
	var req struct {
		Password string `json:"password"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, grant, err := s.app.Staff.ResetPassword(c.Request.Context(), c.Param("id"), req.Password)
	return writeAccountChange(c, http.StatusOK, v, grant, err)
}

func (s *Server) resetStaffTOTP(c *gin.Context) error {
	v, err := s.app.Staff.ResetTOTP(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) putRoleSettings(c *gin.Context) error {
	var req service.RoleSettings
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	req.Role = model.Role(c.Param("role"))
	v, err := s.app.Staff.SetRoleSettings(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) staffQueue(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	reviewDue, err := boolQuery(c, "review_due")
	if err != nil {
		return err
	}
	changed, err := boolQuery(c, "changed")
	if err != nil {
		return err
	}
	q := service.QueueQuery{Status: model.Status(c.Query("status")), Program: model.ProgramCode(c.Query("program")), RegionCode: c.Query("region_code"), ReviewDue: reviewDue, Changed: changed}
	out, err := s.app.Workflow.Queue(c.Request.Context(), q, page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) staffApplication(c *gin.Context) error {
	reveal, err := boolQuery(c, "reveal")
	if err != nil {
		return err
	}
	v, err := s.app.Workflow.Detail(c.Request.Context(), c.Param("id"), reveal)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// boolQuery reads an optional true/false query parameter (422 otherwise).
func boolQuery(c *gin.Context, name string) (bool, error) {
	v := c.Query(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, model.Invalid(name, "true or false")
	}
	return b, nil
}

// staffDocumentContent streams a document (decrypted as it goes) as an
// attachment that browsers must not sniff or render inline; there is no
// redirect to the blob store.
func (s *Server) staffDocumentContent(c *gin.Context) error {
	rc, doc, err := s.app.Documents.StaffContent(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	defer rc.Close()
	sendDocument(c, rc, doc)
	return nil
}

func (s *Server) reviewDocument(c *gin.Context) error {
	var req struct {
		Decision string `json:"decision"`
		Reason   string `json:"reason"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	d, err := s.app.Workflow.Review(c.Request.Context(), c.Param("id"), req.Decision, req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, d)
	return nil
}

func (s *Server) putAssessment(c *gin.Context) error {
	var req service.AssessmentInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.Assess(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) applicationAction(c *gin.Context) error {
	var req struct {
		Action string `json:"action"`
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.Act(c.Request.Context(), c.Param("id"), model.Step(req.Action), req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) listObjections(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	q := service.ObjectionQuery{Status: c.Query("status"), ApplicationID: c.Query("application_id")}
	out, err := s.app.Notices.Objections(c.Request.Context(), q, page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) resolveObjection(c *gin.Context) error {
	var req service.Resolution
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Notices.Resolve(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) putStandard(c *gin.Context) error {
	var req service.StandardInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	req.DryRun = c.Query("dry_run") == "true"
	v, err := s.app.Workflow.SetStandard(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) getPolicyFigures(c *gin.Context) error {
	v, err := s.app.Workflow.PolicyFigures(c.Request.Context(), c.Query("region_code"), c.Query("year"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) putPolicyFigures(c *gin.Context) error {
	var req service.PolicyFiguresInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.SetPolicyFigures(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) listServiceRecords(c *gin.Context) error {
	v, err := s.app.Workflow.ServiceRecords(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) addServiceRecord(c *gin.Context) error {
	var req service.ServiceRecordInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.AddServiceRecord(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) listDuplicateHits(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	out, err := s.app.Workflow.DuplicateHits(c.Request.Context(), c.Query("region_code"), c.Query("status"), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) listAudit(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	q := service.AuditQuery{RegionCode: c.Query("region_code"), ActorID: c.Query("actor_id"), Action: c.Query("action"),
		TargetType: c.Query("target_type"), TargetID: c.Query("target_id")}
	out, err := s.app.Workflow.AuditLog(c.Request.Context(), q, page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) listPublicNotices(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	out, err := s.app.Notices.Public(c.Request.Context(), c.Query("region_code"), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) createObjection(c *gin.Context) error {
	var req service.ObjectionInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	r, err := s.app.Notices.Object(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, r)
	return nil
}
