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

// householdView is the part of GET /me/household the tests compare.
type householdView struct {
	Address string `json:"address"`
	Members []struct {
		ID            string         `json:"id"`
		Name          string         `json:"name"`
		IDNumber      string         `json:"id_number"`
		Relation      string         `json:"relation"`
		MonthlyIncome int64          `json:"monthly_income"`
		Incomes       []model.Income `json:"incomes"`
		WorkAbility   *string        `json:"work_ability"`
		// AsksWorkAbility: whether the form asks it (not of a young child).
		AsksWorkAbility bool `json:"asks_work_ability"`
		School          *struct {
			SchoolID string `json:"school_id"`
			Grade    string `json:"grade"`
		} `json:"school"`
	} `json:"members"`
}

func getHousehold(t *testing.T, env *apitest.Env, tok string) householdView {
	t.Helper()
	r := env.Get("/api/v1/me/household", tok)
	apitest.Want(t, r, http.StatusOK)
	var h householdView
	r.JSON(t, &h)
	return h
}

// TestResidentEditsHouseholdWithdrawsAndReadsMessages: the resident opens
// the household form (the members' names in full, ID numbers and address
// masked), declares the head's income by kind (wage and pension, which the
// server sums) and adds a spouse; the name, masked ID number and address sent back keep the
// stored values (staff see them in full later). A draft is withdrawn from
// its page, and the messages list links each message to its application.
func TestResidentEditsHouseholdWithdrawsAndReadsMessages(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok, _ := residentWithHousehold(t, env, "13900006666")
	before := getHousehold(t, env, tok)
	spouseID := makeID("19820505", 4, false)

	ctx := browser(t)
	run(t, ctx, "open household", residentAt(srv.URL, tok, "/household/basics", `input[name=address]`))
	if shown := inputValue(t, ctx, `input[name=address]`); shown != before.Address {
		t.Fatalf("address shown %q, want the stored (masked) %q", shown, before.Address)
	}
	run(t, ctx, "member 1",
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name0]`)),
	)
	// The resident's own member by name in full; the ID number masked.
	if shown := []string{inputValue(t, ctx, `input[name=name0]`), inputValue(t, ctx, `input[name=id_number0]`)}; fmt.Sprint(shown) != fmt.Sprint([]string{headName, before.Members[0].IDNumber}) {
		t.Fatalf("member 1 shows %q, want the name in full and the masked ID number %q", shown, before.Members[0].IDNumber)
	}
	run(t, ctx, "incomes",
		press(`.work-full`),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name1]`)),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`div[data-member="0"] .add-income`)),
	)
	if total := memberIncomeTotal(t, ctx, 0); !strings.Contains(total, "¥400.00") {
		t.Fatalf("head's income shown %q, want the stored total ¥400.00", total)
	}
	run(t, ctx, "edit household",
		addIncome(0, "wage", "300"),
		addIncome(0, "pension", "150.5"),
		toTaskList(),
		press(`.add-member`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name2]`)),
		press(`div[data-member="2"] .rel-spouse`),
		chromedp.SendKeys(chromedp.CSS(`input[name=name2]`), "李梅"),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number2]`), spouseID),
		press(`.work-partial`),
	)
	screen(t, ctx, "14-household-edit")
	run(t, ctx, "save household",
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`div[data-member="2"] .add-income`)),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=bank]`)),
		nextStep(),
		press(`.save-household`),
		chromedp.WaitVisible(chromedp.CSS(`.new-app`)),
	)
	after := getHousehold(t, env, tok)
	if len(after.Members) != 3 {
		t.Fatalf("household after editing has %d members, want 3: %+v", len(after.Members), after)
	}
	for i := range 2 {
		b, a := before.Members[i], after.Members[i]
		if a.ID != b.ID || a.Name != b.Name || a.IDNumber != b.IDNumber || a.Relation != b.Relation {
			t.Errorf("member %d changed: %+v, was %+v", i, a, b)
		}
	}
	if after.Address != before.Address {
		t.Errorf("address = %q, was %q", after.Address, before.Address)
	}
	if h := after.Members[0]; h.MonthlyIncome != 45050 || fmt.Sprint(h.Incomes) != fmt.Sprint([]model.Income{{Kind: model.IncomeWage, MonthlyAmount: 30000}, {Kind: model.IncomePension, MonthlyAmount: 15050}}) {
		t.Errorf("head's income = %d fen from %v, want 45050 from wage 30000 and pension 15050", h.MonthlyIncome, h.Incomes)
	}
	run(t, ctx, "reopen household",
		chromedp.Navigate(srv.URL+"/household/incomes"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=income0-pension]`)),
	)
	if total := memberIncomeTotal(t, ctx, 0); !strings.Contains(total, "¥450.50") {
		t.Fatalf("head's income shown %q after saving, want the server's sum ¥450.50", total)
	}
	screen(t, ctx, "14b-household-incomes")
	if s := after.Members[1].School; s == nil || s.SchoolID != "SCH-330502-compulsory" || s.Grade != "5" {
		t.Errorf("child's school after editing = %+v, want kept", s)
	}
	if m := after.Members[2]; m.Relation != "spouse" || m.Name != "李梅" || m.IDNumber != model.MaskID(spouseID) {
		t.Errorf("new member = %+v, want the spouse 李梅 (the resident's own member, by name in full)", m)
	}

	// A draft, withdrawn from its page. (The test clock stands still; each
	// step moves it on, as time passes between a resident's steps, so the
	// messages have an order.)
	env.Clock.Advance(time.Minute)
	var draft struct {
		ID string `json:"id"`
	}
	post(t, env, "/api/v1/applications", tok, map[string]string{"program": "medical", "reason": "住院费用高"}, http.StatusCreated).JSON(t, &draft)
	env.Clock.Advance(time.Minute)
	run(t, ctx, "withdraw draft",
		chromedp.Navigate(srv.URL+"/applications/"+draft.ID),
		statusShown("草稿"),
		press(`.withdraw-app`),
		settle(),
		press(`.van-dialog__confirm`),
		statusShown("已撤回"),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.submit-app, .withdraw-app, .upload-btn').length`)); err != nil || n != 0 {
		t.Errorf("a withdrawn application still offers %d submit, withdraw or upload controls (%v)", n, err)
	}
	r := env.Get("/api/v1/applications/"+draft.ID, tok)
	apitest.Want(t, r, http.StatusOK)
	if st := r.Map(t)["status"]; st != "withdrawn" {
		t.Fatalf("API status after withdrawing = %v, want withdrawn", st)
	}

	// The stored name and ID number survived the masked round trip: staff
	// see them in full on a case submitted after the edit.
	env.Clock.Advance(time.Minute)
	appID, _ := submitProgram(t, env, tok, model.ProgramDibao)
	r = env.Get("/api/v1/staff/applications/"+appID+"?reveal=true", staffToken(t, env, "community"))
	apitest.Want(t, r, http.StatusOK)
	if body := string(r.Body); !strings.Contains(body, headName) || !strings.Contains(body, headID) || !strings.Contains(body, "幸福路8号2幢301室") {
		t.Fatalf("staff reveal after the edit lacks the stored name, ID number or address:\n%.1000s", body)
	}

	run(t, ctx, "messages",
		chromedp.Navigate(srv.URL+"/messages"),
		chromedp.WaitVisible(byText("div", "已撤回")),
	)
	page := pageText(t, ctx)
	for _, want := range []string{"医疗救助申请（", "已撤回", "最低生活保障申请（", "已提交"} {
		if !strings.Contains(page, want) {
			t.Errorf("messages page lacks %q:\n%.800s", want, page)
		}
	}
	screen(t, ctx, "15-messages")
	run(t, ctx, "open message",
		press(`.message-row`),
		chromedp.WaitVisible(chromedp.CSS(`.app-status`)),
	)
	where, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(where, "/applications/") {
		t.Fatalf("the newest message leads to %q (%v), want an application page", where, err)
	}
}

