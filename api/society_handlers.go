package api

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// societyRoutes registers society's part: the bureau's donors, stations,
// donations and allocations (/staff/society), the station's own donations
// and receipts (/staff/station), the donor's trace and the public totals
// (/public/donations).
func (s *Server) societyRoutes(v1 *gin.RouterGroup) {
	pub := v1.Group("/public/donations")
	pub.GET("", s.handle(s.publicDonations))
	pub.POST("/trace", noStore(), s.handle(s.traceDonation))
	pub.GET("/receipt.css", s.receiptCSS)

	st := v1.Group("/staff/society", noStore(), s.authenticate(model.PrincipalStaff))
	st.GET("/donors", s.allow(model.ActSocietyManage), s.handle(s.listDonors))
	st.POST("/donors", s.allow(model.ActSocietyManage), s.idempotent(), s.handle(s.createDonor))
	st.GET("/stations", s.allow(model.ActSocietyManage), s.handle(s.listStations))
	st.POST("/stations", s.allow(model.ActSocietyManage), s.idempotent(), s.handle(s.createStation))
	st.GET("/donations", s.allow(model.ActDonationsRead), s.handle(s.listDonations))
	st.GET("/donations/:id", s.allow(model.ActDonationsRead), s.handle(s.getDonation))
	st.POST("/donations/:id/allocations", s.allow(model.ActDonationsAllocate), s.idempotent(), s.handle(s.allocateDonation))

	sn := v1.Group("/staff/station", noStore(), s.authenticate(model.PrincipalStaff), s.allow(model.ActStationDonations))
	sn.GET("/me", s.handle(s.myStation))
	sn.GET("/donors", s.handle(s.findDonors))
	sn.GET("/donations", s.handle(s.listStationDonations))
	sn.POST("/donations", s.idempotent(), s.handle(s.recordDonation))
	sn.GET("/donations/:id/receipt", s.handle(s.donationReceipt))
}

func (s *Server) publicDonations(c *gin.Context) error {
	year, err := yearQuery(c)
	if err != nil {
		return err
	}
	v, err := s.app.Society.Public(c.Request.Context(), c.Query("region_code"), year)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) traceDonation(c *gin.Context) error {
	var req service.TraceInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.Trace(c.Request.Context(), req, c.ClientIP())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) listDonors(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	p, err := s.app.Society.Donors(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

func (s *Server) createDonor(c *gin.Context) error {
	var req service.DonorInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.RegisterDonor(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) listStations(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	p, err := s.app.Society.Stations(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

func (s *Server) createStation(c *gin.Context) error {
	var req service.StationInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.CreateStation(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) listDonations(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	p, err := s.app.Society.Donations(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

func (s *Server) getDonation(c *gin.Context) error {
	v, err := s.app.Society.Donation(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) allocateDonation(c *gin.Context) error {
	var req service.AllocationInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.Allocate(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) myStation(c *gin.Context) error {
	v, err := s.app.Society.MyStation(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) findDonors(c *gin.Context) error {
	items, err := s.app.Society.FindDonors(c.Request.Context(), c.Query("phone"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
	return nil
}

func (s *Server) listStationDonations(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	p, err := s.app.Society.StationDonations(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, p)
	return nil
}

func (s *Server) recordDonation(c *gin.Context) error {
	var req service.DonationInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Society.RecordDonation(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

// receiptStyle is the receipt's print CSS: A5 by default, wider print
// (A4) gets a wider column. The page links it (the site's policy allows no
// inline style), so the receipt also prints styled when the station's
// portal shows it in a frame of its own origin; the page runs no script.
const receiptStyle = `
@page { size: A5; margin: 10mm; }
@media print and (min-width: 180mm) { body { max-width: 180mm; font-size: 12pt; } }
body { font-family: "SimSun", "Songti SC", serif; font-size: 11pt; color: #000; max-width: 128mm; margin: 0 auto; }
header { text-align: center; border-bottom: 2px solid #b00; margin-bottom: 4mm; }
header .bureau { font-size: 15pt; color: #b00; letter-spacing: 2pt; }
h1 { font-size: 14pt; text-align: center; margin: 3mm 0; }
table { width: 100%; border-collapse: collapse; margin-top: 3mm; }
th, td { border: 1px solid #000; padding: 1.5mm 2mm; text-align: left; }
th { width: 30%; font-weight: normal; }
.code { font-family: monospace; font-size: 13pt; letter-spacing: 1pt; }
.trace { border: 1px dashed #000; padding: 2mm; margin-top: 4mm; font-size: 10pt; }
footer { margin-top: 5mm; font-size: 9pt; }
.seal { margin-top: 8mm; text-align: right; }
`

// receiptPage is the printable receipt of a donation (捐赠收据).
var receiptPage = template.Must(template.New("receipt").Funcs(template.FuncMap{
	"yuan": fenToYuan,
	"date": func(t time.Time) string { return t.In(chinaTime).Format("2006年01月02日 15:04") },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>社会捐赠收据 {{.R.ReceiptNumber}}</title>
<link rel="stylesheet" href="/api/v1/public/donations/receipt.css">
</head>
<body>
<header><div class="bureau">{{.Bureau}}</div></header>
<h1>社会捐赠收据</h1>
<table>
<tr><th>收据编号</th><td id="receipt-number">{{.R.ReceiptNumber}}</td></tr>
<tr><th>捐赠方</th><td>{{.R.DonorName}}</td></tr>
{{if eq .R.Kind "money"}}<tr><th>捐赠金额</th><td id="amount">人民币 {{yuan .R.Amount}} 元</td></tr>
{{else}}<tr><th>捐赠物品</th><td id="goods">{{.R.Description}} {{.R.Quantity}} {{.R.Unit}}</td></tr>
<tr><th>估价</th><td>人民币 {{yuan .R.EstimatedValue}} 元</td></tr>{{end}}
<tr><th>接收站点</th><td>{{.R.StationName}}（{{.R.RegionName}}）</td></tr>
<tr><th>接收时间</th><td>{{date .R.ReceivedAt}}</td></tr>
{{if .R.Note}}<tr><th>备注</th><td>{{.R.Note}}</td></tr>{{end}}
</table>
<div class="trace">
<p>查询码：<span class="code" id="trace-code">{{.R.TraceCode}}</span></p>
<p>请妥善保管本收据。凭收据编号和查询码，可在“救助通”网站的“捐赠去向查询”页面查看您的捐赠用在了哪个救助项目、哪个地区、哪个月份。查询码请勿告诉他人。</p>
</div>
<p class="seal">经办站点（盖章）：{{.R.StationName}}</p>
<footer><p>感谢您对社会救助事业的支持！</p></footer>
</body>
</html>
`))

// receiptCSS serves the receipt's stylesheet (public: it holds no data).
func (s *Server) receiptCSS(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(http.StatusOK, "text/css; charset=utf-8", []byte(receiptStyle))
}

func (s *Server) donationReceipt(c *gin.Context) error {
	r, err := s.app.Society.Receipt(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = receiptPage.Execute(&buf, map[string]any{"Bureau": s.app.Settings().BureauName, "R": r})
	if err != nil {
		return fmt.Errorf("render receipt: %w", err)
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}
