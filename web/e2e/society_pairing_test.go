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

// TestDonorReadsPairingAndWrites: a donor paired by the bureau with a
// consenting child opens 我的结对助学 from the trace page, types the
// pairing number and code, reads the child's anonymised profile, the
// payment and the family's letter, is told why a letter with a phone
// number is refused, and sends one that is fine — never seeing the child's
// name, school or address.
func TestDonorReadsPairingAndWrites(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	county, station := staffToken(t, env, "county"), staffToken(t, env, "station")
	const child = "孙小结"
	school := service.DemoSchoolID("330502", model.StageCompulsory)
	ids, err := env.InsertHousehold(context.Background(), apitest.FixtureHousehold{RegionCode: "330502001001", Phone: "13900005151", Address: "月河路 11 号",
		Program: model.ProgramDibao, MonthlyAmount: 80000, Members: []apitest.FixtureMember{
			{Name: "孙监护", IDNumber: makeID("19800101", 9, true), Relation: "self"},
			{Name: child, IDNumber: makeID("20140101", 10, false), Relation: "child", SchoolID: school, Stage: model.StageCompulsory}}})
	if err != nil {
		t.Fatal(err)
	}
	guardian := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: ids.ResidentID})
	var consent struct {
		ID string `json:"id"`
	}
	post(t, env, "/api/v1/resident/pairing-consents", guardian, map[string]any{"member_id": ids.MemberIDs[1], "need": "需要课外书和冬天的衣服", "letters": true},
		http.StatusCreated).JSON(t, &consent)
	var donor struct {
		ID string `json:"id"`
	}
	post(t, env, "/api/v1/staff/society/donors", county, map[string]any{"kind": "individual", "name": "郑助学", "phone": "13900005252"},
		http.StatusCreated).JSON(t, &donor)
	var gift struct {
		ID string `json:"id"`
	}
	post(t, env, "/api/v1/staff/station/donations", station, map[string]any{"donor_id": donor.ID, "kind": "money", "amount": 100000},
		http.StatusCreated).JSON(t, &gift)
	var pairing struct {
		ID     string `json:"id"`
		Number string `json:"number"`
		Code   string `json:"code"`
	}
	post(t, env, "/api/v1/staff/society/pairings", county, map[string]any{"profile_id": consent.ID, "donor_id": donor.ID, "donor_letters": true},
		http.StatusCreated).JSON(t, &pairing)
	post(t, env, "/api/v1/staff/society/pairings/"+pairing.ID+"/payments", county, map[string]any{"donation_id": gift.ID, "amount": 60000}, http.StatusCreated)
	post(t, env, "/api/v1/resident/pairings/"+pairing.ID+"/letters", guardian, map[string]any{"body": "谢谢您送来的课外书，我每天都在读。"}, http.StatusCreated)

	ctx := browser(t)
	run(t, ctx, "the donor opens the pairing",
		chromedp.Navigate(srv.URL+"/donations/trace"),
		press(`.pairing-donor-link`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=number]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=number]`), pairing.Number),
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), strings.ToLower(pairing.Code)),
		press(`.pairing-donor-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.pairing-letter`)),
	)
	txt := pageText(t, ctx)
	for _, want := range []string{pairing.Number, "初中", "吴兴区", "需要课外书和冬天的衣服", "¥600.00", "结对助学款 600 元", "谢谢您送来的课外书"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the pairing page does not say %q:\n%s", want, txt)
		}
	}
	screen(t, ctx, "pairing-donor-0-view")

	run(t, ctx, "a letter with a phone number is refused",
		chromedp.SendKeys(chromedp.CSS(`.pairing-letter-field textarea`), "有事打我电话 13912345678"),
		press(`.pairing-letter-send`),
		chromedp.WaitVisible(chromedp.CSS(`.pairing-letter-error`)),
	)
	if txt := pageText(t, ctx); !strings.Contains(txt, "为了保护孩子，信中不能写电话号码") {
		t.Errorf("refusal not explained:\n%s", txt)
	}
	screen(t, ctx, "pairing-donor-1-refused")
	run(t, ctx, "a fine letter is sent",
		setInput(`.pairing-letter-field textarea`, "看到你喜欢读书真高兴，下次再寄几本。"),
		press(`.pairing-letter-send`),
		chromedp.WaitVisible(chromedp.CSS(`.pairing-letter-sent`)),
	)
	txt = pageText(t, ctx)
	if !strings.Contains(txt, "下次再寄几本") {
		t.Errorf("the sent letter is not shown:\n%s", txt)
	}
	for _, secret := range []string{child, "孙监护", "13900005151", "月河路", "南门社区", "实验小学", ids.ApplicationID} {
		if strings.Contains(txt, secret) {
			t.Errorf("the donor's page shows %q", secret)
		}
	}
	screen(t, ctx, "pairing-donor-2-sent")
}

// TestFamilyReadsPairingAndWritesBack: the guardian opens 结对助学 and sees
// the pairing of their child — the company that agreed to be named, the
// payment and the donor's letter — is told why a reply naming the child is
// refused, and sends one that does not.
func TestFamilyReadsPairingAndWritesBack(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	county, station := staffToken(t, env, "county"), staffToken(t, env, "station")
	const child = "吕小信"
	school := service.DemoSchoolID("330502", model.StageCompulsory)
	ids, err := env.InsertHousehold(context.Background(), apitest.FixtureHousehold{RegionCode: "330502001001", Phone: "13900003131", Address: "月河路 31 号",
		Program: model.ProgramDibao, MonthlyAmount: 80000, Members: []apitest.FixtureMember{
			{Name: "吕监护", IDNumber: makeID("19800101", 13, true), Relation: "self"},
			{Name: child, IDNumber: makeID("20140101", 14, false), Relation: "child", SchoolID: school, Stage: model.StageCompulsory}}})
	if err != nil {
		t.Fatal(err)
	}
	guardian := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: ids.ResidentID})
	var consent, donor, gift, pairing struct {
		ID     string `json:"id"`
		Number string `json:"number"`
		Code   string `json:"code"`
	}
	post(t, env, "/api/v1/resident/pairing-consents", guardian, map[string]any{"member_id": ids.MemberIDs[1], "need": "需要学习用品", "letters": true},
		http.StatusCreated).JSON(t, &consent)
	post(t, env, "/api/v1/staff/society/donors", county, map[string]any{"kind": "company", "name": "湖州春雨文具有限公司", "phone": "13900003232"},
		http.StatusCreated).JSON(t, &donor)
	post(t, env, "/api/v1/staff/station/donations", station, map[string]any{"donor_id": donor.ID, "kind": "money", "amount": 80000},
		http.StatusCreated).JSON(t, &gift)
	post(t, env, "/api/v1/staff/society/pairings", county, map[string]any{"profile_id": consent.ID, "donor_id": donor.ID, "donor_letters": true, "donor_named": true},
		http.StatusCreated).JSON(t, &pairing)
	post(t, env, "/api/v1/staff/society/pairings/"+pairing.ID+"/payments", county, map[string]any{"donation_id": gift.ID, "amount": 40000}, http.StatusCreated)
	post(t, env, "/api/v1/public/pairings/letters", "", map[string]any{"number": pairing.Number, "code": pairing.Code, "body": "新学期的文具收到了吗？"}, http.StatusCreated)

	ctx := browser(t)
	run(t, ctx, "open 结对助学",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
		residentSession(srv.URL, guardian),
		chromedp.Navigate(srv.URL+"/pairing"),
		chromedp.WaitVisible(chromedp.CSS(`.family-letter`)),
	)
	txt := pageText(t, ctx)
	for _, want := range []string{"湖州春雨文具有限公司", "¥400.00", "结对助学款 400 元", "新学期的文具收到了吗"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the family's pairing does not say %q:\n%s", want, txt)
		}
	}
	screen(t, ctx, "pairing-family-0")
	run(t, ctx, "a reply naming the child is refused",
		chromedp.SendKeys(chromedp.CSS(`.family-letter-field textarea`), "收到了，谢谢！"+child),
		press(`.family-letter-send`),
		chromedp.WaitVisible(chromedp.CSS(`.family-letter-error`)),
	)
	if txt := pageText(t, ctx); !strings.Contains(txt, "不能写孩子或家人的姓名") {
		t.Errorf("refusal not explained:\n%s", txt)
	}
	run(t, ctx, "a fine reply is sent",
		setInput(`.family-letter-field textarea`, "收到了，谢谢叔叔阿姨！"),
		press(`.family-letter-send`),
		chromedp.WaitVisible(byText("div", "谢谢叔叔阿姨")),
	)
	screen(t, ctx, "pairing-family-1")
}
