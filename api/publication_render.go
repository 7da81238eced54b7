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

// chinaTime is the time zone dates are printed in (UTC+8, no DST).
var chinaTime = time.FixedZone("CST", 8*3600)

// fenToYuan prints fen as yuan with two decimals.
func fenToYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// publicationPage is the printable A4 page: the bureau's header, the list,
// the publication time and the content hash to check a printed sheet
// against the site.
var publicationPage = template.Must(template.New("publication").Funcs(template.FuncMap{
	"yuan": fenToYuan,
	"date": func(t time.Time) string { return t.In(chinaTime).Format("2006年01月02日 15:04") },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.View.RegionName}}{{.View.ProgramName}}名单公布 {{.View.Number}}</title>
<style>
@page { size: A4; margin: 15mm; }
body { font-family: "SimSun", "Songti SC", serif; font-size: 11pt; color: #000; max-width: 180mm; margin: 0 auto; }
header { text-align: center; border-bottom: 2px solid #b00; margin-bottom: 6mm; }
header .bureau { font-size: 18pt; color: #b00; letter-spacing: 2pt; }
h1 { font-size: 15pt; text-align: center; margin: 4mm 0; }
.meta, .hash { font-size: 9pt; }
.hash { word-break: break-all; font-family: monospace; }
table { width: 100%; border-collapse: collapse; margin-top: 4mm; }
th, td { border: 1px solid #000; padding: 1.5mm 2mm; text-align: center; }
td.num { text-align: right; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.withdrawn { border: 2px solid #b00; color: #b00; padding: 3mm; margin: 4mm 0; font-weight: bold; }
footer { margin-top: 6mm; font-size: 9pt; }
.sign { text-align: right; margin: 8mm 10mm 6mm 0; font-size: 11pt; line-height: 2; }
.sign .seal { min-height: 30mm; color: #666; }
</style>
</head>
<body>
<header><div class="bureau">{{.Bureau}}</div></header>
<h1>{{.View.RegionName}}{{.View.ProgramName}}救助对象名单公布（{{.View.Period}}）</h1>
<p class="meta">编号：<span id="number">{{.View.Number}}</span>　公布时间：{{date .View.PublishedAt}}　共 {{.View.EntryCount}} 户</p>
{{if eq .View.Status "withdrawn"}}<div class="withdrawn" id="withdrawn">本名单已于 {{with .View.WithdrawnAt}}{{date .}}{{end}} 撤回。撤回原因：{{with .View.WithdrawnReason}}{{.}}{{end}}</div>{{end}}
<table>
<thead><tr><th>序号</th><th>姓名</th><th>家庭人口</th><th>{{.View.AmountTitle}}（元）</th><th>社区（村）</th></tr></thead>
<tbody>
{{range $i, $e := .View.Entries}}<tr><td>{{$e.Position}}</td><td>{{$e.NameMasked}}</td><td>{{$e.HouseholdSize}}</td><td class="num">{{yuan $e.MonthlyAmount}}</td><td>{{index $.Regions $e.RegionCode}}</td></tr>
{{end}}</tbody>
</table>
<footer>
<p id="notice-period">公示期：自公布之日起 {{.Sign.NoticeDays}} 天。对名单有异议的，请在公示期内向所在街道（乡镇）或县（区）民政部门反映；监督电话：<span id="complaint-phone">{{.Sign.Phone}}</span>。</p>
<div class="sign" id="sign"><p>{{.Sign.Issuer}}</p><p class="seal">（盖章）</p><p>{{.Sign.Date}}</p></div>
<p class="hash">内容校验码 SHA-256：<span id="content-hash">{{.View.ContentHash}}</span></p>
</footer>
</body>
</html>
`))

// renderPublicationHTML renders the printable page of a publication.
func (s *Server) renderPublicationHTML(c *gin.Context, view service.PublicationView) error {
	regions, err := s.regionNames(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = publicationPage.Execute(&buf, map[string]any{
		"Bureau": s.app.Settings().BureauName, "View": view, "Regions": regions, "Sign": s.publicationSign(view.PublicationSummary),
	})
	if err != nil {
		return fmt.Errorf("render publication: %w", err)
	}
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

// regionNames maps every region code to "name (code)" for printing.
func (s *Server) regionNames(c *gin.Context) (map[string]string, error) {
	rs, err := s.app.Directory.Regions(c.Request.Context())
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rs))
	for _, r := range rs {
		out[r.Code] = r.Name
	}
	return out, nil
}

// publicationSheet streams a publication into the Excel sheet: title rows
// (bureau, title, number, time, hash) then one row per entry, read from the
// database in batches.
func (s *Server) publicationSheet(c *gin.Context, sum service.PublicationSummary) (xlsxSheet, error) {
	regions, err := s.regionNames(c)
	if err != nil {
		return xlsxSheet{}, err
	}
	titles := [][]any{
		{s.app.Settings().BureauName},
		{sum.RegionName + sum.ProgramName + "救助对象名单公布（" + sum.Period + "）"},
		{"编号", sum.Number},
		{"公布时间", sum.PublishedAt.In(chinaTime).Format("2006-01-02 15:04")},
		{"内容校验码 SHA-256", sum.ContentHash},
	}
	if sum.Status == model.PublicationWithdrawn {
		reason := ""
		if sum.WithdrawnReason != nil {
			reason = *sum.WithdrawnReason
		}
		titles = append(titles, []any{"已撤回", reason})
	}
	sign := s.publicationSign(sum)
	return xlsxSheet{
		name:   sum.ProgramName + "名单 " + sum.Period,
		titles: titles,
		footer: [][]any{
			{"公示期", fmt.Sprintf("自公布之日起 %d 天；对名单有异议的，请在公示期内向所在街道（乡镇）或县（区）民政部门反映", sign.NoticeDays)},
			{"监督电话", sign.Phone},
			{},
			{"", "", "", "", sign.Issuer},
			{"", "", "", "", "（盖章）"},
			{"", "", "", "", sign.Date},
		},
		header: []string{"序号", "姓名", "家庭人口", sum.AmountTitle + "(元)", "社区(村)", "社区代码"},
		widths: []float64{8, 12, 10, 16, 20, 14},
		rows: func(w *sheetWriter) error {
			return s.app.Publications.WalkEntries(c.Request.Context(), sum, func(e model.PublicationEntry) error {
				return w.add(e.Position, e.NameMasked, e.HouseholdSize, w.yuan(e.MonthlyAmount), regions[e.RegionCode], e.RegionCode)
			})
		},
	}, nil
}

// publicationSign is the 落款 of a printed publication: the issuing body
// (the county's civil-affairs bureau, the street's office, or the city
// bureau), the date, the notice period and the complaint phone (config
// JIUZHU_HELP_LINE, JIUZHU_WORKFLOW_PUBLICITY_PERIOD).
type publicationSign struct {
	Issuer, Date, Phone string
	NoticeDays          int
}

func (s *Server) publicationSign(sum service.PublicationSummary) publicationSign {
	issuer := s.app.Settings().BureauName
	switch model.LevelOfCode(sum.RegionCode) {
	case model.LevelCounty:
		issuer = sum.RegionName + "民政局"
	case model.LevelStreet:
		issuer = sum.RegionName + "办事处"
	}
	return publicationSign{Issuer: issuer, Date: sum.PublishedAt.In(chinaTime).Format("2006年01月02日"),
		Phone: s.opts.Guide.HelpLine, NoticeDays: s.opts.Guide.TimeLimits.NoticeDays}
}