// memberIncomeTotal is the household form's income line of a member.
func memberIncomeTotal(t *testing.T, ctx context.Context, member int) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(fmt.Sprintf(`div[data-member="%d"] .income-total`, member))))
	if err != nil {
		t.Fatalf("income total: %v", err)
	}
	return s
}

// TestReturnReasonShownToResident: the community worker returns a submitted
// case with a reason; the resident's page says 退回补正 with the reason,
// offers re-upload, and the message says why.
func TestReturnReasonShownToResident(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	residentID, appID, _ := submittedWithSchoolchild(t, env, "13900007777")
	const why = "收入证明未盖单位公章，请重新上传"

	ctx := browser(t)
	staffLogin(t, ctx, srv.URL, "community", appID)
	run(t, ctx, "return needs a reason",
		press(`.act-return`),
		chromedp.WaitVisible(byText("div", "请填写理由")),
	)
	run(t, ctx, "reason",
		chromedp.SendKeys(chromedp.CSS(`textarea[name=action_reason]`), why),
	)
	staffAct(t, ctx, "return", "退回补正")
	r := env.Get("/api/v1/staff/applications/"+appID, staffToken(t, env, "community"))
	apitest.Want(t, r, http.StatusOK)
	if st := r.Map(t)["status"]; st != "returned" {
		t.Fatalf("API status after returning = %v, want returned", st)
	}

	resident := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
	run(t, ctx, "resident sees the return",
		residentOpens(srv.URL, resident, appID, "退回补正"),
		chromedp.WaitVisible(chromedp.CSS(`.submit-app`)),
		chromedp.WaitVisible(chromedp.CSS(`.return-reason`)),
	)
	if top, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.return-reason`))); err != nil || !strings.Contains(top, why) {
		t.Fatalf("the resident's page does not say at the top why it was returned: %q (%v)", top, err)
	}
	screen(t, ctx, "16-returned")
	run(t, ctx, "message",
		chromedp.Navigate(srv.URL+"/messages"),
		chromedp.WaitVisible(byText("div", "原因："+why)),
	)
}
