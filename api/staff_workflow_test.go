package api_test

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// statusOf reads the status of a staff application response.
func statusOf(t *testing.T, r *apitest.Response) string {
	t.Helper()
	return r.Map(t)["status"].(string)
}

func TestStaffFullChain(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community, street, county := wfDemo(t, env, "community").Token, wfDemo(t, env, "street").Token, wfDemo(t, env, "county").Token
		c := wfSubmitted(t, env, "330502001001", 3)

		// The queue shows the case to every level of its region, not to others.
		for _, tok := range []string{community, street, county} {
			r := env.Get("/api/v1/staff/applications?status=submitted&program=dibao", tok)
			apitest.Want(t, r, http.StatusOK)
			if !strings.Contains(string(r.Body), c.ID) {
				t.Fatalf("queue lacks the case: %s", r.Body)
			}
		}
		other := wfDemo(t, env, "community2").Token
		if r := env.Get("/api/v1/staff/applications", other); strings.Contains(string(r.Body), c.ID) {
			t.Fatal("another community's worker sees the case")
		}
		apitest.Want(t, env.Get("/api/v1/staff/applications/"+c.ID, other), http.StatusNotFound)

		// Wrong level: 403; wrong state: 409.
		wfAct(t, env, street, c.ID, "accept", "", http.StatusForbidden)
		wfAct(t, env, county, c.ID, "publicize", "", http.StatusForbidden)
		wfAct(t, env, community, c.ID, "approve", "", http.StatusForbidden)
		wfAct(t, env, community, c.ID, "investigate", "", http.StatusConflict)
		wfAct(t, env, county, c.ID, "approve", "", http.StatusConflict)
		wfAct(t, env, county, c.ID, "reject", "", http.StatusUnprocessableEntity)

		wfAct(t, env, community, c.ID, "accept", "", http.StatusOK)
		wfAct(t, env, community, c.ID, "accept", "", http.StatusConflict)
		wfAct(t, env, community, c.ID, "investigate", "", http.StatusOK)

		// Publicize needs every required document accepted and an assessment.
		r := wfAct(t, env, street, c.ID, "publicize", "", http.StatusConflict)
		if r.ErrorCode() != "assessment_missing" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		a := wfAssessment(30000)
		r = env.Put("/api/v1/staff/applications/"+c.ID+"/assessment", community, a)
		apitest.Want(t, r, http.StatusOK)
		// 吴兴区 (a district) has 1120 yuan; (112000 − 30000) × 3 members,
		// plus the 分类施保 increment of 100 yuan for each of the two minors.
		if got := r.Map(t)["monthly_amount"].(float64); got != 266000 {
			t.Fatalf("computed amount %v, want 266000", got)
		}
		a["monthly_amount"] = 250000
		apitest.Want(t, env.Put("/api/v1/staff/applications/"+c.ID+"/assessment", community, a), http.StatusUnprocessableEntity)
		a["amount_reason"] = "家中有重病患者，酌情上调"
		r = env.Put("/api/v1/staff/applications/"+c.ID+"/assessment", community, a)
		apitest.Want(t, r, http.StatusOK)
		if got := r.Map(t)["monthly_amount"].(float64); got != 250000 {
			t.Fatalf("edited amount %v", got)
		}
		r = wfAct(t, env, street, c.ID, "publicize", "", http.StatusConflict)
		if r.ErrorCode() != "documents_not_accepted" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		apitest.Want(t, env.Post("/api/v1/staff/documents/"+c.Docs[0]+"/review", community, map[string]string{"decision": "rejected"}), http.StatusUnprocessableEntity)
		for _, d := range c.Docs {
			r := env.Post("/api/v1/staff/documents/"+d+"/review", community, map[string]string{"decision": "accepted"})
			apitest.Want(t, r, http.StatusOK)
			if r.Map(t)["status"] != "accepted" {
				t.Fatalf("review: %s", r.Body)
			}
		}
		r = wfAct(t, env, street, c.ID, "publicize", "", http.StatusOK)
		if statusOf(t, r) != "publicizing" {
			t.Fatalf("status %s", r.Body)
		}

		// The notice shows only the allow-listed fields.
		notices := wfNotices(t, env, "330502001")
		if len(notices) != 1 {
			t.Fatalf("notices %v", notices)
		}
		n := notices[0]
		keys := []string{}
		for k := range n {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "benefit_kind,ends_at,household_size,id,monthly_amount,name_masked,program,region_code,starts_at" {
			t.Fatalf("notice fields %v", keys)
		}
		if n["name_masked"] != "王**" || n["household_size"].(float64) != 3 || n["monthly_amount"].(float64) != 250000 {
			t.Fatalf("notice %v", n)
		}
		if len(wfNotices(t, env, "330521")) != 0 {
			t.Fatal("another county lists the notice")
		}

		// Approval waits for the period and for objections.
		wfAct(t, env, county, c.ID, "approve", "", http.StatusConflict)
		r = env.Post("/api/v1/public/notices/"+n["id"].(string)+"/objections", "", map[string]string{"content": "该户有营业收入", "contact": "13900001111"})
		apitest.Want(t, r, http.StatusCreated)
		long := strings.Repeat("长", model.MaxObjectionRunes+1)
		apitest.Want(t, env.Post("/api/v1/public/notices/"+n["id"].(string)+"/objections", "", map[string]string{"content": long}), http.StatusUnprocessableEntity)
		env.Clock.Advance(time.Hour + time.Minute)
		// Sessions idle for an hour have expired: log in again.
		street, county = wfDemo(t, env, "street").Token, wfDemo(t, env, "county").Token
		r = wfAct(t, env, county, c.ID, "approve", "", http.StatusConflict)
		if r.ErrorCode() != "open_objection" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		r = env.Get("/api/v1/staff/objections?status=open", street)
		apitest.Want(t, r, http.StatusOK)
		var objs struct {
			Items []struct {
				ID            string `json:"id"`
				ContactMasked string `json:"contact_masked"`
			} `json:"items"`
		}
		r.JSON(t, &objs)
		if len(objs.Items) != 1 || objs.Items[0].ContactMasked != "139****1111" {
			t.Fatalf("objections %s", r.Body)
		}
		apitest.Want(t, env.Post("/api/v1/staff/objections/"+objs.Items[0].ID+"/resolve", street, map[string]any{"resolution": "经核实，营业已停止", "upheld": false}), http.StatusOK)
		apitest.Want(t, env.Post("/api/v1/staff/objections/"+objs.Items[0].ID+"/resolve", street, map[string]any{"resolution": "again", "upheld": false}), http.StatusConflict)

		r = wfAct(t, env, county, c.ID, "approve", "", http.StatusOK)
		if statusOf(t, r) != "approved" {
			t.Fatalf("status %s", r.Body)
		}
		wfAct(t, env, county, c.ID, "approve", "", http.StatusConflict)
		wfAct(t, env, county, c.ID, "reject", "太晚了", http.StatusConflict)
		if len(wfNotices(t, env, "330502001")) != 0 {
			t.Fatal("the notice is still public after approval")
		}

		// The resident sees each step in the timeline and got a message for each.
		r = env.Get("/api/v1/applications/"+c.ID, c.Resident)
		apitest.Want(t, r, http.StatusOK)
		var app struct {
			Status   string `json:"status"`
			Timeline []struct {
				Status string `json:"status"`
			} `json:"timeline"`
		}
		r.JSON(t, &app)
		// (The test clock stands still between steps, so entries share a
		// time; count them rather than rely on their order.)
		steps := map[string]int{}
		for _, e := range app.Timeline {
			steps[e.Status]++
		}
		for _, st := range []string{"submitted", "accepted", "investigating", "publicizing", "approved"} {
			if steps[st] != 1 {
				t.Fatalf("timeline %v: want one %s entry", steps, st)
			}
		}
		r = env.Get("/api/v1/me/messages", c.Resident)
		apitest.Want(t, r, http.StatusOK)
		if msgs := r.Map(t)["items"].([]any); len(msgs) < 5 {
			t.Fatalf("messages %d", len(msgs))
		}

		// Every step is in the audit trail, in region, hash-chained.
		aud := wfNewStaff(t, env, wfDemo(t, env, "admin").Token, "aud.wx", "auditor", "330502")
		r = env.Get("/api/v1/staff/audit?target_id="+c.ID+"&limit=100", aud.Token)
		apitest.Want(t, r, http.StatusOK)
		actions := map[string]bool{}
		var page struct {
			Items []struct {
				Action     string `json:"action"`
				RegionCode string `json:"region_code"`
			} `json:"items"`
		}
		r.JSON(t, &page)
		for _, e := range page.Items {
			actions[e.Action] = true
		}
		for _, want := range []string{"application.accept", "application.investigate", "application.assess", "application.publicize", "application.approve"} {
			if !actions[want] {
				t.Errorf("audit lacks %s: %v", want, actions)
			}
		}
		if _, err := env.App.Audit.Seal(context.Background()); err != nil {
			t.Fatal(err)
		}
		res, err := env.App.Audit.Verify(context.Background())
		if err != nil || !res.OK || res.Rows == 0 || res.Checkpoint == 0 {
			t.Fatalf("audit chain: %+v %v", res, err)
		}
	}, apitest.WithEnv("JIUZHU_WORKFLOW_PUBLICITY_PERIOD", "1h"))
}

