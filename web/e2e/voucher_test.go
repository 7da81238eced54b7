package e2e

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// demoPassword is the password of the seeded demo staff accounts.
const demoPassword = "jiuzhu-demo"

// post sends a JSON request through the real router and asserts the status.
func post(t *testing.T, env *apitest.Env, path, token string, body any, want int) *apitest.Response {
	t.Helper()
	r := env.Post(path, token, body)
	apitest.Want(t, r, want)
	return r
}

// staffToken logs a demo staff account in through the API.
func staffToken(t *testing.T, env *apitest.Env, username string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	post(t, env, "/api/v1/staff/sessions", "", map[string]string{"username": username, "password": demoPassword}, http.StatusCreated).JSON(t, &out)
	return out.Token
}

// submittedWithSchoolchild has a resident (by API) register a household
// with a child at the demo compulsory school, apply for 低保 with the
// required documents and submit; it returns the resident's id, the
// application id and the document ids.
func submittedWithSchoolchild(t *testing.T, env *apitest.Env, phone string) (residentID, appID string, docs []string) {
	t.Helper()
	tok, residentID := residentWithHousehold(t, env, phone)
	appID, docs = submitProgram(t, env, tok, model.ProgramDibao)
	return residentID, appID, docs
}

// The members residentWithHousehold registers.
var (
	headName = "欧阳振华"
	headID   = makeID("19800101", 2, true)
	childID  = makeID("20140301", 3, false)
)

// residentWithHousehold logs a resident in by API and registers a
// household of two: the head and a child at the demo compulsory school.
// It returns the resident's token and id.
func residentWithHousehold(t *testing.T, env *apitest.Env, phone string) (token, residentID string) {
	t.Helper()
	return residentWith(t, env, phone, []map[string]any{
		{"name": headName, "id_number": headID, "relation": "self", "monthly_income": 40000},
		{"name": "欧阳小雨", "id_number": childID, "relation": "child", "monthly_income": 0,
			"school": map[string]string{"school_id": "SCH-330502-compulsory", "stage": "compulsory", "grade": "5"}},
	})
}

// residentWith logs a resident in by API and registers an urban household
// of members (as PUT /me/household takes them) in 南门社区. It returns the
// resident's token and id.
func residentWith(t *testing.T, env *apitest.Env, phone string, members []map[string]any) (token, residentID string) {
	t.Helper()
	post(t, env, "/api/v1/auth/sms-codes", "", map[string]string{"phone": phone}, http.StatusAccepted)
	var login struct {
		Token    string `json:"token"`
		Resident struct {
			ID string `json:"id"`
		} `json:"resident"`
	}
	post(t, env, "/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": smsCode(t, env, phone)}, http.StatusCreated).JSON(t, &login)
	household := map[string]any{"region_code": "330502001001", "address": "湖州市吴兴区幸福路8号2幢301室", "hukou": "urban", "members": members}
	apitest.Want(t, env.Put("/api/v1/me/household", login.Token, household), http.StatusOK)
	return login.Token, login.Resident.ID
}

// submitProgram has the resident apply for program by API, upload the
// program's required documents (in catalog order) and submit; it returns
// the application and document ids.
func submitProgram(t *testing.T, env *apitest.Env, tok string, program model.ProgramCode) (appID string, docs []string) {
	t.Helper()
	var app struct {
		ID string `json:"id"`
	}
	post(t, env, "/api/v1/applications", tok, map[string]string{"program": string(program), "reason": "收入低"}, http.StatusCreated).JSON(t, &app)
	p, ok := model.ProgramOf(program)
	if !ok {
		t.Fatalf("no program %s", program)
	}
	jpeg, err := os.ReadFile(jpegFile(t, "proof.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range p.RequiredDocuments {
		kind := d.Kind
		body, ct := apitest.Multipart(t, map[string]string{"kind": kind}, kind+".jpg", jpeg)
		r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + app.ID + "/documents", Token: tok,
			Body: body, Header: map[string]string{"Content-Type": ct}})
		apitest.Want(t, r, http.StatusCreated)
		docs = append(docs, r.Map(t)["id"].(string))
	}
	post(t, env, "/api/v1/applications/"+app.ID+"/submit", tok, nil, http.StatusOK)
	return app.ID, docs
}

// approvedWithSchoolchild takes a submitted application with a schoolchild
// through the rest of the 低保 chain by API (community, street, county) and
// returns the resident's id; approval issues the child's voucher.
func approvedWithSchoolchild(t *testing.T, env *apitest.Env) string {
	t.Helper()
	residentID, appID := publicizedWithSchoolchild(t, env, "13900002222")
	env.Clock.Advance(env.Config.PublicityPeriod + time.Second)
	post(t, env, "/api/v1/staff/applications/"+appID+"/actions", staffToken(t, env, "county"), map[string]string{"action": "approve"}, http.StatusOK)
	return residentID
}

