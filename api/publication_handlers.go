package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/service"
)

func (s *Server) listPublications(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := s.app.Publications.List(c.Request.Context(), c.Query("region_code"), req)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, page)
	return nil
}

// getPublication serves one publication as JSON, as the printable HTML page
// (/{id}.html) or as the Excel file (/{id}.xlsx).
func (s *Server) getPublication(c *gin.Context) error {
	id := c.Param("id")
	ctx := c.Request.Context()
	c.Header("Cache-Control", "public, max-age=60")
	switch {
	case strings.HasSuffix(id, ".xlsx"):
		sum, err := s.app.Publications.Summary(ctx, strings.TrimSuffix(id, ".xlsx"))
		if err != nil {
			return err
		}
		sheet, err := s.publicationSheet(c, sum)
		if err != nil {
			return err
		}
		return s.sendXLSX(c, "publication-"+sum.Number+".xlsx", sheet)
	case strings.HasSuffix(id, ".html"):
		view, err := s.app.Publications.Get(ctx, strings.TrimSuffix(id, ".html"))
		if err != nil {
			return err
		}
		return s.renderPublicationHTML(c, view)
	}
	view, err := s.app.Publications.Get(ctx, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, view)
	return nil
}

func (s *Server) createPublication(c *gin.Context) error {
	var req service.PublicationInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	view, err := s.app.Publications.Create(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, view)
	return nil
}

func (s *Server) withdrawPublication(c *gin.Context) error {
	var req service.WithdrawInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	sum, err := s.app.Publications.Withdraw(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, sum)
	return nil
}
