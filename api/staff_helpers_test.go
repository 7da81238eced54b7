package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// wfSession is a logged-in staff member.
type wfSession struct {
	Token       string
	ID          string
	Permissions []string // what the login answer says the session may do
}

// wfLogin logs a staff account in with password and returns its session.
func wfLogin(t *testing.T, env *apitest.Env, username, password string) wfSession {
	t.Helper()
	r := env.Post("/api/v1/staff/sessions", "", map[string]string{"username": username, "password": password})
	apitest.Want(t, r, http.StatusCreated)
	var out struct {
		Token string `json:"token"`
		Staff struct {
			ID string `json:"id"`
		} `json:"staff"`
		Permissions []string `json:"permissions"`
	}
	r.JSON(t, &out)
	return wfSession{Token: out.Token, ID: out.Staff.ID, Permissions: out.Permissions}
}

// wfDemo logs a wfDemo account in.
func wfDemo(t *testing.T, env *apitest.Env, username string) wfSession {
	t.Helper()
	return wfLogin(t, env, username, service.DemoPassword)
}

// wfPassword is the password of the accounts tests create.
const wfPassword = "correct-horse-battery"

// wfNewStaff has the city admin create an account and logs it in; an admin
// or county approver account is confirmed by the second demo admin.
func wfNewStaff(t *testing.T, env *apitest.Env, admin, username string, role model.Role, region string) wfSession {
	t.Helper()
	body := map[string]any{"username": username, "password": wfPassword, "role": role, "region_code": region}
	r := env.Post("/api/v1/staff/accounts", admin, body)
	if r.Status == http.StatusAccepted {
		id := r.Map(t)["grant"].(map[string]any)["id"].(string)
		r = env.Post("/api/v1/staff/grants/"+id+"/confirm", wfDemo(t, env, "admin2").Token, nil)
		apitest.Want(t, r, http.StatusOK)
	} else {
		apitest.Want(t, r, http.StatusCreated)
	}
	return wfLogin(t, env, username, wfPassword)
}

// wfCase is an application made through the resident API.
type wfCase struct {
	ID       string
	Resident string // the resident's token
	Docs     []string
}

// wfHousehold is a household of size members in community, the first
// member being the applicant.
func wfHousehold(community string, size int) map[string]any {
	members := []map[string]any{}
	for i := 0; i < size; i++ {
		rel := "child"
		birth := "20120301"
		if i == 0 {
			rel, birth = "self", "19800101"
		}
		members = append(members, map[string]any{"name": []string{"王小明", "王丽", "王强", "王芳"}[i%4], "id_number": makeID(birth, i%2 == 0),
			"relation": rel, "monthly_income": []int{60000, 0, 0, 0}[i%4]})
	}
	return map[string]any{"region_code": community, "address": "湖州市某区某街道某社区1幢101室", "hukou": "urban", "members": members}
}

// wfSubmitted is the one fixture flow of the staff tests: a new
// resident logs in by SMS, registers a household of size members in
// community, opens a 低保 application, uploads the required documents and
// submits it.
func wfSubmitted(t *testing.T, env *apitest.Env, community string, size int) wfCase {
	t.Helper()
	tok := login(t, env, newPhone())
	apitest.Want(t, env.Put("/api/v1/me/household", tok, wfHousehold(community, size)), http.StatusOK)
	return submitCase(t, env, tok, model.ProgramDibao)
}

// submitCase is the one case builder of the HTTP tests: the resident opens
// an application of program, uploads its required documents and submits
// it. wfReviewed and wfInvestigated take it further.
func submitCase(t testing.TB, env *apitest.Env, resident string, program model.ProgramCode) wfCase {
	t.Helper()
	id := createApp(t, env, resident, program)
	c := wfCase{ID: id, Resident: resident}
	prog, _ := model.ProgramOf(program)
	for _, d := range prog.RequiredDocuments {
		r := upload(t, env, resident, id, d.Kind, d.Kind+".jpg", jpegFile)
		apitest.Want(t, r, http.StatusCreated)
		c.Docs = append(c.Docs, r.Map(t)["id"].(string))
	}
	apitest.Want(t, env.Post("/api/v1/applications/"+id+"/submit", resident, nil), http.StatusOK)
	return c
}

// wfReviewed has the community worker accept and investigate a submitted
// case and accept every document.
func wfReviewed(t testing.TB, env *apitest.Env, community string, c wfCase) {
	t.Helper()
	wfAct(t, env, community, c.ID, "accept", "", http.StatusOK)
	wfAct(t, env, community, c.ID, "investigate", "", http.StatusOK)
	for _, d := range c.Docs {
		apitest.Want(t, env.Post("/api/v1/staff/documents/"+d+"/review", community, map[string]string{"decision": "accepted"}), http.StatusOK)
	}
}

// wfAct takes a step of the chain and asserts the status.
func wfAct(t testing.TB, env *apitest.Env, token, appID, action, reason string, want int) *apitest.Response {
	t.Helper()
	body := map[string]string{"action": action}
	if reason != "" {
		body["reason"] = reason
	}
	r := env.Post("/api/v1/staff/applications/"+appID+"/actions", token, body)
	apitest.Want(t, r, want)
	return r
}

// wfAssessment is a valid wfAssessment body.
func wfAssessment(perCapita int64) map[string]any {
	return map[string]any{"per_capita_income": perCapita, "income_reason": "入户核实的收入低于申报", "home_visit": map[string]string{"date": time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02"), "note": "入户核实，家中无大额资产"}}
}

// wfInvestigated takes a submitted case through accept, document review,
// investigate and the wfAssessment by the community worker.
func wfInvestigated(t *testing.T, env *apitest.Env, community string, c wfCase) {
	t.Helper()
	wfReviewed(t, env, community, c)
	apitest.Want(t, env.Put("/api/v1/staff/applications/"+c.ID+"/assessment", community, wfAssessment(30000)), http.StatusOK)
}

// wfPublicized makes a case and takes it to publicizing.
func wfPublicized(t *testing.T, env *apitest.Env, communityCode, community, street string) wfCase {
	t.Helper()
	c := wfSubmitted(t, env, communityCode, 1)
	wfInvestigated(t, env, community, c)
	wfAct(t, env, street, c.ID, "publicize", "", http.StatusOK)
	return c
}

// wfNotices lists the open public notices of a region subtree.
func wfNotices(t *testing.T, env *apitest.Env, community string) []map[string]any {
	t.Helper()
	r := env.Get("/api/v1/public/notices?region_code="+community, "")
	apitest.Want(t, r, http.StatusOK)
	var out struct {
		Items []map[string]any `json:"items"`
	}
	r.JSON(t, &out)
	return out.Items
}