func TestStaffUpheldObjectionReopensInvestigation(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community, street, county := wfDemo(t, env, "community").Token, wfDemo(t, env, "street").Token, wfDemo(t, env, "county").Token
		c := wfPublicized(t, env, "330502001001", community, street)
		n := wfNotices(t, env, "330502001001")
		apitest.Want(t, env.Post("/api/v1/public/notices/"+n[0]["id"].(string)+"/objections", "", map[string]string{"content": "隐瞒了一套房产"}), http.StatusCreated)
		r := env.Get("/api/v1/staff/objections?application_id="+c.ID, county)
		apitest.Want(t, r, http.StatusOK)
		id := r.Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
		// The community worker may read but not resolve.
		apitest.Want(t, env.Post("/api/v1/staff/objections/"+id+"/resolve", community, map[string]any{"resolution": "x", "upheld": true}), http.StatusForbidden)
		apitest.Want(t, env.Post("/api/v1/staff/objections/"+id+"/resolve", county, map[string]any{"resolution": "属实，重新调查", "upheld": true}), http.StatusOK)
		r = env.Get("/api/v1/staff/applications/"+c.ID, community)
		if statusOf(t, r) != "investigating" {
			t.Fatalf("status %s", r.Body)
		}
		if len(wfNotices(t, env, "330502001001")) != 0 {
			t.Fatal("the notice stays public")
		}
		// The case can be publicized again; a new period starts.
		wfAct(t, env, street, c.ID, "publicize", "", http.StatusOK)
		wfAct(t, env, county, c.ID, "approve", "", http.StatusConflict)
		if len(wfNotices(t, env, "330502001001")) != 1 {
			t.Fatal("no new notice")
		}
	}, apitest.WithEnv("JIUZHU_WORKFLOW_PUBLICITY_PERIOD", "1h"))
}

