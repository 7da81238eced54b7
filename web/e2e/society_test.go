package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// pairingProfiles is the bureau's list of children that may be offered.
func pairingProfiles(t *testing.T, env *apitest.Env) []map[string]any {
	t.Helper()
	r := env.Get("/api/v1/staff/pairing-profiles", staffToken(t, env, "county"))
	apitest.Want(t, r, http.StatusOK)
	var out struct {
		Items []map[string]any `json:"items"`
	}
	r.JSON(t, &out)
	return out.Items
}

// TestGuardianConsentGivenAndRevoked: the guardian of an approved
// household opens 结对助学, reads what donors will and will not see,
// consents for the school child with the need in words (the bureau's list
// has the child, anonymised) and revokes (the list is empty at once).
func TestGuardianConsentGivenAndRevoked(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	ids, err := env.InsertHousehold(context.Background(), apitest.FixtureHousehold{RegionCode: "330502001001", Phone: "13900003333",
		Address: "湖州市吴兴区幸福路9号", Program: model.ProgramDibao, MonthlyAmount: 80000, Members: []apitest.FixtureMember{
			{Name: "欧阳振华", IDNumber: makeID("19800101", 5, true), Relation: model.RelationSelf},
			{Name: "欧阳小雨", IDNumber: makeID("20140301", 6, false), Relation: model.RelationChild, SchoolID: "SCH-330502-compulsory", Stage: model.StageCompulsory},
		}})
	if err != nil {
		t.Fatal(err)
	}
	resident := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: ids.ResidentID})

	ctx := browser(t)
	run(t, ctx, "open 结对助学",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
		residentSession(srv.URL, resident),
		chromedp.Navigate(srv.URL+"/home"),
		press(`.pairing-link`),
		chromedp.WaitVisible(chromedp.CSS(`.consent-btn`)),
	)
	page := pageText(t, ctx)
	for _, want := range []string{"爱心人士能看到的", "爱心人士看不到的", "孩子的姓名、学校、身份证号、照片", "未参加"} {
		if !strings.Contains(page, want) {
			t.Errorf("the consent screen does not say %q:\n%s", want, page)
		}
	}
	screen(t, ctx, "pairing-consent")
	run(t, ctx, "consent",
		chromedp.SendKeys(chromedp.CSS(`.need-field textarea`), "孩子喜欢读书，需要课外书和冬天的衣服"),
		press(`.consent-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.revoke-btn`)),
	)
	shown, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.shown-profile`)))
	if err != nil || !strings.Contains(shown, "吴兴区") || !strings.Contains(shown, "需要课外书") || strings.Contains(shown, "欧阳") {
		t.Errorf("what donors see, as shown to the guardian: %q (%v)", shown, err)
	}
	profiles := pairingProfiles(t, env)
	if len(profiles) != 1 || profiles[0]["county_name"] != "吴兴区" || !strings.Contains(profiles[0]["need"].(string), "课外书") {
		t.Fatalf("bureau's list after consent: %v", profiles)
	}
	run(t, ctx, "revoke",
		press(`.revoke-btn`),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(chromedp.CSS(`.consent-btn`)),
		chromedp.WaitVisible(chromedp.CSS(`.done-hint`)),
	)
	if p := pairingProfiles(t, env); len(p) != 0 {
		t.Fatalf("bureau's list after revocation: %v", p)
	}
	screen(t, ctx, "pairing-revoked")
}

// TestVolunteerSeesHoursAndCertificate: the community worker posts an
// activity on the staff pages; a volunteer logs in with an SMS code on the
// volunteer login, registers and signs up; after the activity the worker
// logs 2.5 hours on the activity's page; the volunteer sees them and opens
// the printable certificate.
func TestVolunteerSeesHoursAndCertificate(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	ctx := browser(t)
	worker := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		run(t, ctx, step, append([]chromedp.Action[chromedp.Void]{
			chromedp.Navigate(srv.URL + "/staff/login"),
			js(`sessionStorage.clear()`),
			chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "community"),
			chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
			press(`.staff-login-btn`),
			press(`.activities-link`),
			chromedp.WaitVisible(chromedp.CSS(`.section-title`)),
		}, actions...)...)
	}
	start := env.Clock.Now().Add(time.Hour).In(time.Local).Format("2006-01-02T15:04")
	worker("post an activity",
		chromedp.SendKeys(chromedp.CSS(`input[name=title]`), "探访独居老人"),
		chromedp.SendKeys(chromedp.CSS(`input[name=place]`), "南门社区服务中心集合"),
		setInput(`.start-input`, start),
		setInput(`input[name=length]`, "3"),
		press(`.post-activity-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.staff-activity`)),
	)
	screen(t, ctx, "staff-activities")

	const phone = "13900004444"
	run(t, ctx, "volunteer login",
		js(`sessionStorage.clear()`),
		chromedp.Navigate(srv.URL+"/volunteer"),
		chromedp.WaitVisible(byText("h2", "志愿者登录")),
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), phone),
		press(`.send-code`),
	)
	run(t, ctx, "code",
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), smsCode(t, env, phone)),
		press(`.login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.register-btn`)),
		chromedp.WaitReady(chromedp.CSS(`.region-select option[value="330502001001"]`)),
	)
	screen(t, ctx, "volunteer-register")
	run(t, ctx, "register",
		chromedp.SendKeys(chromedp.CSS(`.name-field input`), "周明亮"),
		js(`(() => { const s = document.querySelector('.region-select'); s.value = '330502001001'; s.dispatchEvent(new Event('change')) })()`),
		press(`.register-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.signup-btn`)),
	)
	screen(t, ctx, "volunteer-activities")
	run(t, ctx, "sign up",
		noToast(), // 登记成功 sits where the button is
		press(`.signup-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.signed-up`)),
	)

	env.Clock.Advance(4 * time.Hour)
	worker("log hours",
		press(`.staff-activity .van-cell`),
		chromedp.WaitVisible(chromedp.CSS(`.hours-input`)),
		chromedp.SendKeys(chromedp.CSS(`.hours-input`), "2.5"),
		press(`.log-hours-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.logged-hours`)),
	)
	logged, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.logged-hours`)))
	if err != nil || !strings.Contains(logged, "2.5") {
		t.Fatalf("the worker's page shows %q (%v)", logged, err)
	}

	run(t, ctx, "back to the volunteer", js(`sessionStorage.clear()`))
	run(t, ctx, "my hours",
		chromedp.Navigate(srv.URL+"/volunteer"),
		chromedp.WaitVisible(byText("span", "我的时长")),
		press(`.van-tabs__nav .van-tab:nth-child(2)`),
		settle(),
		chromedp.WaitVisible(chromedp.CSS(`.hours-row`)),
	)
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.total-hours`)))
	if err != nil || total != "2.5" {
		t.Fatalf("total hours shown %q (%v), want 2.5", total, err)
	}
	screen(t, ctx, "volunteer-hours")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.certificate-link').getAttribute('href')`))
	if err != nil || href != "/api/v1/volunteer/certificate" {
		t.Fatalf("certificate link %q (%v)", href, err)
	}
	run(t, ctx, "certificate",
		chromedp.Navigate(srv.URL+href),
		chromedp.WaitVisible(chromedp.CSS(`#total-hours`)),
	)
	shot(t, ctx, "volunteer-certificate")
	cert := pageText(t, ctx)
	for _, want := range []string{"志愿服务时长证明", "周明亮", "2.50", "探访独居老人", "南门社区"} {
		if !strings.Contains(cert, want) {
			t.Errorf("certificate lacks %q:\n%s", want, cert)
		}
	}
	// The page's own policy admits its style sheet: the title is centred.
	align, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('h1')).textAlign`))
	if err != nil || align != "center" {
		t.Errorf("certificate style not applied (h1 text-align %q, %v)", align, err)
	}
}
