package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// publicizedWithSchoolchild takes a submitted application with a
// schoolchild through the community and street steps by API and returns
// the resident's id and the application id, now 公示中.
func publicizedWithSchoolchild(t *testing.T, env *apitest.Env, phone string) (residentID, appID string) {
	t.Helper()
	residentID, appID, docs := submittedWithSchoolchild(t, env, phone)
	community := investigating(t, env, appID, docs)
	apitest.Want(t, env.Put("/api/v1/staff/applications/"+appID+"/assessment", community,
		map[string]any{"per_capita_income": 20000, "home_visit": map[string]string{"date": visitDate(env), "note": "入户核实"}}), http.StatusOK)
	post(t, env, "/api/v1/staff/applications/"+appID+"/actions", staffToken(t, env, "street"), map[string]string{"action": "publicize"}, http.StatusOK)
	return residentID, appID
}

// investigating has the community worker accept a submitted case, start
// the investigation and accept its documents by API; it returns the
// worker's token.
func investigating(t *testing.T, env *apitest.Env, appID string, docs []string) (community string) {
	t.Helper()
	community = staffToken(t, env, "community")
	for _, action := range []string{"accept", "investigate"} {
		post(t, env, "/api/v1/staff/applications/"+appID+"/actions", community, map[string]string{"action": action}, http.StatusOK)
	}
	for _, d := range docs {
		post(t, env, "/api/v1/staff/documents/"+d+"/review", community, map[string]string{"decision": "accepted"}, http.StatusOK)
	}
	return community
}

// visitDate is the home visit's date the tests record: yesterday.
func visitDate(env *apitest.Env) string {
	return env.Clock.Now().AddDate(0, 0, -1).Format("2006-01-02")
}

// residentDocs is the resident's view of an application's documents.
type residentDocs struct {
	Status    string `json:"status"`
	Documents []struct {
		ID           string `json:"id"`
		Kind         string `json:"kind"`
		Status       string `json:"status"`
		ReviewReason string `json:"review_reason"`
	} `json:"documents"`
}

