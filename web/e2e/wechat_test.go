package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// wechatUA is the user agent of WeChat's in-app browser on Android.
const wechatUA = "Mozilla/5.0 (Linux; Android 13; V2055A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) " +
	"Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F30) " +
	"WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"

// TestWeChatLoginInBrowser: inside WeChat (its user agent) the login page
// offers 微信一键登录 when the server has a 公众号; the first time the fake
// WeChat identifies the user, the resident verifies the phone by SMS and
// lands where they were going; a second visit (cookies and storage gone,
// as in a new WeChat webview) goes straight in with no SMS; the resident
// sees the binding and removes it. Outside WeChat there is no button.
func TestWeChatLoginInBrowser(t *testing.T) {
	t.Parallel()
	fake := apitest.NewFakeWeChat(t)
	env, srv := serve(t, apitest.WithWeChat(fake))
	ctx := browser(t)
	const phone, openid = "13900003333", "o-e2e-wechat-user-1"
	fake.SetUser(openid)

	run(t, ctx, "outside WeChat: no WeChat button",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=phone]`)),
		settle(),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.wechat-btn').length`)); err != nil || n != 0 {
		t.Fatalf("a WeChat button outside WeChat (%d, %v)", n, err)
	}

	run(t, ctx, "inside WeChat: the button",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: wechatUA})
			return err
		}),
		chromedp.Navigate(srv.URL+"/vouchers"),
		chromedp.WaitVisible(chromedp.CSS(`.wechat-btn`)),
	)
	screen(t, ctx, "wechat-login")

	run(t, ctx, "first time: WeChat, then the phone",
		press(`.wechat-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.wechat-bind-notice`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=phone]`), phone),
		chromedp.Click(chromedp.CSS(`.send-code`)),
	)
	screen(t, ctx, "wechat-bind")
	code := smsCode(t, env, phone)
	run(t, ctx, "bound and where the resident was going",
		chromedp.SendKeys(chromedp.CSS(`input[name=code]`), code),
		press(`.login-btn`),
		chromedp.WaitVisible(byText("div", "教育券")),
	)
	if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || loc != "/vouchers" {
		t.Fatalf("after binding at %q (%v), want /vouchers", loc, err)
	}

	run(t, ctx, "a new webview: no cookies, no storage",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			if _, err := chromedp.Evaluate[any](`localStorage.clear(), sessionStorage.clear()`)(ctx, tg); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}),
		chromedp.Navigate(srv.URL+"/home"),
		chromedp.WaitVisible(chromedp.CSS(`.wechat-btn`)),
	)
	run(t, ctx, "second visit: straight in",
		press(`.wechat-btn`),
		chromedp.WaitVisible(chromedp.CSS(`.wechat-link`)),
	)
	if loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`)); err != nil || loc != "/home" {
		t.Fatalf("second visit at %q (%v), want /home", loc, err)
	}
	if n := len(env.App.Outbox().List(phone)); n != 1 {
		t.Fatalf("%d SMS sent, want only the first visit's code", n)
	}

	run(t, ctx, "the binding is shown",
		press(`.wechat-link`),
		chromedp.WaitVisible(byText("div", "已绑定")),
	)
	screen(t, ctx, "wechat-binding")
	run(t, ctx, "and removed",
		press(`.wechat-unbind`),
		settle(),
		press(`.van-dialog__confirm`),
		chromedp.WaitVisible(byText("div", "未绑定")),
	)
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil || strings.Contains(text, openid) {
		t.Fatalf("the page shows the openid (%v)", err)
	}
}
