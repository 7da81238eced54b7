package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// societyPeopleRoutes registers society's part that concerns people:
// volunteers (a resident with a volunteer profile, logged in through the
// residents' own SMS login), the community workers' activities and hours,
// the guardian's 结对助学 consent and the bureau's anonymised profiles.
func (s *Server) societyPeopleRoutes(v1 *gin.RouterGroup) {
	vol := v1.Group("/volunteer", noStore(), s.authenticate(model.PrincipalResident))
	vol.GET("/profile", s.handle(s.getVolunteerProfile))
	vol.PUT("/profile", s.handle(s.putVolunteerProfile))
	vol.GET("/activities", s.handle(s.listVolunteerActivities))
	vol.POST("/activities/:id/signups", s.handle(s.signUpForActivity))
	vol.GET("/hours", s.handle(s.getVolunteerHours))
	vol.GET("/certificate", s.handle(s.getVolunteerCertificate))

	res := v1.Group("/resident", noStore(), s.authenticate(model.PrincipalResident))
	res.GET("/pairing-consents", s.handle(s.listPairingConsents))
	res.POST("/pairing-consents", s.handle(s.createPairingConsent))
	res.POST("/pairing-consents/:id/revoke", s.handle(s.revokePairingConsent))

	st := v1.Group("/staff", noStore(), s.authenticate(model.PrincipalStaff))
	st.GET("/volunteer-activities", s.allow(model.ActVolunteerActivitiesRead), s.handle(s.listStaffActivities))
	st.POST("/volunteer-activities", s.allow(model.ActVolunteerActivitiesManage), s.idempotent(), s.handle(s.postActivity))
	st.GET("/volunteer-activities/:id", s.allow(model.ActVolunteerActivitiesRead), s.handle(s.getStaffActivity))
	st.POST("/volunteer-activities/:id/hours", s.allow(model.ActVolunteerActivitiesManage), s.handle(s.logVolunteerHours))
	st.GET("/pairing-profiles", s.allow(model.ActPairingProfilesRead), s.handle(s.listPairingProfiles))
	st.PUT("/pairing-profiles/:id/need", s.allow(model.ActPairingNeedWrite), s.handle(s.putPairingNeed))
}

func (s *Server) getVolunteerProfile(c *gin.Context) error {
	v, err := s.app.Volunteers.Profile(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// putVolunteerProfile registers (201) or edits (200) the caller's profile.
func (s *Server) putVolunteerProfile(c *gin.Context) error {
	var req service.VolunteerInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, created, err := s.app.Volunteers.SaveProfile(c.Request.Context(), req)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, v)
	return nil
}

func (s *Server) listVolunteerActivities(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	pg, err := s.app.Volunteers.Activities(c.Request.Context(), c.Query("region_code"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pg)
	return nil
}

func (s *Server) signUpForActivity(c *gin.Context) error {
	v, err := s.app.Volunteers.SignUp(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) getVolunteerHours(c *gin.Context) error {
	v, err := s.app.Volunteers.Hours(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// certificateStyle is the certificate's only style sheet; the page's own
// Content-Security-Policy admits it by hash and admits no script at all.
const certificateStyle = `
@page { size: A4; margin: 20mm; }
body { font-family: "SimSun", "Songti SC", serif; font-size: 12pt; color: #000; max-width: 170mm; margin: 0 auto; }
header { text-align: center; border-bottom: 2px solid #b00; margin-bottom: 8mm; }
header .bureau { font-size: 18pt; color: #b00; letter-spacing: 2pt; }
h1 { font-size: 20pt; text-align: center; letter-spacing: 6pt; margin: 6mm 0; }
p.body { text-indent: 2em; line-height: 1.8; }
table { width: 100%; border-collapse: collapse; margin-top: 4mm; }
th, td { border: 1px solid #000; padding: 1.5mm 2mm; text-align: center; }
td.num { text-align: right; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
footer { margin-top: 12mm; text-align: right; line-height: 2; }
`

var certificatePage = template.Must(template.New("certificate").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>志愿服务时长证明 - {{.C.Name}}</title>
<style>{{.Style}}</style>
</head>
<body>
<header><div class="bureau">{{.Bureau}}</div></header>
<h1>志愿服务时长证明</h1>
<p class="body">兹证明 <strong id="volunteer-name">{{.C.Name}}</strong> 同志在{{.C.RegionName}}参加社区志愿服务活动，截至 {{.C.IssuedOn}}，经社区工作人员登记，累计志愿服务时长 <strong id="total-hours">{{printf "%.2f" .C.Record.TotalHours}}</strong> 小时。服务记录如下：</p>
<table>
<thead><tr><th>序号</th><th>日期</th><th>活动</th><th>类别</th><th>时长（小时）</th></tr></thead>
<tbody>
{{range $i, $e := .C.Record.Items}}<tr><td>{{inc $i}}</td><td>{{$e.Date}}</td><td>{{$e.Title}}</td><td>{{$e.KindName}}</td><td class="num">{{printf "%.2f" $e.Hours}}</td></tr>
{{else}}<tr><td colspan="5">暂无登记的服务时长</td></tr>
{{end}}</tbody>
</table>
<footer>
<p>出具单位：{{.C.RegionName}}　{{.Bureau}}</p>
<p>出具日期：{{.C.IssuedOn}}</p>
</footer>
</body>
</html>
`))

// certificateCSP admits the certificate's style sheet by its hash; there is
// no script on the page and none may run.
func certificateCSP() string {
	sum := sha256.Sum256([]byte(certificateStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'; img-src 'self'; " +
		"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// getVolunteerCertificate renders the caller's certificate of hours as a
// printable page in Chinese.
func (s *Server) getVolunteerCertificate(c *gin.Context) error {
	cert, err := s.app.Volunteers.Certificate(c.Request.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	err = certificatePage.Execute(&buf, map[string]any{"Bureau": s.app.Settings().BureauName, "C": cert, "Style": template.CSS(certificateStyle)})
	if err != nil {
		return fmt.Errorf("render certificate: %w", err)
	}
	c.Header("Content-Security-Policy", certificateCSP())
	c.Data(http.StatusOK, "text/html; charset=utf-8", buf.Bytes())
	return nil
}

func (s *Server) listPairingConsents(c *gin.Context) error {
	items, err := s.app.Pairing.PairingChildren(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
	return nil
}

func (s *Server) createPairingConsent(c *gin.Context) error {
	var req service.ConsentInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Pairing.Consent(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) revokePairingConsent(c *gin.Context) error {
	v, err := s.app.Pairing.Revoke(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) listStaffActivities(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	pg, err := s.app.Volunteers.StaffActivities(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pg)
	return nil
}

func (s *Server) postActivity(c *gin.Context) error {
	var req service.ActivityInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Volunteers.PostActivity(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) getStaffActivity(c *gin.Context) error {
	v, err := s.app.Volunteers.StaffActivity(c.Request.Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (s *Server) logVolunteerHours(c *gin.Context) error {
	var req service.HoursInput
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Volunteers.LogHours(c.Request.Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, v)
	return nil
}

func (s *Server) listPairingProfiles(c *gin.Context) error {
	req, err := pageRequest(c)
	if err != nil {
		return err
	}
	pg, err := s.app.Pairing.Profiles(c.Request.Context(), req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, pg)
	return nil
}

func (s *Server) putPairingNeed(c *gin.Context) error {
	var req struct {
		Need string `json:"need"`
	}
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	v, err := s.app.Pairing.SetNeed(c.Request.Context(), c.Param("id"), req.Need)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}