// TestVoucherShownAndRedeemed: the resident's phone shows the voucher with its
// QR image and code; the school operator looks the code up, enters an amount
// within the cap and redeems it once; the resident's voucher is then
// redeemed and the school's statement lists it.
func TestVoucherShownAndRedeemed(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	residentID := approvedWithSchoolchild(t, env)
	resident := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})

	ctx := browser(t)
	// The resident's session (made directly: the SMS limits run on the wall
	// clock, the notice period on the test clock) goes where login puts it.
	run(t, ctx, "resident session",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
		residentSession(srv.URL, resident),
		chromedp.Navigate(srv.URL+"/vouchers"),
		chromedp.WaitVisible(chromedp.CSS(`.voucher-code`)),
		chromedp.WaitVisible(chromedp.CSS(`img.qr`)),
	)
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.voucher-code`)))
	if err != nil {
		t.Fatal(err)
	}
	qrWidth, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector('img.qr').naturalWidth`))
	if err != nil || qrWidth < 50 {
		t.Fatalf("QR image not loaded (natural width %d, %v)", qrWidth, err)
	}
	if _, err := model.ParseVoucherCode(code); err != nil {
		t.Fatalf("shown code %q is not a voucher code: %v", code, err)
	}
	screen(t, ctx, "5-vouchers")

	run(t, ctx, "school login",
		js(`sessionStorage.clear()`),
		chromedp.Navigate(srv.URL+"/staff/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "school"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=voucher_code]`)),
	)
	run(t, ctx, "look up",
		// Typed in lower case: codes are case-insensitive.
		chromedp.SendKeys(chromedp.CSS(`input[name=voucher_code]`), strings.ToLower(code)),
		press(`.lookup-btn`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=amount_misc_fee]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=amount_misc_fee]`), "150"),
	)
	screen(t, ctx, "6-school-preview")
	run(t, ctx, "redeem",
		press(`.redeem-btn`),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(chromedp.CSS(`.redeemed`)),
	)
	done, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.redeemed`)))
	if err != nil || !strings.Contains(done, "¥150.00") {
		t.Fatalf("after redeeming the page says %q (%v), want the total ¥150.00", done, err)
	}

	r := env.Get("/api/v1/me/vouchers", resident)
	apitest.Want(t, r, http.StatusOK)
	var mine struct {
		Items []struct {
			Code, Term, Status string
		} `json:"items"`
	}
	r.JSON(t, &mine)
	if len(mine.Items) != 1 || mine.Items[0].Status != "redeemed" {
		t.Fatalf("resident's vouchers after redemption: %+v", mine.Items)
	}
	run(t, ctx, "statement",
		settle(), // the confirm dialog fades out
		press(`.statement-link`),
		// the redeemed code as a statement line's title (the redeem page
		// shows it too, as a value: waiting for that raced the navigation)
		chromedp.WaitVisible(fmt.Sprintf(`//div[contains(@class,"van-cell__title")]/span[normalize-space(.)=%q]`, mine.Items[0].Code)),
	)
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.page`)))
	if err != nil || !strings.Contains(page, mine.Items[0].Code) || !strings.Contains(page, "¥150.00") {
		t.Fatalf("statement page (%v) does not list %s with ¥150.00:\n%s", err, mine.Items[0].Code, page)
	}
	screen(t, ctx, "7-statement")
}

// residentSession stores a resident session the way the login page and the
// server do: the HttpOnly session cookie (set here through the DevTools
// protocol, as a script cannot) and the portal's marker in localStorage.
// The page must be on srvURL's origin.
func residentSession(srvURL, token string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		js(`sessionStorage.clear(); localStorage.setItem('jz_resident', JSON.stringify({phone_masked: '', expires_at: new Date(Date.now() + 86400000).toISOString()}))`),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			yes := true
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "jz_session", Value: token, URL: srvURL + "/api/",
				Path: "/api/", HTTPOnly: &yes, Secure: &yes, SameSite: network.CookieSameSiteLax})
			return err
		}),
	)
}

// js evaluates a script in the page for its effect.
func js(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, tg)
		return err
	})
}

// TestCommunityWorkerAcceptsFromQueue: the community worker logs in, finds
// the submitted application in the queue, opens it (personal data masked)
// and accepts it; the page and the API say 已受理.
func TestCommunityWorkerAcceptsFromQueue(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	_, appID, _ := submittedWithSchoolchild(t, env, "13900003333")

	ctx := browser(t)
	run(t, ctx, "staff login",
		chromedp.Navigate(srv.URL+"/staff/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "community"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.queue-row`)),
	)
	screen(t, ctx, "8-staff-queue")
	run(t, ctx, "open",
		press(`.queue-row`),
		chromedp.WaitVisible(`//span[contains(@class,"app-status")][normalize-space(.)="已提交"]`),
	)
	page, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.page`)))
	if err != nil || !strings.Contains(page, "欧阳**") || strings.Contains(page, "欧阳振华") {
		t.Fatalf("detail page (%v) should show the masked name only:\n%.500s", err, page)
	}
	run(t, ctx, "accept",
		press(`.act-accept`),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(`//span[contains(@class,"app-status")][normalize-space(.)="已受理"]`),
	)
	screen(t, ctx, "9-staff-accepted")
	r := env.Get("/api/v1/staff/applications/"+appID, staffToken(t, env, "community"))
	apitest.Want(t, r, http.StatusOK)
	if st := r.Map(t)["status"]; st != "accepted" {
		t.Fatalf("status after accepting in the browser = %v, want accepted", st)
	}
}
