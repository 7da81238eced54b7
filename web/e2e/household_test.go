package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// residentAt logs the resident in by session token (on the login page's
// origin) and opens path, waiting for css.
func residentAt(srvURL, token, path, css string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(srvURL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
		residentSession(srvURL, token),
		chromedp.Navigate(srvURL+path),
		chromedp.WaitVisible(chromedp.CSS(css)),
	)
}

// nextStep presses 继续 on a question group's page.
func nextStep() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(press(`.next-step`), settle())
}

// pickCommunity chooses 吴兴区 / 月河街道 / 南门社区 on the basics page.
func pickCommunity() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(`.region-field`)),
		chromedp.Click(chromedp.CSS(`.region-field`)),
		settle(),
		chromedp.Click(`//li[contains(@class,"van-cascader__option")][normalize-space(.)="吴兴区"]`),
		settle(),
		chromedp.Click(`//li[contains(@class,"van-cascader__option")][normalize-space(.)="月河街道"]`),
		settle(),
		chromedp.Click(`//li[contains(@class,"van-cascader__option")][normalize-space(.)="南门社区"]`),
		chromedp.WaitNotVisible(chromedp.CSS(`.van-cascader`)),
	)
}

// toTaskList goes to the task list through the tab bar's 家庭, as a
// resident would (the draft stays: it is the same page).
func toTaskList() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		js(`[...document.querySelectorAll('.van-tabbar-item')].find((e) => e.textContent.includes('家庭')).click()`),
		chromedp.WaitVisible(chromedp.CSS(`.task-basics`)),
		settle(),
	)
}

// xID is a valid ID number born on birth whose check character is X.
func xID(t *testing.T, birth string) string {
	t.Helper()
	for seq := range 100 {
		for _, male := range []bool{true, false} {
			if id := makeID(birth, seq, male); strings.HasSuffix(id, "X") {
				return id
			}
		}
	}
	t.Fatal("no ID number with check character X")
	return ""
}

// grouped is an ID number as the form shows it: 6-8-4.
func grouped(id string) string {
	return id[:6] + " " + id[6:14] + " " + id[14:]
}

// newResident logs a resident in by API (no household yet) and returns the
// token.
func newResident(t *testing.T, env *apitest.Env, phone string) string {
	t.Helper()
	post(t, env, "/api/v1/auth/sms-codes", "", map[string]string{"phone": phone}, http.StatusAccepted)
	var login struct {
		Token string `json:"token"`
	}
	post(t, env, "/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": smsCode(t, env, phone)}, http.StatusCreated).JSON(t, &login)
	return login.Token
}

