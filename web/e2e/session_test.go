package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestCookieSessionSurvivesNewPage: a resident opening a page that needs a
// login is sent to the login page and, after the SMS login, lands on the page
// they were going to; the session lives in an HttpOnly cookie (no script
// sees it, no token in storage), and a new page — a new tab, as WeChat opens
// one for a link — is still logged in without another SMS.
func TestCookieSessionSurvivesNewPage(t *testing.T) {
	t.Parallel()
	env, srv := serve(t)
	ctx := browser(t)
	const phone = "13900002222"

	run(t, ctx, "protected page sends to login",
		chromedp.Navigate(srv.URL+"/vouchers"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || !strings.Contains(loc, "/login?redirect=") {
		t.Fatalf("location %q (%v), want the login page with a redirect", loc, err)
	}
	run(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), phone),
		chromedp.Click(chromedp.CSS(`.send-code`)),
	)
	code := smsCode(t, env, phone)
	run(t, ctx, "back where the resident was going",
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code),
		press(`.login-btn`),
		chromedp.WaitVisible(byText("div", "教育券")),
	)
	if loc, err = chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.HasSuffix(loc, "/vouchers") {
		t.Fatalf("after login at %q (%v), want /vouchers", loc, err)
	}
	seen, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie + '|' + JSON.stringify(localStorage) + '|' + JSON.stringify(sessionStorage)`))
	if err != nil {
		t.Fatal(err)
	}
	session := sessionCookie(t, ctx, srv.URL)
	if !session.HTTPOnly || !session.Secure || session.SameSite != network.CookieSameSiteLax {
		t.Fatalf("session cookie %+v, want HttpOnly, Secure, SameSite=Lax", session)
	}
	if strings.Contains(seen, session.Value) || strings.Contains(seen, "jz_session") {
		t.Fatalf("the session token is visible to scripts: %s", seen)
	}

	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	// The first action opens the tab; it must not run under run's own
	// timeout, whose end would close the tab.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("open a new tab: %v", err)
	}
	run(t, tab, "a new page is still logged in",
		chromedp.Navigate(srv.URL+"/household"),
		chromedp.WaitVisible(chromedp.CSS(`.task-basics`)),
	)
	if loc, err = chromedp.Run(tab, chromedp.Evaluate[string](`location.pathname`)); err != nil || loc != "/household" {
		t.Fatalf("new page at %q (%v), want /household", loc, err)
	}
	if n := len(env.App.Outbox().List(phone)); n != 1 {
		t.Fatalf("%d SMS sent, want the one login code", n)
	}
}

// sessionCookie returns the browser's session cookie for srvURL's API
// (read through the DevTools protocol: no script can), failing the test
// when there is none.
func sessionCookie(t *testing.T, ctx context.Context, srvURL string) *network.Cookie {
	t.Helper()
	cookies, err := chromedp.Run(ctx, chromedp.Action[[]*network.Cookie](func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{srvURL + "/api/v1/me/household"}})
		return res.Cookies, err
	}))
	if err != nil {
		t.Fatalf("read cookies: %v", err)
	}
	for _, c := range cookies {
		if c.Name == "jz_session" {
			return c
		}
	}
	t.Fatal("no session cookie after login")
	return nil
}
