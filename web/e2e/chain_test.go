package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// staffLogin drops any session in the browser and logs the demo staff
// account username in through the login page, then opens the application.
func staffLogin(t *testing.T, ctx context.Context, srvURL, username, appID string) {
	t.Helper()
	run(t, ctx, username+" login",
		chromedp.Navigate(srvURL+"/staff/login"),
		js(`sessionStorage.clear()`),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), username),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.van-tabs`)),
		chromedp.Navigate(srvURL+"/staff/applications/"+appID),
		chromedp.WaitVisible(chromedp.CSS(`.app-status`)),
	)
}

// statusShown waits until the page's status tag reads text.
func statusShown(text string) chromedp.Action[chromedp.Void] {
	return chromedp.WaitVisible(fmt.Sprintf(`//span[contains(@class,"app-status")][normalize-space(.)=%q]`, text))
}

// residentOpens logs the resident in by session token and opens the
// application's page, waiting for its status.
func residentOpens(srvURL, token, appID, status string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		js(`sessionStorage.clear()`),
		residentSession(srvURL, token),
		chromedp.Navigate(srvURL+"/applications/"+appID),
		statusShown(status),
	)
}

// staffAct presses the action button of the staff detail page, confirms
// the dialog and waits for the new status.
func staffAct(t *testing.T, ctx context.Context, action, wantText string) {
	t.Helper()
	run(t, ctx, action,
		noToast(),
		press(`.act-`+action),
		settle(),
		press(`.van-dialog__confirm`),
		statusShown(wantText),
		settle(), // the dialog fades out
	)
}

// noToast waits until no Vant toast is showing (one may never have been
// shown, which WaitNotVisible would wait for forever).
func noToast() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`![...document.querySelectorAll('.van-toast')].some((e) => getComputedStyle(e).display !== 'none')`)
}