// taskStatuses reads the task list's statuses by task class.
func taskStatuses(t *testing.T, ctx context.Context) map[string]string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('.task')].map((e) =>
		[[...e.classList].filter((c) => c.startsWith('task-')).pop(), e.querySelector('.task-status').textContent.trim()]))`))
	if err != nil {
		t.Fatalf("task statuses: %v", err)
	}
	return got
}

// inputValue is the value of the input matching css.
func inputValue(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, css)))
	if err != nil {
		t.Fatalf("value of %s: %v", css, err)
	}
	return v
}

// TestHouseholdTaskListWalk: a new resident walks the household form one
// question group per page from the task list (each group 未完成 until
// done); the ID number is typed on the number pad, shown 6-8-4, and its X
// comes from the X key; 核对信息 shows every answer, and 修改 goes to the
// group and straight back; a child of eight is not asked about work
// ability; the save sends the ID numbers without spaces and the household
// shows the members' names in full.
func TestHouseholdTaskListWalk(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok := newResident(t, env, "13900001313")
	head := xID(t, "19800101")
	child := makeID(env.Clock.Now().AddDate(-8, 0, 0).Format("20060102"), 7, false)
	ctx := browser(t)

	run(t, ctx, "open the task list", residentAt(srv.URL, tok, "/household", `.task-basics`))
	if got, want := fmt.Sprint(taskStatuses(t, ctx)), fmt.Sprint(map[string]string{"task-basics": "未完成", "task-member-0": "未完成", "task-incomes": "未完成", "task-bank": "选填"}); got != want {
		t.Fatalf("task list of a new household: %s, want %s", got, want)
	}
	screen(t, ctx, "household-1-tasks")

	run(t, ctx, "家庭基本情况",
		press(`.task-basics`),
		pickCommunity(),
		chromedp.SendKeys(chromedp.CSS(`input[name=address]`), "人民路12号3幢201室"),
	)
	screen(t, ctx, "household-2-basics")
	run(t, ctx, "member 1: name and the ID number's 17 digits",
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name0]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name0]`), "张建国"),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number0]`), head[:17]),
	)
	if v := inputValue(t, ctx, `input[name=id_number0]`); v != grouped(head[:17]) {
		t.Fatalf("ID number shown %q while typing, want %q", v, grouped(head[:17]))
	}
	if mode, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('input[name=id_number0]').inputMode`)); err != nil || mode != "numeric" {
		t.Fatalf("the ID number field's keyboard is %q (%v), want the number pad", mode, err)
	}
	run(t, ctx, "member 1: the X key and work ability",
		press(`.id-x`),
		chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.querySelector('input[name=id_number0]').value === %q`, grouped(head))),
		press(`.work-partial`),
	)
	screen(t, ctx, "household-3-member")
	fits := `(() => { const e = document.querySelector('input[name=id_number0]'); return e.scrollWidth <= e.clientWidth })()`
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fits)); err != nil || !ok {
		t.Errorf("the grouped ID number does not fit its field (%v)", err)
	}
	run(t, ctx, "长辈版", press(`.elder-toggle`), settle())
	if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fits)); err != nil || !ok {
		t.Errorf("the grouped ID number does not fit its field in 长辈版 (%v)", err)
	}
	screen(t, ctx, "household-3b-member-elder")
	run(t, ctx, "标准版", press(`.elder-toggle`), settle())
	run(t, ctx, "收入",
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`div[data-member="0"] .add-income`)),
		addIncome(0, "wage", "1200"),
	)
	screen(t, ctx, "household-4-incomes")
	run(t, ctx, "收款银行卡",
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=bank]`)),
	)
	screen(t, ctx, "household-5-bank")
	run(t, ctx, "核对信息",
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`.save-household`)),
	)
	page := pageText(t, ctx)
	for _, want := range []string{"南门社区", "人民路12号3幢201室", "城镇", "张建国", grouped(head), "本人", "部分", "工资性收入 ¥1,200.00", "未登记银行卡"} {
		if !strings.Contains(page, want) {
			t.Errorf("核对信息 lacks %q:\n%.900s", want, page)
		}
	}
	screen(t, ctx, "household-6-check")

	run(t, ctx, "修改 goes to the member and back to 核对信息",
		press(`.check-member-0 .change-link`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name0]`)),
		setInput(`input[name=name0]`, "张建民"),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`.save-household`)),
		chromedp.WaitVisible(byText("div", "张建民")),
	)

	run(t, ctx, "a second member: a child",
		toTaskList(),
		press(`.add-member`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name1]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name1]`), "张小雨"),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number1]`), child),
		chromedp.WaitVisible(chromedp.CSS(`.no-work-question`)),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.work-field, [name^=work]').length`)); err != nil || n != 0 {
		t.Fatalf("a child of eight is asked about work ability (%d controls, %v)", n, err)
	}
	if checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('.rel-child').getAttribute('aria-checked') === 'true'`)); err != nil || !checked {
		t.Fatalf("a new member is not preselected as 子女 (%v)", err)
	}
	screen(t, ctx, "household-7-child")
	run(t, ctx, "to 核对信息 and save",
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`div[data-member="1"] .add-income`)),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=bank]`)),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`.check-member-1 .check-work`)),
	)
	if s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.check-member-1 .check-work`))); err != nil || !strings.Contains(s, "不用填写") {
		t.Fatalf("the child's work ability on 核对信息: %q (%v), want 不用填写", s, err)
	}
	run(t, ctx, "save",
		press(`.save-household`),
		chromedp.WaitVisible(chromedp.CSS(`.new-app`)),
	)
	h := getHousehold(t, env, tok)
	if len(h.Members) != 2 {
		t.Fatalf("household after the walk: %+v", h)
	}
	if m := h.Members[0]; m.Name != "张建民" || m.IDNumber != model.MaskID(head) || m.WorkAbility == nil || *m.WorkAbility != "partial" || m.MonthlyIncome != 120000 {
		t.Errorf("head saved as %+v, want 张建民, %s, partial, 120000 fen", m, model.MaskID(head))
	}
	if m := h.Members[1]; m.Name != "张小雨" || m.Relation != "child" || m.IDNumber != model.MaskID(child) || m.WorkAbility != nil || m.AsksWorkAbility {
		t.Errorf("child saved as %+v, want 张小雨, no work ability and not asked", m)
	}
	run(t, ctx, "the task list after saving",
		chromedp.Navigate(srv.URL+"/household"),
		chromedp.WaitVisible(chromedp.CSS(`.task-member-1`)),
	)
	if got, want := fmt.Sprint(taskStatuses(t, ctx)), fmt.Sprint(map[string]string{"task-basics": "已完成", "task-member-0": "已完成", "task-member-1": "已完成", "task-incomes": "已完成", "task-bank": "选填"}); got != want {
		t.Fatalf("task list after saving: %s, want %s", got, want)
	}
	if page := pageText(t, ctx); !strings.Contains(page, "成员 1：张建民") || !strings.Contains(page, "成员 2：张小雨") {
		t.Fatalf("the task list does not name the members in full:\n%.600s", page)
	}

	// Leaving with changes not saved asks first; 继续填写 stays.
	tab := func(label string) chromedp.Action[chromedp.Void] {
		return js(fmt.Sprintf(`[...document.querySelectorAll('.van-tabbar-item')].find((e) => e.textContent.includes(%q)).click()`, label))
	}
	run(t, ctx, "leave with a change not saved",
		press(`.task-basics`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=address]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=address]`), "之一"),
		tab("申请"),
		chromedp.WaitVisible(byText("div", "家庭信息还没有保存")),
		settle(),
		press(`.van-dialog__cancel`),
		chromedp.WaitNotVisible(chromedp.CSS(`.van-dialog`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=address]`)),
		tab("申请"),
		chromedp.WaitVisible(chromedp.CSS(`.van-dialog`)),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(chromedp.CSS(`.new-app`)),
	)
	if after := getHousehold(t, env, tok); after.Address != h.Address {
		t.Fatalf("the address changed without a save: %q, was %q", after.Address, h.Address)
	}

	// The apply flow's household step: 核对家庭信息 from the programs page,
	// saved, and back to the programs.
	run(t, ctx, "apply: check the household first",
		chromedp.WaitNotVisible(chromedp.CSS(`.van-overlay`)),
		noToast(),
		press(`.new-app`),
		press(`.check-household`),
		chromedp.WaitVisible(chromedp.CSS(`.check-member-1`)),
		press(`.save-household`),
		chromedp.WaitVisible(chromedp.CSS(`.create-app`)),
	)
	screen(t, ctx, "household-11-apply")
}

// summaryFocused waits for the error summary to have focus, and checks it
// is on the screen and names what to fix.
func summaryFocused(t *testing.T, ctx context.Context, wants ...string) {
	t.Helper()
	run(t, ctx, "error summary",
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)),
		chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.classList.contains('error-summary')`),
	)
	inView, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.querySelector('.error-summary').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight })()`))
	if err != nil || !inView {
		t.Fatalf("the error summary is not on the screen (%v)", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.error-summary`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("error summary %q lacks %q", text, w)
		}
	}
}

