package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestElderModeAndAccessibility: every page offers the 长辈版 switch; it
// makes body text ≥ 18 px and the controls ≥ 44 px high, is remembered
// across a reload and on the next page, and switches back. axe-core finds no
// critical or serious violation on the public screens in either mode.
func TestElderModeAndAccessibility(t *testing.T) {
	t.Parallel()
	_, srv := serve(t)
	ctx := browser(t)

	run(t, ctx, "login page", chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)))
	axeCheck(t, ctx, "login")
	run(t, ctx, "switch to 长辈版", press(`.elder-toggle`), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)))

	type sizes struct {
		Elder     bool    `json:"elder"`
		Pressed   string  `json:"pressed"`
		Hint      float64 `json:"hint"`
		Input     float64 `json:"input"`
		Button    float64 `json:"button"`
		SendCode  float64 `json:"send_code"`
		NavButton float64 `json:"nav_button"`
	}
	measure := `(() => {
		const px = (sel, prop) => { const e = document.querySelector(sel); return e ? parseFloat(getComputedStyle(e)[prop]) : 0 }
		const h = (sel) => { const e = document.querySelector(sel); return e ? e.getBoundingClientRect().height : 0 }
		return {elder: document.documentElement.classList.contains('elder'),
			pressed: document.querySelector('.elder-toggle').getAttribute('aria-pressed'),
			hint: px('.hint', 'fontSize'), input: px('input[name=phone]', 'fontSize'),
			button: h('.login-btn'), send_code: h('.send-code'), nav_button: h('.elder-toggle')}
	})()`
	got, err := chromedp.Run(ctx, chromedp.Evaluate[sizes](measure))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Elder || got.Pressed != "true" || got.Hint < 18 || got.Input < 18 || got.Button < 44 || got.SendCode < 44 || got.NavButton < 44 {
		t.Fatalf("长辈版 after a reload: %+v, want it on, text ≥ 18 px and controls ≥ 44 px", got)
	}
	axeCheck(t, ctx, "login-elder")

	run(t, ctx, "another page keeps it",
		chromedp.Navigate(srv.URL+"/notices"),
		chromedp.WaitVisible(chromedp.CSS(`.elder-toggle`)),
	)
	on, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.classList.contains('elder')`))
	if err != nil || !on {
		t.Fatalf("长辈版 lost on the next page (%v)", err)
	}
	axeCheck(t, ctx, "notices-elder")
	run(t, ctx, "switch back", press(`.elder-toggle`))
	if on, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.classList.contains('elder') || localStorage.getItem('jz_elder') !== '0'`)); err != nil || on {
		t.Fatalf("标准版 not restored (%v)", err)
	}
	axeCheck(t, ctx, "notices")
	run(t, ctx, "staff login", chromedp.Navigate(srv.URL+"/staff/login"), chromedp.WaitVisible(chromedp.CSS(`input[name=username]`)))
	axeCheck(t, ctx, "staff-login")
}

// TestPublicGuide: without a login, the guide lists every program with its
// benefit kind and documents by name, the time limits and the help line;
// 开始申请 leads to the login and then to the application form.
func TestPublicGuide(t *testing.T) {
	t.Parallel()
	_, srv := serve(t)
	ctx := browser(t)
	run(t, ctx, "guide from the login page",
		chromedp.Navigate(srv.URL+"/login"),
		press(`.guide-link`),
		chromedp.WaitVisible(chromedp.CSS(`#guide-dibao`)),
		chromedp.WaitVisible(chromedp.CSS(`.help-line`)),
	)
	txt, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"最低生活保障", "按月发放", "身份证", "户口本", "收入证明", "3 个工作日内", "7 天", "30 个工作日内", "12345", "教育券"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the guide does not say %q:\n%s", want, txt)
		}
	}
	for _, key := range []string{"id_card", "hukou_book", "monthly_cash"} {
		if strings.Contains(txt, key) {
			t.Errorf("the guide shows the internal key %q", key)
		}
	}
	screen(t, ctx, "0-guide")
}
