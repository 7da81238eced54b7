package e2e

import (
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
