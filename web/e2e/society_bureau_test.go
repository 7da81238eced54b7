package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// TestBureauSocietyScreens: the civil-affairs bureau (the county account)
// goes from its queue to 社会捐赠, registers a donor, sees the stations,
// allocates part of a donation, pairs the donor with a consenting child
// (the number and code shown once), records a payment, reads the family's
// letter and stops the letters — on a phone screen, each screen checked by
// axe.
func TestBureauSocietyScreens(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	station := staffToken(t, env, "station")
	school := service.DemoSchoolID("330502", model.StageCompulsory)
	const child = "冯小学"
	ids, err := env.InsertHousehold(context.Background(), apitest.FixtureHousehold{RegionCode: "330502001001", Phone: "13900004141", Address: "月河路 21 号",
		Program: model.ProgramDibao, MonthlyAmount: 80000, Members: []apitest.FixtureMember{
			{Name: "冯监护", IDNumber: makeID("19800101", 11, true), Relation: "self"},
			{Name: child, IDNumber: makeID("20140101", 12, false), Relation: "child", SchoolID: school, Stage: model.StageCompulsory}}})
	if err != nil {
		t.Fatal(err)
	}
	guardian := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: ids.ResidentID})
	post(t, env, "/api/v1/resident/pairing-consents", guardian, map[string]any{"member_id": ids.MemberIDs[1], "need": "需要一辆自行车上学", "letters": true}, http.StatusCreated)

	ctx := browser(t)
	run(t, ctx, "the bureau opens 社会捐赠",
		chromedp.Navigate(srv.URL+"/staff/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "county"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		press(`.society-link`),
		chromedp.WaitVisible(chromedp.CSS(`.register-donor-btn`)),
	)
	run(t, ctx, "register a donor",
		press(`.donor-kind-individual`),
		chromedp.SendKeys(chromedp.CSS(`input[name=donor_name]`), "褚善心"),
		chromedp.SendKeys(chromedp.CSS(`input[name=donor_phone]`), "13900004242"),
		press(`.register-donor-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.donor-row`)),
	)
	if txt := pageText(t, ctx); !strings.Contains(txt, "褚**") || strings.Contains(txt, "褚善心") || strings.Contains(txt, "13900004242") {
		t.Errorf("the donor list does not mask the person:\n%s", txt)
	}
	screen(t, ctx, "bureau-0-donors")

	// The donor gives 1,000 元 at the station.
	var donors struct {
		Items []struct{ ID, Name string }
	}
	r := env.Get("/api/v1/staff/society/donors", staffToken(t, env, "county"))
	apitest.Want(t, r, http.StatusOK)
	r.JSON(t, &donors)
	var gift struct {
		ReceiptNumber string `json:"receipt_number"`
	}
	post(t, env, "/api/v1/staff/station/donations", station, map[string]any{"donor_id": donors.Items[0].ID, "kind": "money", "amount": 100000},
		http.StatusCreated).JSON(t, &gift)

	run(t, ctx, "stations",
		settle(),
		press(`.van-tab:nth-child(2)`),
		chromedp.WaitVisible(chromedp.CSS(`.station-row`)),
	)
	if txt := pageText(t, ctx); !strings.Contains(txt, service.DemoStationName) {
		t.Errorf("the demo station is not listed:\n%s", txt)
	}
	screen(t, ctx, "bureau-1-stations")

	run(t, ctx, "allocate 200 元 of the gift to 临时救助",
		press(`.van-tab:nth-child(3)`),
		chromedp.WaitVisible(chromedp.CSS(`.donation-row`)),
		press(`.donation-row`),
		chromedp.WaitVisible(chromedp.CSS(`.allocate-btn`)),
		settle(),
		press(`.alloc-prog-temporary`),
		chromedp.SendKeys(chromedp.CSS(`input[name=alloc_amount]`), "200"),
		press(`.allocate-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.allocation-row`)),
	)
	if txt := pageText(t, ctx); !strings.Contains(txt, "¥800.00") || !strings.Contains(txt, "临时救助") {
		t.Errorf("after the allocation:\n%s", txt)
	}
	screen(t, ctx, "bureau-2-allocation")

	run(t, ctx, "pair the donor with the child",
		js(`document.querySelector('.donation-popup').closest('.van-popup') && document.querySelector('.van-overlay') && document.querySelector('.van-overlay').click()`),
		settle(),
		press(`.van-tab:nth-child(4)`),
		chromedp.WaitVisible(chromedp.CSS(`.match-btn`)),
		press(`.match-btn`),
		settle(),
		press(`.match-donor`),
		press(`.match-letters`),
		press(`.confirm-match-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.created-code`)),
	)
	txt := pageText(t, ctx)
	if !strings.Contains(txt, "JD330502-") {
		t.Errorf("no pairing number shown:\n%s", txt)
	}
	for _, secret := range []string{child, "冯监护", "13900004141", "月河路", "实验小学"} {
		if strings.Contains(txt, secret) {
			t.Errorf("the bureau's pairing screen shows %q", secret)
		}
	}
	screen(t, ctx, "bureau-3-matched")

	// The family writes to the donor.
	var fam struct {
		Items []struct{ ID string }
	}
	r = env.Get("/api/v1/resident/pairings", guardian)
	apitest.Want(t, r, http.StatusOK)
	r.JSON(t, &fam)
	post(t, env, "/api/v1/resident/pairings/"+fam.Items[0].ID+"/letters", guardian, map[string]any{"body": "谢谢您，我想要一辆蓝色的自行车。"}, http.StatusCreated)

	run(t, ctx, "record a payment and read the letters",
		js(`document.querySelector('.van-overlay') && Array.from(document.querySelectorAll('.van-overlay')).forEach(o => o.click())`),
		settle(),
		press(`.van-tab:nth-child(4)`),
		chromedp.WaitVisible(chromedp.CSS(`.pairing-row`)),
		press(`.pairing-row`),
		chromedp.WaitVisible(chromedp.CSS(`.review-letter`)),
		settle(),
		press(`.pay-donation`),
		chromedp.SendKeys(chromedp.CSS(`input[name=pay_amount]`), "300"),
		press(`.pay-btn`),
		chromedp.WaitVisible(byText("div", "¥300.00")),
	)
	if txt := pageText(t, ctx); !strings.Contains(txt, "蓝色的自行车") || !strings.Contains(txt, "结对助学款 300 元") {
		t.Errorf("the pairing detail:\n%s", txt)
	}
	screen(t, ctx, "bureau-4-pairing")
	run(t, ctx, "stop the letters",
		chromedp.SendKeys(chromedp.CSS(`input[name=stop_reason]`), "捐赠人要求停止"),
		press(`.stop-letters-btn`),
		chromedp.WaitVisible(byText("p", "通信已停止")),
	)
	screen(t, ctx, "bureau-5-stopped")
}
