package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// TestMoneyInBrowser: the resident registers a bank card on the household
// page; the county makes next month's roll on the money page (and is shown
// no approve button: it made the roll); finance, who lands on the money
// page, approves it and records the bank's answer; the ledger shows it
// paid. The page and the API agree.
func TestMoneyInBrowser(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	ctx := context.Background()
	next := model.AddMonths(model.MonthOf(env.Clock.Now()), 1)
	ids, err := env.InsertHousehold(ctx, apitest.FixtureHousehold{RegionCode: "330502001001", Phone: "13900007777", Address: "人民路8号",
		Program: model.ProgramDibao, MonthlyAmount: 82000,
		Members: []apitest.FixtureMember{{Name: "钱学勤", IDNumber: makeID("19600101", 5, true), Relation: "self"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.InsertBenefit(ctx, apitest.FixtureBenefit{IDs: ids, Program: model.ProgramDibao, RegionCode: "330502001001",
		FirstMonth: next, Versions: map[string]int64{next: 82000}}); err != nil {
		t.Fatal(err)
	}
	tok := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: ids.ResidentID})

	b := browser(t)
	run(t, b, "resident registers a bank card",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
		residentSession(srv.URL, tok),
		chromedp.Navigate(srv.URL+"/household"),
		press(`.task-bank`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=bank]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=bank]`), "中国农业银行湖州分行"),
		chromedp.SendKeys(chromedp.CSS(`input[name=account]`), "6228480012345679876"),
		nextStep(),
		// The fixture's member was registered without a work ability: the
		// save's error summary leads to the question.
		press(`.save-household`),
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
		chromedp.Click(`//a[contains(@class,"error-summary-link")][contains(., "劳动能力")]`),
		press(`.work-partial`),
		nextStep(),
		press(`.save-household`),
		chromedp.WaitVisible(chromedp.CSS(`.new-app`)), // saved: back on the home page
	)
	h := env.Get("/api/v1/me/household", tok)
	apitest.Want(t, h, http.StatusOK)
	if acct, _ := h.Map(t)["bank_account"].(map[string]any); acct == nil || acct["account_number"] != "**** 9876" {
		t.Fatalf("bank account after the save: %v", h.Map(t)["bank_account"])
	}
	run(t, b, "the card is shown masked",
		chromedp.Navigate(srv.URL+"/household/bank"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=account]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('input[name=account]').value === '**** 9876'`),
	)

	run(t, b, "county makes next month's roll",
		chromedp.Navigate(srv.URL+"/staff/login"),
		js(`sessionStorage.clear(); localStorage.clear()`),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "county"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		press(`.to-money`),
		chromedp.WaitVisible(chromedp.CSS(`.make-roll-btn`)),
		setInput(`.roll-period input`, next),
		press(`.make-roll-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.roll-total`)),
		chromedp.WaitVisible(byText("p", "名册须由编制人以外的财务人员审核")),
	)
	screen(t, b, "money-county-roll")
	if txt := pageText(t, b); !strings.Contains(txt, "¥820.00") || strings.Contains(txt, "审核通过") {
		t.Fatalf("the county's roll view: %s", txt)
	}

	run(t, b, "finance approves and records the bank's answer",
		chromedp.Navigate(srv.URL+"/staff/login"),
		js(`sessionStorage.clear()`),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "finance"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), demoPassword),
		press(`.staff-login-btn`),
		press(`.roll-row`),
		settle(),
		press(`.approve-roll`),
		chromedp.WaitVisible(chromedp.CSS(`.export-roll`)),
		press(`.record-results`),
		chromedp.WaitVisible(byText("span", "已发放")),
	)
	screen(t, b, "money-finance-roll")

	fin := staffToken(t, env, "finance")
	r := env.Get("/api/v1/staff/payment-rolls", fin)
	apitest.Want(t, r, http.StatusOK)
	var page struct {
		Items []struct {
			ID, Status string
			Total      int64
		} `json:"items"`
	}
	r.JSON(t, &page)
	if len(page.Items) != 1 || page.Items[0].Status != "approved" || page.Items[0].Total != 82000 {
		t.Fatalf("rolls %+v", page.Items)
	}

	run(t, b, "the ledger shows it paid",
		chromedp.Navigate(srv.URL+"/staff/money"),
		press(`.van-tab:nth-child(2)`),
		settle(),
		setInput(`.ledger-year input`, next[:4]),
		press(`.load-ledger`),
		chromedp.WaitVisible(chromedp.CSS(`.ledger-row`)),
	)
	if txt := pageText(t, b); !strings.Contains(txt, next) || strings.Count(txt, "820.00") < 2 {
		t.Fatalf("ledger: %s", txt)
	}
	screen(t, b, "money-ledger")
}