func TestStaffSamePersonCannotInvestigateAndApprove(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community, street := wfDemo(t, env, "community"), wfDemo(t, env, "street").Token
		c := wfPublicized(t, env, "330502001001", community.Token, street)
		env.Clock.Advance(2 * time.Hour)
		// The worker who investigated the case, later made county approver.
		promoted := env.SessionFor(model.Principal{Kind: model.PrincipalStaff, ID: community.ID, Role: model.RoleCountyApprover, RegionCode: "330502"})
		r := wfAct(t, env, promoted, c.ID, "approve", "", http.StatusForbidden)
		if r.ErrorCode() != "own_work" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		wfAct(t, env, wfDemo(t, env, "county").Token, c.ID, "approve", "", http.StatusOK)

		// The refusal is in the audit trail.
		aud := wfNewStaff(t, env, wfDemo(t, env, "admin").Token, "aud.sp", "auditor", "330502")
		r = env.Get("/api/v1/staff/audit?action=application.approve&target_id="+c.ID, aud.Token)
		apitest.Want(t, r, http.StatusOK)
		outcomes := []string{}
		for _, e := range r.Map(t)["items"].([]any) {
			outcomes = append(outcomes, e.(map[string]any)["outcome"].(string))
		}
		if strings.Join(outcomes, ",") != "success,denied" {
			t.Fatalf("approve audit outcomes %v", outcomes)
		}
	}, apitest.WithEnv("JIUZHU_WORKFLOW_PUBLICITY_PERIOD", "1h"))
}

