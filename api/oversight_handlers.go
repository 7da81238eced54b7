package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

func (s *Server) putCalendar(c *gin.Context) error {
	var req model.CalendarInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.SetCalendar(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) listOverdue(c *gin.Context) error {
	out, err := s.app.Workflow.Overdue(c.Request.Context(), c.Query("region_code"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

func (s *Server) listDeadlineReminders(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	out, err := s.app.Workflow.Reminders(c.Request.Context(), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) extendApplication(c *gin.Context) error {
	var req struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.Extend(c.Request.Context(), c.Param("id"), req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) resolveDuplicateHit(c *gin.Context) error {
	var req service.ResolveHitInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	h, err := s.app.Workflow.ResolveHit(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

func (s *Server) putRelatives(c *gin.Context) error {
	var req struct {
		Relatives []service.RelativeInput `json:"relatives"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.Workflow.SetRelatives(c.Request.Context(), req.Relatives)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"relatives": out})
	return nil
}

func (s *Server) listDeclarations(c *gin.Context) error {
	out, err := s.app.Workflow.Declarations(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": out})
	return nil
}

func (s *Server) createAssistedApplication(c *gin.Context) error {
	var req service.AssistedInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.Assisted.Apply(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, out)
	return nil
}

func (s *Server) runChecks(c *gin.Context) error {
	out, err := s.app.Workflow.RunChecks(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"items": out})
	return nil
}

func (s *Server) drawSpotChecks(c *gin.Context) error {
	var req service.SpotCheckInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.DrawSpotChecks(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) listSpotChecks(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	out, err := s.app.Workflow.SpotChecks(c.Request.Context(), c.Query("period"), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (s *Server) decideSpotCheck(c *gin.Context) error {
	var req service.SpotCheckOutcome
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.DecideSpotCheck(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) recordReviewMeeting(c *gin.Context) error {
	var req service.ReviewMeetingInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Workflow.RecordReviewMeeting(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}