// TestRejectedDocumentReplacedAndResubmitted: the community worker marks
// the income proof 未通过 with a reason and returns the case; the resident
// sees that document rejected with its reason, photographs a replacement
// and submits again. The page and the API agree: 已提交, the new proof
// pending review.
func TestRejectedDocumentReplacedAndResubmitted(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	residentID, appID, docs := submittedWithSchoolchild(t, env, "13900008881")
	community := staffToken(t, env, "community")
	post(t, env, "/api/v1/staff/applications/"+appID+"/actions", community, map[string]string{"action": "accept"}, http.StatusOK)
	income := docs[2] // dibao requires id_card, hukou_book, income_proof
	const docWhy = "收入证明缺少单位公章"
	const returnWhy = "请补交盖章的收入证明"

	ctx := browser(t)
	staffLogin(t, ctx, srv.URL, "community", appID)
	row := fmt.Sprintf(`div[data-doc=%q]`, income)
	// Each document under review has its own reason field beside it.
	screen(t, ctx, "17a-staff-documents-review")
	run(t, ctx, "reject needs a reason",
		press(row+` .doc-reject`),
		chromedp.WaitVisible(byText("div", "不通过的原因")),
	)
	run(t, ctx, "reject document",
		noToast(),
		chromedp.SendKeys(chromedp.CSS(row+` textarea`), docWhy),
		press(row+` .doc-reject`),
		chromedp.WaitVisible(fmt.Sprintf(`//div[@data-doc=%q]//span[normalize-space(.)="未通过"]`, income)),
		chromedp.WaitVisible(fmt.Sprintf(`//div[@data-doc=%q]//div[contains(@class, "doc-reason") and contains(., %q)]`, income, docWhy)),
	)
	// The document's reason is not carried over as the case's reason.
	if v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('textarea[name=action_reason]').value`)); err != nil || v != "" {
		t.Fatalf("reason field after reviewing = %q (%v), want cleared", v, err)
	}
	run(t, ctx, "return reason",
		chromedp.SendKeys(chromedp.CSS(`textarea[name=action_reason]`), returnWhy),
	)
	staffAct(t, ctx, "return", "退回补正")
	// Staff see the resident's 补正 deadline on the case, and no other clock.
	run(t, ctx, "staff see the 补正 deadline", chromedp.WaitVisible(chromedp.CSS(`.deadline-resubmission`)))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.deadlines .van-cell').length`)); err != nil || n != 1 {
		t.Fatalf("%d deadlines shown on the returned case (%v), want the 补正 one", n, err)
	}
	shot(t, ctx, "17-document-rejected")

	resident := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
	kind := fmt.Sprintf(`div[data-kind=%q]`, model.DocIncomeProof)
	run(t, ctx, "resident sees the rejected document",
		residentOpens(srv.URL, resident, appID, "退回补正"),
		chromedp.WaitVisible(chromedp.CSS(kind+` .doc-status`)),
	)
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(kind)))
	if err != nil || !strings.Contains(text, "未通过") || !strings.Contains(text, docWhy) {
		t.Fatalf("income proof row says %q (%v), want 未通过 with %q", text, err, docWhy)
	}
	if top, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.return-reason`))); err != nil || !strings.Contains(top, returnWhy) {
		t.Fatalf("return reason shown %q (%v), want %q", top, err, returnWhy)
	}
	// The 补正 deadline: the last day (10 working days of the calendar, as
	// the server counted them) and what to bring, with the reason.
	var back struct {
		ReturnDueAt time.Time `json:"return_due_at"`
	}
	rr := env.Get("/api/v1/applications/"+appID, resident)
	apitest.Want(t, rr, http.StatusOK)
	rr.JSON(t, &back)
	lastDay := back.ReturnDueAt.In(model.ChinaZone).Add(-time.Second)
	wantDay := fmt.Sprintf("%d年%d月%d日", lastDay.Year(), lastDay.Month(), lastDay.Day())
	if due, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.return-due`))); err != nil || !strings.Contains(due, "请在 "+wantDay+" 前") ||
		!strings.Contains(due, "收入证明") || !strings.Contains(due, docWhy) {
		t.Fatalf("the 补正 deadline shown %q (%v), want %s and the income proof with %q", due, err, wantDay, docWhy)
	}
	screen(t, ctx, "17b-return-deadline")
	run(t, ctx, "the home list says by when",
		chromedp.Navigate(srv.URL+"/home"),
		chromedp.WaitVisible(byText("div", "请在 "+wantDay+" 前补齐材料")),
		chromedp.Navigate(srv.URL+"/applications/"+appID),
		statusShown("退回补正"),
	)
	shot(t, ctx, "18-resident-rejected-document")
	run(t, ctx, "replace document",
		chromedp.SetUploadFiles(chromedp.CSS(kind+` input[type=file]`), []string{jpegFile(t, "income2.jpg")}),
		chromedp.WaitVisible(fmt.Sprintf(`//div[@data-kind=%q]//span[contains(@class,"doc-status")][normalize-space(.)="待审核"]`, model.DocIncomeProof)),
	)
	run(t, ctx, "resubmit",
		noToast(),
		press(`.submit-app`),
		statusShown("已提交"),
	)
	shot(t, ctx, "19-resubmitted")

	r := env.Get("/api/v1/applications/"+appID, resident)
	apitest.Want(t, r, http.StatusOK)
	var app residentDocs
	r.JSON(t, &app)
	if app.Status != "submitted" {
		t.Fatalf("API status after resubmitting = %s, want submitted", app.Status)
	}
	var pending, old int
	for _, d := range app.Documents {
		if d.Kind != model.DocIncomeProof {
			continue
		}
		if d.ID == income {
			old++
			if d.Status == "pending" || d.Status == "accepted" {
				t.Errorf("the rejected proof is %s again", d.Status)
			}
		} else if d.Status == "pending" {
			pending++
		}
	}
	if pending != 1 || old > 1 {
		t.Fatalf("income proofs after replacing: %+v, want the new one pending", app.Documents)
	}
}

// TestUpheldObjectionReturnsToInvestigation: an objection to a 公示 is
// upheld by the street reviewer in the browser; the case goes back to
// 调查核实中 on the page and in the API, and the objection shows 异议成立.
func TestUpheldObjectionReturnsToInvestigation(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	_, appID := publicizedWithSchoolchild(t, env, "13900008882")
	r := env.Get("/api/v1/public/notices?region_code=330502", "")
	apitest.Want(t, r, http.StatusOK)
	var notices struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	r.JSON(t, &notices)
	if len(notices.Items) != 1 {
		t.Fatalf("notices = %+v, want one", notices.Items)
	}
	post(t, env, "/api/v1/public/notices/"+notices.Items[0].ID+"/objections", "", map[string]string{"content": "该户经营一家小超市，收入不实"}, http.StatusCreated)
	street := staffToken(t, env, "street")
	r = env.Get("/api/v1/staff/objections?application_id="+appID, street)
	apitest.Want(t, r, http.StatusOK)
	items, _ := r.Map(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("objections = %v, want one", items)
	}
	objID := items[0].(map[string]any)["id"].(string)

	ctx := browser(t)
	staffLogin(t, ctx, srv.URL, "street", appID)
	obj := fmt.Sprintf(`div[data-objection=%q]`, objID)
	run(t, ctx, "uphold objection",
		chromedp.WaitVisible(chromedp.CSS(obj)),
		chromedp.SendKeys(chromedp.CSS(obj+` textarea[name=resolution]`), "经核实确有经营收入，异议成立"),
		press(obj+` .uphold-objection`),
		settle(),
		press(`.van-dialog__confirm`),
		statusShown("调查核实中"),
		chromedp.WaitVisible(fmt.Sprintf(`//div[@data-objection=%q]//span[normalize-space(.)="异议成立"]`, objID)),
	)
	shot(t, ctx, "20-objection-upheld")
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.act-approve, .uphold-objection, .dismiss-objection').length`)); err != nil || n != 0 {
		t.Errorf("after upholding, the street reviewer still sees %d approve or resolve controls (%v)", n, err)
	}
	if got := staffStatus(t, env, street, appID)["status"]; got != "investigating" {
		t.Fatalf("API status after upholding = %v, want investigating", got)
	}
	r = env.Get("/api/v1/staff/objections?application_id="+appID, street)
	apitest.Want(t, r, http.StatusOK)
	o := r.Map(t)["items"].([]any)[0].(map[string]any)
	if o["status"] != "resolved" || o["upheld"] != true {
		t.Fatalf("objection after upholding = %v, want resolved and upheld", o)
	}
	r = env.Get("/api/v1/public/notices?region_code=330502", "")
	apitest.Want(t, r, http.StatusOK)
	if left := r.Map(t)["items"].([]any); len(left) != 0 {
		t.Fatalf("the notice is still public after upholding: %v", left)
	}
}

