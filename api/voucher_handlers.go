package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

func (s *Server) myVouchers(c *gin.Context) error {
	vs, err := s.app.Vouchers.Mine(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": vs})
	return nil
}

// myVoucherQR renders the QR image of one of the resident's voucher codes;
// another resident's code is a 404.
func (s *Server) myVoucherQR(c *gin.Context) error {
	v, err := s.app.Vouchers.MineByCode(c.Request.Context(), c.Param("code"))
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(v.Code, qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Data(http.StatusOK, "image/png", png)
	return nil
}

func (s *Server) previewVoucher(c *gin.Context) error {
	return s.preview(c, c.Param("code"))
}

type redeemRequest struct {
	Code  string           `json:"code"`
	Items map[string]int64 `json:"items"`
}

func (s *Server) redeemVoucher(c *gin.Context) error {
	var req redeemRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	return s.redeem(c, c.Param("code"), req.Items)
}

var errNoVoucherCode = model.Invalid("code", "请填写教育券券码")

// voucherCodeOf returns the code of a body-form request: the X-Voucher-Code
// header, else the body's code (codes stay out of URLs and access logs).
func voucherCodeOf(c *gin.Context, body string) (string, error) {
	if h := c.GetHeader("X-Voucher-Code"); h != "" {
		return h, nil
	}
	if body == "" {
		return "", errNoVoucherCode
	}
	return body, nil
}

// previewVoucherBody is the preview with the code in the body or header.
func (s *Server) previewVoucherBody(c *gin.Context) error {
	var req struct {
		Code string `json:"code"`
	}
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			return err
		}
	}
	code, err := voucherCodeOf(c, req.Code)
	if err != nil {
		return err
	}
	return s.preview(c, code)
}

// redeemVoucherBody is the redemption with the code in the body or header.
func (s *Server) redeemVoucherBody(c *gin.Context) error {
	var req redeemRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	code, err := voucherCodeOf(c, req.Code)
	if err != nil {
		return err
	}
	return s.redeem(c, code, req.Items)
}

func (s *Server) preview(c *gin.Context, code string) error {
	v, err := s.app.Vouchers.Preview(c.Request.Context(), code)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) redeem(c *gin.Context, code string, items map[string]int64) error {
	res, err := s.app.Vouchers.Redeem(c.Request.Context(), code, items)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, res)
	return nil
}

func (s *Server) setVoucherCaps(c *gin.Context) error {
	var req service.CapsInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	out, err := s.app.Vouchers.SetCaps(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) voidVoucher(c *gin.Context) error {
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Vouchers.Void(c.Request.Context(), c.Param("code"), req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) reissueVoucher(c *gin.Context) error {
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Vouchers.Reissue(c.Request.Context(), c.Param("code"), req.Reason)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) schoolStatement(c *gin.Context) error {
	st, err := s.app.Statements.School(c.Request.Context(), c.Query("term"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

func (s *Server) schoolStatementXLSX(c *gin.Context) error {
	st, err := s.app.Statements.SchoolExport(c.Request.Context(), c.Query("term"))
	if err != nil {
		return err
	}
	return s.sendXLSX(c, "statement-"+st.SchoolID+"-"+st.Term+".xlsx", schoolStatementSheet(s.app.Settings().BureauName, st))
}

func (s *Server) regionStatement(c *gin.Context) error {
	st, err := s.app.Statements.Region(c.Request.Context(), c.Query("term"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, st)
	return nil
}

func (s *Server) regionStatementXLSX(c *gin.Context) error {
	st, err := s.app.Statements.RegionExport(c.Request.Context(), c.Query("term"))
	if err != nil {
		return err
	}
	return s.sendXLSX(c, "reimbursement-"+st.RegionCode+"-"+st.Term+".xlsx", regionStatementSheet(s.app.Settings().BureauName, st))
}

func (s *Server) medicalList(c *gin.Context) error {
	l, err := s.app.Statements.MedicalList(c.Request.Context(), service.MedicalListInput{
		RegionCode: c.Query("region_code"), Year: c.Query("year"), Reveal: c.Query("reveal") == "true"})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, l)
	return nil
}

// medicalListXLSX is the file for the county's finance office: full names
// and ID numbers, so every export is on the audit trail.
func (s *Server) medicalListXLSX(c *gin.Context) error {
	l, err := s.app.Statements.MedicalList(c.Request.Context(), service.MedicalListInput{
		RegionCode: c.Query("region_code"), Year: c.Query("year"), Reveal: true})
	if err != nil {
		return err
	}
	return s.sendXLSX(c, "medical-"+l.RegionCode+"-"+itoa(l.Year)+".xlsx", medicalListSheet(s.app.Settings().BureauName, l))
}