// setInput sets an input's value as typing would (Vue listens to input
// events); for inputs like type=date whose keyboard entry depends on the
// browser's locale.
func setInput(css, value string) chromedp.Action[chromedp.Void] {
	return js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event('input', { bubbles: true })) })()`, css, value))
}

// pageText is the visible text of the page body.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`body`)))
	if err != nil {
		t.Fatalf("page text: %v", err)
	}
	return s
}

// staffStatus is the application's status as the API reports it to staff.
func staffStatus(t *testing.T, env *apitest.Env, token, appID string) map[string]any {
	t.Helper()
	r := env.Get("/api/v1/staff/applications/"+appID, token)
	apitest.Want(t, r, http.StatusOK)
	return r.Map(t)
}

// TestStaffChainInBrowser drives the whole 低保 chain after submission in
// the browser: the community worker accepts, reviews each document,
// starts the investigation and records the assessment in 元; the street
// reviewer publicizes; the public notice page (no login) shows the masked
// name and amount and takes an objection; the street reviewer dismisses it;
// past the notice period the county approves. The page and the API agree
// at every step.
func TestStaffChainInBrowser(t *testing.T) {
	t.Parallel()
	env, srv := serve(t, apitest.WithEnv("JIUZHU_WORKFLOW_PUBLICITY_PERIOD", "1h"))
	_, appID, docs := submittedWithSchoolchild(t, env, "13900005555")
	apiTok := staffToken(t, env, "street")
	wantStatus := func(want string) {
		t.Helper()
		if got := staffStatus(t, env, apiTok, appID)["status"]; got != want {
			t.Fatalf("API status = %v, want %s", got, want)
		}
	}

	ctx := browser(t)
	staffLogin(t, ctx, srv.URL, "community", appID)
	staffAct(t, ctx, "accept", "已受理")
	wantStatus("accepted")

	for _, d := range docs {
		row := fmt.Sprintf(`div[data-doc=%q]`, d)
		run(t, ctx, "accept document",
			press(row+` .doc-accept`),
			chromedp.WaitVisible(fmt.Sprintf(`//div[@data-doc=%q]//span[normalize-space(.)="已通过"]`, d)),
		)
	}
	staffAct(t, ctx, "investigate", "调查核实中")
	wantStatus("investigating")

	visit := visitDate(env)
	run(t, ctx, "assessment",
		chromedp.SendKeys(chromedp.CSS(`input[name=per_capita_income]`), "200"),
		saveAssessment(env, "入户核实，父女二人，无其他收入"),
		chromedp.WaitVisible(chromedp.CSS(`.assessed-amount`)),
	)
	screen(t, ctx, "10-staff-assessment")
	detail := staffStatus(t, env, apiTok, appID)
	as, _ := detail["assessment"].(map[string]any)
	if as == nil || as["per_capita_income"] != float64(20000) {
		t.Fatalf("assessment after the form = %v, want 20000 fen per capita", as)
	}
	if hv, _ := as["home_visit"].(map[string]any); hv["date"] != visit || !strings.Contains(fmt.Sprint(hv["note"]), "入户核实") {
		t.Fatalf("home visit = %v, want %s with the note", hv, visit)
	}
	amount := int64(as["monthly_amount"].(float64))
	if amount <= 0 {
		t.Fatalf("computed monthly amount = %d, want above 0", amount)
	}
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.assessed-amount`)))
	if err != nil || !strings.Contains(shown, monthly(amount)) {
		t.Fatalf("assessed amount shown %q (%v), want %s", shown, err, monthly(amount))
	}

	staffLogin(t, ctx, srv.URL, "street", appID)
	staffAct(t, ctx, "publicize", "公示中")
	wantStatus("publicizing")

	run(t, ctx, "public notices",
		js(`sessionStorage.clear()`),
		chromedp.Navigate(srv.URL+"/notices"),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	notices := pageText(t, ctx)
	if !strings.Contains(notices, "欧阳**") || strings.Contains(notices, "欧阳振华") || !strings.Contains(notices, monthly(amount)) {
		t.Fatalf("notice page should show 欧阳** and %s only:\n%.800s", monthly(amount), notices)
	}
	screen(t, ctx, "11-public-notices")
	run(t, ctx, "object",
		press(`.object-btn`),
		settle(),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=content]`), "该户有私家车，收入情况不实"),
		chromedp.SendKeys(chromedp.CSS(`input[name=contact]`), "13812345678"),
		press(`.submit-objection`),
		chromedp.WaitVisible(byText("div", "异议已提交")),
	)
	var objs struct {
		Items []struct {
			ID, Status, Content string
			ContactMasked       string `json:"contact_masked"`
		} `json:"items"`
	}
	r := env.Get("/api/v1/staff/objections?application_id="+appID, apiTok)
	apitest.Want(t, r, http.StatusOK)
	r.JSON(t, &objs)
	if len(objs.Items) != 1 || objs.Items[0].Status != "open" || !strings.Contains(objs.Items[0].Content, "私家车") {
		t.Fatalf("objections after the form = %+v, want one open", objs.Items)
	}

	staffLogin(t, ctx, srv.URL, "street", appID)
	obj := fmt.Sprintf(`div[data-objection=%q]`, objs.Items[0].ID)
	run(t, ctx, "objection shown",
		chromedp.WaitVisible(chromedp.CSS(obj)),
	)
	if page := pageText(t, ctx); !strings.Contains(page, "私家车") || !strings.Contains(page, "138****5678") || strings.Contains(page, "13812345678") {
		t.Fatalf("objection should show its content and the masked contact:\n%.1500s", page)
	}
	run(t, ctx, "dismiss objection",
		chromedp.SendKeys(chromedp.CSS(obj+` textarea[name=resolution]`), "经核实，车辆为亲属所有，异议不成立"),
		press(obj+` .dismiss-objection`),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(fmt.Sprintf(`//div[@data-objection=%q]//span[normalize-space(.)="异议不成立"]`, objs.Items[0].ID)),
	)
	screen(t, ctx, "12-objection-dismissed")
	r = env.Get("/api/v1/staff/objections?application_id="+appID, apiTok)
	apitest.Want(t, r, http.StatusOK)
	resolved := r.Map(t)["items"].([]any)[0].(map[string]any)
	if resolved["status"] != "resolved" || resolved["upheld"] != false {
		t.Fatalf("objection after dismissing = %v, want resolved, not upheld", resolved)
	}
	wantStatus("publicizing")

	env.Clock.Advance(time.Hour + time.Second)
	apiTok = staffToken(t, env, "county")
	staffLogin(t, ctx, srv.URL, "county", appID)
	staffAct(t, ctx, "approve", "已批准")
	wantStatus("approved")
	screen(t, ctx, "13-approved")
}

// saveAssessment fills in the home visit (yesterday, with note) on the
// staff detail page and saves the assessment.
func saveAssessment(env *apitest.Env, note string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		setInput(`input[name=visit_date]`, visitDate(env)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name=visit_note]`), note),
		press(`.save-assessment`),
	)
}

// monthly and oneOff say an amount as the portal and the server do.
func monthly(fen int64) string { return "每月 " + model.Yuan(fen) + " 元" }
func oneOff(fen int64) string  { return "一次性 " + model.Yuan(fen) + " 元" }