func TestStaffConcurrentApprovals(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community, street := wfDemo(t, env, "community").Token, wfDemo(t, env, "street").Token
		c := wfPublicized(t, env, "330502001001", community, street)
		env.Clock.Advance(2 * time.Hour)
		approvers := []string{wfDemo(t, env, "county").Token, wfNewStaff(t, env, wfDemo(t, env, "admin").Token, "county.b", "county_approver", "330502").Token}
		const n = 6
		statuses := apitest.Statuses(apitest.Concurrently(n, func(i int) *apitest.Response {
			return env.Post("/api/v1/staff/applications/"+c.ID+"/actions", approvers[i%2], map[string]string{"action": "approve"})
		}))
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[http.StatusOK] != 1 || count[http.StatusConflict] != n-1 {
			t.Fatalf("statuses %v", statuses)
		}
		r := env.Get("/api/v1/applications/"+c.ID, c.Resident)
		approved := 0
		for _, e := range r.Map(t)["timeline"].([]any) {
			if e.(map[string]any)["status"] == "approved" {
				approved++
			}
		}
		if approved != 1 {
			t.Fatalf("%d approval entries in the timeline", approved)
		}
	}, apitest.WithEnv("JIUZHU_WORKFLOW_PUBLICITY_PERIOD", "1h"))
}

// TestAllowedActionsFollowRoleAndState: the staff detail says what the
// caller may do: the community accepts a submitted case and reviews its
// documents, the street may not; once publicized the street has nothing
// left but the county approves; the worker who declared a member as a
// relative may do nothing.
func TestAllowedActionsFollowRoleAndState(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		allowed := func(token, id string) string {
			t.Helper()
			r := env.Get("/api/v1/staff/applications/"+id, token)
			apitest.Want(t, r, http.StatusOK)
			var v struct {
				Allowed []string `json:"allowed_actions"`
			}
			r.JSON(t, &v)
			return strings.Join(v.Allowed, ",")
		}
		community, street, county := wfDemo(t, env, "community"), wfDemo(t, env, "street"), wfDemo(t, env, "county")
		c := wfSubmitted(t, env, "330502001001", 1)
		if got := allowed(community.Token, c.ID); got != "accept,return,review_documents" {
			t.Errorf("community on a submitted case: %q", got)
		}
		if got := allowed(street.Token, c.ID); got != "return,reject" {
			t.Errorf("street on a submitted case: %q", got)
		}
		wfInvestigated(t, env, community.Token, c)
		if got := allowed(community.Token, c.ID); got != "return,review_documents,assess" {
			t.Errorf("community on a case under investigation: %q", got)
		}
		wfAct(t, env, street.Token, c.ID, "publicize", "", http.StatusOK)
		if got := allowed(street.Token, c.ID); got != "" {
			t.Errorf("street on a publicized case: %q", got)
		}
		if got := allowed(county.Token, c.ID); got != "approve,reject" {
			t.Errorf("county on a publicized case: %q", got)
		}
		if got := allowed(wfDemo(t, env, "auditor").Token, c.ID); got != "" {
			t.Errorf("auditor: %q", got)
		}
	})
}
