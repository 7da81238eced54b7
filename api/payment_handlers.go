package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// paymentRoutes registers the payment rolls (staff) and the public fund
// totals.
func (s *Server) paymentRoutes(v1 *gin.RouterGroup) {
	v1.GET("/public/funds", s.handle(s.publicFunds))
	st := v1.Group("/staff", noStore(), s.authenticate(model.PrincipalStaff))
	st.GET("/payment-rolls", s.allow(model.ActPaymentRollsRead), s.handle(s.listPaymentRolls))
	st.POST("/payment-rolls", s.allow(model.ActPaymentRollsCreate), s.idempotent(), s.handle(s.createPaymentRoll))
	// The same route serves /{id}.csv, the bank's batch file (its own
	// permission, checked by the service).
	st.GET("/payment-rolls/:id", s.allow(model.ActPaymentRollsRead), s.handle(s.getPaymentRoll))
	st.POST("/payment-rolls/:id/actions", s.allow(model.ActPaymentRollsApprove), s.handle(s.paymentRollAction))
	st.POST("/payment-rolls/:id/results", s.allow(model.ActPaymentResultsRecord), s.handle(s.paymentRollResults))
	st.PUT("/fund-budgets", s.allow(model.ActFundBudgetSet), s.handle(s.putFundBudget))
	st.GET("/fund-ledger", s.allow(model.ActFundLedgerRead), s.handle(s.fundLedger))
	st.GET("/roll-reminders", s.allow(model.ActPaymentRollsRead), s.handle(s.listRollReminders))
}

func (s *Server) putFundBudget(c *gin.Context) error {
	var req service.BudgetInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Payments.SetBudget(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) fundLedger(c *gin.Context) error {
	year, err := yearQuery(c)
	if err != nil {
		return err
	}
	items, err := s.app.Payments.Ledger(c.Request.Context(), c.Query("region_code"), year)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
	return nil
}

// yearQuery reads ?year= (0 when absent).
func yearQuery(c *gin.Context) (int, error) {
	y := c.Query("year")
	if y == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(y)
	if err != nil {
		return 0, model.Invalid("year", "请填写年份，如 2026")
	}
	return v, nil
}

func (s *Server) listPaymentRolls(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	page, err := s.app.Payments.Rolls(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, page)
	return nil
}

func (s *Server) createPaymentRoll(c *gin.Context) error {
	var req service.RollInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Payments.CreateRoll(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) getPaymentRoll(c *gin.Context) error {
	id := c.Param("id")
	if strings.HasSuffix(id, ".csv") {
		id = strings.TrimSuffix(id, ".csv")
		// The file is written as it is read; errors before the first byte
		// still render as JSON because the service checks everything first.
		c.Header("Content-Type", "text/csv; charset="+csvCharset(s.app.Settings().BankCSVEncoding))
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="payment-roll-%s.csv"`, id))
		return s.app.Payments.ExportCSV(c.Request.Context(), id, &lazyWriter{c: c})
	}
	v, err := s.app.Payments.Roll(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// csvCharset is the HTTP charset name of the bank file's encoding.
func csvCharset(enc string) string {
	if enc == "utf8-bom" {
		return "utf-8"
	}
	return "gbk"
}

// lazyWriter writes the 200 status only with the first byte, so an error
// found before any output is still rendered as the JSON error.
type lazyWriter struct {
	c       *gin.Context
	started bool
}

func (w *lazyWriter) Write(p []byte) (int, error) {
	if !w.started {
		w.started = true
		w.c.Status(http.StatusOK)
	}
	return w.c.Writer.Write(p)
}

func (s *Server) paymentRollAction(c *gin.Context) error {
	var req struct {
		Action string `json:"action"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	if req.Action != "approve" {
		return model.Invalid("action", "approve")
	}
	v, err := s.app.Payments.Approve(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) paymentRollResults(c *gin.Context) error {
	var req struct {
		Results []service.LineResult `json:"results"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Payments.RecordResults(c.Request.Context(), c.Param("id"), req.Results)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) publicFunds(c *gin.Context) error {
	year, err := yearQuery(c)
	if err != nil {
		return err
	}
	items, err := s.app.Payments.Funds(c.Request.Context(), c.Query("region_code"), year)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, gin.H{"items": items})
	return nil
}

func (s *Server) listRollReminders(c *gin.Context) error {
	page, err := pageRequest(c)
	if err != nil {
		return err
	}
	out, err := s.app.Payments.RollReminders(c.Request.Context(), page)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}
