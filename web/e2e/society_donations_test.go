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

// TestDonorTracesReceipt: a donor goes from the login page to the public
// donations page and on to the trace page, types the receipt number and
// trace code from the receipt, and reads where the gift went — a program,
// a district and a month — without the recipient of the named case.
func TestDonorTracesReceipt(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	county, station := staffToken(t, env, "county"), staffToken(t, env, "station")
	var donor struct {
		ID string `json:"id"`
	}
	post(t, env, "/api/v1/staff/society/donors", county, map[string]any{"kind": "company", "name": "湖州善行建材有限公司", "phone": "13900007777", "may_be_named": true},
		http.StatusCreated).JSON(t, &donor)
	var gift struct {
		ID            string `json:"id"`
		ReceiptNumber string `json:"receipt_number"`
		TraceCode     string `json:"trace_code"`
	}
	post(t, env, "/api/v1/staff/station/donations", station, map[string]any{"donor_id": donor.ID, "kind": "money", "amount": 50000},
		http.StatusCreated).JSON(t, &gift)
	const recipient = "钱受助"
	school := service.DemoSchoolID("330502", model.StageCompulsory)
	ids, err := env.InsertHousehold(context.Background(), apitest.FixtureHousehold{RegionCode: "330502001001", Phone: "13900008888", Address: "月河路 9 号",
		Program: model.ProgramTemporary, MonthlyAmount: 80000, Members: []apitest.FixtureMember{
			{Name: recipient, IDNumber: makeID("19800101", 7, true), Relation: "self"},
			{Name: "钱小受", IDNumber: makeID("20150101", 8, false), Relation: "child", SchoolID: school, Stage: model.StageCompulsory}}})
	if err != nil {
		t.Fatal(err)
	}
	post(t, env, "/api/v1/staff/society/donations/"+gift.ID+"/allocations", county, map[string]any{"program": "temporary", "region_code": "330502", "amount": 30000}, http.StatusCreated)
	post(t, env, "/api/v1/staff/society/donations/"+gift.ID+"/allocations", county, map[string]any{"application_id": ids.ApplicationID, "amount": 15000}, http.StatusCreated)

	ctx := browser(t)
	run(t, ctx, "public donations from the login page",
		chromedp.Navigate(srv.URL+"/login"),
		press(`.donations-link`),
		chromedp.WaitVisible(chromedp.CSS(`.named-donor`)),
		chromedp.WaitVisible(chromedp.CSS(`.money-received`)),
	)
	txt := pageText(t, ctx)
	for _, want := range []string{"湖州善行建材有限公司", "¥500.00", "¥450.00", "临时救助"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the public page does not say %q:\n%s", want, txt)
		}
	}
	screen(t, ctx, "society-0-public")

	run(t, ctx, "a wrong trace code",
		press(`.trace-link`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=receipt_number]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=receipt_number]`), gift.ReceiptNumber),
		chromedp.SendKeys(chromedp.CSS(`input[name=trace_code]`), "0000-0000-0000-0000"),
		press(`.trace-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.trace-error`)),
	)
	if txt := pageText(t, ctx); !strings.Contains(txt, "请核对收据上的收据编号和查询码") {
		t.Errorf("wrong code message:\n%s", txt)
	}
	run(t, ctx, "the right one",
		setInput(`input[name=trace_code]`, strings.ToLower(gift.TraceCode)),
		press(`.trace-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.trace-line`)),
	)
	txt = pageText(t, ctx)
	for _, want := range []string{gift.ReceiptNumber, "您捐赠的 300 元 已于", "您捐赠的 150 元 已于", "用于吴兴区的临时救助", "¥450.00", "¥50.00", "尚余 50 元 待分配"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the trace does not say %q:\n%s", want, txt)
		}
	}
	for _, secret := range []string{recipient, "钱小受", "13900008888", "月河路", "南门社区", "实验小学", ids.ApplicationID} {
		if strings.Contains(txt, secret) {
			t.Errorf("the trace page shows %q", secret)
		}
	}
	screen(t, ctx, "society-1-trace")
}

// TestStationRecordsAndPrintsReceipt: the station logs in, records a gift
// from a registered donor found by phone, and sees the printable receipt
// (styled by its own stylesheet under the site's policy) with its number
// and trace code; the donor then traces it before any allocation.
func TestStationRecordsAndPrintsReceipt(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	post(t, env, "/api/v1/staff/society/donors", staffToken(t, env, "county"),
		map[string]any{"kind": "individual", "name": "孙乐善", "phone": "13900006666"}, http.StatusCreated)
	ctx := browser(t)
	run(t, ctx, "station login",
		chromedp.Navigate(srv.URL+"/staff/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "station"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.record-btn`)),
		chromedp.WaitVisible(byText("h1", service.DemoStationName)),
	)
	run(t, ctx, "record a gift",
		chromedp.SendKeys(chromedp.CSS(`input[name=donor_phone]`), "13900006666"),
		chromedp.SendKeys(chromedp.CSS(`input[name=amount]`), "200.5"),
		chromedp.WaitVisible(chromedp.CSS(`.donor-found`)),
		press(`.record-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.print-btn`)),
		chromedp.Poll[chromedp.Void](`(() => { const d = document.querySelector('.receipt-frame').contentDocument; return d && d.querySelector('#trace-code') !== null })()`),
	)
	read := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	doc := `document.querySelector('.receipt-frame').contentDocument`
	number, code := read(doc+`.querySelector('#receipt-number').textContent`), read(doc+`.querySelector('#trace-code').textContent`)
	receipt := read(doc + `.body.innerText`)
	for _, want := range []string{"社会捐赠收据", "人民币 200.50 元", "孙**", service.DemoStationName} {
		if !strings.Contains(receipt, want) {
			t.Errorf("the receipt does not say %q:\n%s", want, receipt)
		}
	}
	// The receipt's stylesheet applied inside the portal's frame.
	if font := read(`getComputedStyle(` + doc + `.body).fontFamily`); !strings.Contains(font, "SimSun") {
		t.Errorf("receipt unstyled (font %q)", font)
	}
	if model.CanonicalTraceCode(code) != code || !strings.HasPrefix(number, "JZ330502-") {
		t.Fatalf("receipt number %q, code %q", number, code)
	}
	screen(t, ctx, "society-2-receipt")

	run(t, ctx, "the donor traces it",
		js(`sessionStorage.clear(); localStorage.clear()`),
		chromedp.Navigate(srv.URL+"/donations/trace"),
		chromedp.SendKeys(chromedp.CSS(`input[name=receipt_number]`), number),
		chromedp.SendKeys(chromedp.CSS(`input[name=trace_code]`), code),
		press(`.trace-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.trace-summary`)),
	)
	if txt := pageText(t, ctx); !strings.Contains(txt, "尚余 200.50 元 待分配") || !strings.Contains(txt, "还没有分配") {
		t.Errorf("trace before allocation:\n%s", txt)
	}
}