// TestHouseholdErrorSummaryAndMemberDelete: the resident's own members are
// shown by name in full (the ID numbers masked); a member page with a
// missing name and a mistyped ID number shows an error summary at the top
// that takes focus, naming the member and the field, each a link to its
// field; a server error at save (a birth date in the future) is listed the
// same way, with the member's name from the server, and its link opens that
// member's page at the field; deleting a member asks first, and 不删除 keeps
// the member.
func TestHouseholdErrorSummaryAndMemberDelete(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok, _ := residentWithHousehold(t, env, "13900001414")
	ctx := browser(t)

	run(t, ctx, "open the task list", residentAt(srv.URL, tok, "/household", `.task-member-1`))
	// The head was registered without a work ability: that member is not done.
	if got := taskStatuses(t, ctx); got["task-member-0"] != "未完成" || got["task-member-1"] != "已完成" || got["task-basics"] != "已完成" {
		t.Fatalf("task list of the stored household: %v", got)
	}
	if page := pageText(t, ctx); !strings.Contains(page, "成员 1："+headName) || !strings.Contains(page, "成员 2：欧阳小雨") {
		t.Fatalf("the task list does not show the members' names in full:\n%.600s", page)
	}

	run(t, ctx, "member 1 with a missing name and a mistyped ID number",
		press(`.task-member-0`),
		chromedp.WaitVisible(chromedp.CSS(`input[name=id_number0]`)),
	)
	if name, id := inputValue(t, ctx, `input[name=name0]`), inputValue(t, ctx, `input[name=id_number0]`); name != headName || id != model.MaskID(headID) {
		t.Fatalf("member 1 shows %q %q, want the name in full and the ID number masked", name, id)
	}
	wrong := headID[:17] + map[bool]string{true: "1", false: "2"}[headID[17] != '1']
	run(t, ctx, "type the wrong number and go on",
		setInput(`input[name=name0]`, ""),
		chromedp.Click(chromedp.CSS(`input[name=id_number0]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('input[name=id_number0]').value === ''`),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number0]`), wrong),
		nextStep(),
	)
	summaryFocused(t, ctx, "成员 1的姓名：请填写姓名", "成员 1的身份证号：号码不正确")
	screen(t, ctx, "household-8-error-summary")
	run(t, ctx, "the summary's link goes to the field",
		chromedp.Click(`//a[contains(@class,"error-summary-link")][contains(., "身份证号")]`),
		chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.name === 'id_number0'`),
	)

	future := makeID("20900101", 3, false)
	run(t, ctx, "fix member 1, give member 2 a birth date in the future",
		setInput(`input[name=name0]`, headName),
		setInput(`input[name=id_number0]`, ""),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number0]`), headID),
		press(`.work-full`),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=id_number1]`)),
		chromedp.Click(chromedp.CSS(`input[name=id_number1]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector('input[name=id_number1]').value === ''`),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number1]`), future),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`div[data-member="1"] .add-income`)),
		nextStep(),
		chromedp.WaitVisible(chromedp.CSS(`input[name=bank]`)),
		nextStep(),
		press(`.save-household`),
	)
	summaryFocused(t, ctx, "成员 2（欧阳小雨）的身份证号：其中的出生日期不对")
	screen(t, ctx, "household-9-server-error")
	run(t, ctx, "the server error's link opens member 2 at the field",
		chromedp.Click(`//a[contains(@class,"error-summary-link")][contains(., "欧阳小雨")]`),
		chromedp.Poll[chromedp.Void](`document.activeElement && document.activeElement.name === 'id_number1'`),
		chromedp.WaitVisible(byText("div", "其中的出生日期不对")),
	)

	run(t, ctx, "delete member 2: asked first, 不删除 keeps it",
		setInput(`input[name=id_number1]`, ""),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number1]`), childID),
		// Retyped, the field's own error goes.
		chromedp.Poll[chromedp.Void](`!document.querySelector('.van-field__error-message')`),
		press(`.remove-member`),
		chromedp.WaitVisible(chromedp.CSS(`.van-dialog`)),
		chromedp.WaitVisible(byText("div", "确定删除成员 2（欧阳小雨）吗")),
	)
	screen(t, ctx, "household-10-delete-confirm")
	run(t, ctx, "不删除",
		press(`.van-dialog__cancel`),
		chromedp.WaitNotVisible(chromedp.CSS(`.van-dialog`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name=name1]`)),
		press(`.remove-member`),
		chromedp.WaitVisible(chromedp.CSS(`.van-dialog`)),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(chromedp.CSS(`.task-member-0`)),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.task-member').length`)); err != nil || n != 1 {
		t.Fatalf("%d members on the task list after deleting one (%v), want 1", n, err)
	}
	run(t, ctx, "save without the child",
		noToast(),
		press(`.to-check`),
		press(`.save-household`),
		chromedp.WaitVisible(chromedp.CSS(`.new-app`)),
	)
	h := getHousehold(t, env, tok)
	if len(h.Members) != 1 || h.Members[0].Name != headName || h.Members[0].IDNumber != model.MaskID(headID) || h.Members[0].WorkAbility == nil || *h.Members[0].WorkAbility != "full" {
		t.Fatalf("household after deleting the child: %+v", h)
	}
}

