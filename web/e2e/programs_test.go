package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// assessedView is the part of the staff detail's assessment the tests read.
type assessedView struct {
	Eligible       bool    `json:"eligible"`
	BenefitKind    string  `json:"benefit_kind"`
	Standard       int64   `json:"standard"`
	MonthlyAmount  *int64  `json:"monthly_amount"`
	Amount         *int64  `json:"amount"`
	PersonsCovered int     `json:"persons_covered"`
	SupportMode    *string `json:"support_mode"`
	CareLevel      *string `json:"care_level"`
	Urgent         bool    `json:"urgent"`
}

// assessmentOf is the recorded assessment of a case as staff read it.
func assessmentOf(t *testing.T, env *apitest.Env, appID string) assessedView {
	t.Helper()
	var out struct {
		Assessment *assessedView `json:"assessment"`
	}
	r := env.Get("/api/v1/staff/applications/"+appID, staffToken(t, env, "community"))
	apitest.Want(t, r, http.StatusOK)
	r.JSON(t, &out)
	if out.Assessment == nil {
		t.Fatal("no assessment recorded")
	}
	return *out.Assessment
}

// TestTekunAssessedInBrowser: the 特困 form asks for the support mode and
// the care level (and no per-capita income); a person without work ability
// or income, dispersed and partly dependent, is eligible for the basic
// support (1.3 × the standard, rounded up to the fen) plus the partial care
// amount, and the page shows that amount per month.
func TestTekunAssessedInBrowser(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok, _ := residentWith(t, env, "13900009991", []map[string]any{
		{"name": "孤老甲", "id_number": makeID("19480202", 5, true), "relation": "self", "work_ability": "none", "incomes": []any{}},
	})
	appID, docs := submitProgram(t, env, tok, model.ProgramTekun)
	investigating(t, env, appID, docs)

	ctx := browser(t)
	staffLogin(t, ctx, srv.URL, "community", appID)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('input[name=amount], input[name=bills_total], .flag-urgent, .mode-waiting_list').length`)); err != nil || n != 0 {
		t.Fatalf("the 特困 form asks for %d fields of other programs (%v)", n, err)
	}
	run(t, ctx, "tekun assessment",
		press(`.support_mode-dispersed`),
		press(`.care_level-partial`),
		saveAssessment(env, "独居老人，无劳动能力，无收入，部分失能"),
		chromedp.WaitVisible(`//div[contains(@class,"assessment-eligible")]//span[normalize-space(.)="符合条件"]`),
	)
	shot(t, ctx, "30-tekun-assessed")

	as := assessmentOf(t, env, appID)
	f := model.DefaultFigures()
	want := (as.Standard*f.TekunBasicPermille+999)/1000 + f.CareAmounts[model.CarePartial]
	if !as.Eligible || as.BenefitKind != "monthly_cash" || as.PersonsCovered != 1 || as.MonthlyAmount == nil || *as.MonthlyAmount != want ||
		as.SupportMode == nil || *as.SupportMode != "dispersed" || as.CareLevel == nil || *as.CareLevel != model.CarePartial {
		t.Fatalf("tekun assessment = %+v, want eligible, dispersed, partial, %d fen a month for one person", as, want)
	}
	for css, words := range map[string]string{`.computed-amount`: monthly(want), `.assessed-amount`: monthly(want), `.assessment-standard`: "¥" + model.Yuan(as.Standard)} {
		if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(css))); err != nil || !strings.Contains(got, words) {
			t.Errorf("%s shows %q (%v), want %s", css, got, err, words)
		}
	}
}

// TestTemporaryOneOffInBrowser: the 临时救助 form takes a one-off amount in
// 元 and the urgent flag; the street approves it at once without 公示, and
// the resident's page says 一次性 2,000.00 元, never a monthly amount.
func TestTemporaryOneOffInBrowser(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	tok, residentID := residentWithHousehold(t, env, "13900009992")
	appID, docs := submitProgram(t, env, tok, model.ProgramTemporary)
	investigating(t, env, appID, docs)

	ctx := browser(t)
	staffLogin(t, ctx, srv.URL, "community", appID)
	run(t, ctx, "temporary assessment",
		chromedp.SendKeys(chromedp.CSS(`input[name=amount]`), "2000"),
		press(`.flag-urgent`),
		saveAssessment(env, "火灾致家中财物损毁，生活困难"),
		chromedp.WaitVisible(chromedp.CSS(`.assessed-amount`)),
	)
	if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.assessed-amount`))); err != nil || !strings.Contains(got, oneOff(200000)) {
		t.Fatalf("assessed amount shows %q (%v), want %s", got, err, oneOff(200000))
	}
	if as := assessmentOf(t, env, appID); !as.Eligible || !as.Urgent || as.BenefitKind != "one_off_cash" || as.Amount == nil || *as.Amount != 200000 || as.MonthlyAmount != nil {
		t.Fatalf("temporary assessment = %+v, want an urgent one-off of 200000 fen", as)
	}

	staffLogin(t, ctx, srv.URL, "street", appID)
	staffAct(t, ctx, "approve", "已批准")

	resident := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
	run(t, ctx, "resident sees the benefit",
		residentOpens(srv.URL, resident, appID, "已批准"),
		chromedp.WaitVisible(chromedp.CSS(`.benefit-text`)),
	)
	shot(t, ctx, "31-temporary-approved")
	if got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.benefit-text`))); err != nil || !strings.Contains(got, oneOff(200000)) {
		t.Fatalf("the resident's benefit reads %q (%v), want %s", got, err, oneOff(200000))
	}
	if page := pageText(t, ctx); strings.Contains(page, "每月") || strings.Contains(page, "/ 月") {
		t.Fatalf("a one-off benefit is shown as monthly:\n%.800s", page)
	}
}