// TestStaffRevealIsShownAndAudited: the community worker opens a case
// (masked), asks for the full information, confirms, and sees the full
// name and ID number; the auditor finds the application.reveal entry.
func TestStaffRevealIsShownAndAudited(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	_, appID, _ := submittedWithSchoolchild(t, env, "13900008883")

	ctx := browser(t)
	staffLogin(t, ctx, srv.URL, "community", appID)
	if page := pageText(t, ctx); strings.Contains(page, headName) || strings.Contains(page, headID) {
		t.Fatalf("the page shows the full name or ID number before revealing:\n%.800s", page)
	}
	run(t, ctx, "reveal",
		press(`.reveal-btn`),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(byText("div", headName)),
	)
	shot(t, ctx, "21-revealed")
	page := pageText(t, ctx)
	if !strings.Contains(page, headID) || !strings.Contains(page, childID) {
		t.Fatalf("revealed page lacks the full ID numbers:\n%.1200s", page)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.reveal-btn').length`)); err != nil || n != 0 {
		t.Errorf("the reveal button is still offered after revealing (%d, %v)", n, err)
	}

	r := env.Get("/api/v1/staff/audit?action=application.reveal", staffToken(t, env, "auditor"))
	apitest.Want(t, r, http.StatusOK)
	var audit struct {
		Items []struct {
			Action     string `json:"action"`
			TargetID   string `json:"target_id"`
			ActorRole  string `json:"actor_role"`
			Outcome    string `json:"outcome"`
			TargetType string `json:"target_type"`
		} `json:"items"`
	}
	r.JSON(t, &audit)
	found := false
	for _, e := range audit.Items {
		if e.Action == "application.reveal" && e.TargetID == appID && e.ActorRole == string(model.RoleCommunityWorker) && e.Outcome == "success" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no application.reveal audit entry by the community worker for %s: %+v", appID, audit.Items)
	}
}

// TestCountyRejectsWithReason: the county approver refuses a 公示中 case
// with a reason in the browser; the API says rejected and the resident's
// page says 未批准 with the reason.
func TestCountyRejectsWithReason(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	residentID, appID := publicizedWithSchoolchild(t, env, "13900008884")
	const why = "家庭财产超过低保认定标准"

	ctx := browser(t)
	staffLogin(t, ctx, srv.URL, "county", appID)
	run(t, ctx, "reject needs a reason",
		press(`.act-reject`),
		chromedp.WaitVisible(byText("div", "请填写理由")),
	)
	run(t, ctx, "reason",
		chromedp.SendKeys(chromedp.CSS(`textarea[name=action_reason]`), why),
	)
	staffAct(t, ctx, "reject", "未批准")
	if got := staffStatus(t, env, staffToken(t, env, "county"), appID)["status"]; got != "rejected" {
		t.Fatalf("API status after rejecting = %v, want rejected", got)
	}

	resident := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
	run(t, ctx, "resident sees the refusal",
		residentOpens(srv.URL, resident, appID, "未批准"),
		chromedp.WaitVisible(chromedp.CSS(`.return-reason`)),
	)
	if top, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.return-reason`))); err != nil || !strings.Contains(top, why) {
		t.Fatalf("the resident's page does not say why it was refused: %q (%v)", top, err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.submit-app, .withdraw-app, .upload-btn').length`)); err != nil || n != 0 {
		t.Errorf("a refused application still offers %d submit, withdraw or upload controls (%v)", n, err)
	}
	// The refusal tells the resident how to challenge it.
	run(t, ctx, "appeal rights", chromedp.WaitVisible(chromedp.CSS(`.appeal-rights`)))
	if txt, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.appeal-rights`))); err != nil ||
		!strings.Contains(txt, "60 日内") || !strings.Contains(txt, "行政复议") || !strings.Contains(txt, "6 个月内") || !strings.Contains(txt, "行政诉讼") || !strings.Contains(txt, "12345") {
		t.Errorf("appeal rights %q (%v)", txt, err)
	}
	screen(t, ctx, "22-rejected")
}
