package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/service"
)

// getHousehold shows the resident's household, masked.
func (s *Server) getHousehold(c *gin.Context) error {
	h, err := s.app.Households.Get(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

// putHousehold registers or replaces the resident's household.
func (s *Server) putHousehold(c *gin.Context) error {
	var req service.HouseholdInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	h, err := s.app.Households.Put(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, h)
	return nil
}

// listMessages lists the resident's status messages.
func (s *Server) listMessages(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := s.app.Applications.Messages(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

// markMessagesRead marks messages read up to the one the phone last showed.
func (s *Server) markMessagesRead(c *gin.Context) error {
	var body struct {
		UpTo string `json:"up_to"`
	}
	if err := bindJSON(c, &body); err != nil {
		return err
	}
	unread, err := s.app.Applications.MarkMessagesRead(c.Request.Context(), body.UpTo)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"unread": unread})
	return nil
}

// listPrograms is the public program catalog.
// getGuide tells anyone, without a login, whom to call, the procedure's
// time limits and the appeal rights (the portal's 办事指南).
func (s *Server) getGuide(c *gin.Context) error {
	c.JSON(http.StatusOK, s.opts.Guide)
	return nil
}

func (s *Server) listPrograms(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"items": s.app.Applications.Programs()})
	return nil
}