// TestHouseholdKeepsWhatItDoesNotAsk: a child's work ability stored before
// (here 无, as a 特困 case counts it) is not asked on the form and is sent
// back unchanged when the household is saved from 核对信息.
func TestHouseholdKeepsWhatItDoesNotAsk(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok, _ := residentWith(t, env, "13900001515", []map[string]any{
		{"name": "孙大伟", "id_number": makeID("19700101", 8, true), "relation": "self", "work_ability": "none", "monthly_income": 0},
		{"name": "孙小伟", "id_number": makeID(env.Clock.Now().AddDate(-10, 0, 0).Format("20060102"), 9, true), "relation": "child", "work_ability": "none", "monthly_income": 0},
	})
	ctx := browser(t)
	run(t, ctx, "save from 核对信息", residentAt(srv.URL, tok, "/household/check", `.check-member-1 .check-work`))
	if s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.check-member-1 .check-work`))); err != nil || !strings.Contains(s, "不用填写") {
		t.Fatalf("the child's work ability on 核对信息: %q (%v), want 不用填写", s, err)
	}
	run(t, ctx, "save", press(`.save-household`), chromedp.WaitVisible(chromedp.CSS(`.new-app`)))
	h := getHousehold(t, env, tok)
	for i, m := range h.Members {
		if m.WorkAbility == nil || *m.WorkAbility != "none" {
			t.Errorf("member %d's work ability after the save: %v, want none kept", i, m.WorkAbility)
		}
	}
	if h.Members[1].AsksWorkAbility {
		t.Error("the child of ten is asked about work ability")
	}
}
