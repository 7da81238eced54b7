package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// wxBrowser keeps cookies between requests, as the resident's WeChat
// browser does.
type wxBrowser struct {
	cookies map[string]string
}

func newWxBrowser() *wxBrowser { return &wxBrowser{cookies: map[string]string{}} }

// do sends r with the browser's cookies and keeps the cookies the answer
// sets or clears.
func (b *wxBrowser) do(t *testing.T, env *apitest.Env, r apitest.Request) *apitest.Response {
	t.Helper()
	if len(b.cookies) > 0 {
		var parts []string
		for k, v := range b.cookies {
			parts = append(parts, k+"="+v)
		}
		if r.Header == nil {
			r.Header = map[string]string{}
		}
		r.Header["Cookie"] = strings.Join(parts, "; ")
	}
	res := env.Do(r)
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return res
}

// wxCallback starts a WeChat login in b (landing on redirect afterwards)
// and follows WeChat's authorisation page as user, returning the callback
// path WeChat sends the browser to (not yet requested).
func wxCallback(t *testing.T, env *apitest.Env, fake *apitest.FakeWeChat, b *wxBrowser, user, redirect string) string {
	t.Helper()
	fake.SetUser(user)
	r := b.do(t, env, apitest.Request{Method: http.MethodGet, Path: "/api/v1/auth/wechat/authorize?redirect=" + url.QueryEscape(redirect)})
	apitest.Want(t, r, http.StatusFound)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, fake.URL+"/connect/oauth2/authorize?appid="+fake.AppID+"&redirect_uri=") ||
		!strings.Contains(loc, "&response_type=code&scope=snsapi_base&state=") || !strings.HasSuffix(loc, "#wechat_redirect") {
		t.Fatalf("authorize Location %q", loc)
	}
	if b.cookies["jz_wx_nonce"] == "" {
		t.Fatal("no nonce cookie binds the state to the browser")
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(strings.TrimSuffix(loc, "#wechat_redirect"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if res.StatusCode != http.StatusFound || err != nil || back.Path != "/api/v1/auth/wechat/callback" {
		t.Fatalf("WeChat sent the browser to %q (%d)", res.Header.Get("Location"), res.StatusCode)
	}
	return back.RequestURI()
}

// wxLogin runs a whole WeChat login in b and returns the callback's answer.
func wxLogin(t *testing.T, env *apitest.Env, fake *apitest.FakeWeChat, b *wxBrowser, user, redirect string) *apitest.Response {
	t.Helper()
	return b.do(t, env, apitest.Request{Method: http.MethodGet, Path: wxCallback(t, env, fake, b, user, redirect)})
}

// wxWant checks an error answer's status and code.
func wxWant(t *testing.T, r *apitest.Response, status int, code string) {
	t.Helper()
	apitest.Want(t, r, status)
	if r.ErrorCode() != code {
		t.Fatalf("error code %q, want %q", r.ErrorCode(), code)
	}
}

var portal = map[string]string{"X-Jiuzhu-Portal": "1"}

// wxBind verifies phone by SMS in b to bind the WeChat of its ticket,
// returning the login's token.
func wxBind(t *testing.T, env *apitest.Env, b *wxBrowser, phone string) string {
	t.Helper()
	code := sendCode(t, env, phone)
	r := b.do(t, env, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/wechat/sessions", Header: portal,
		Body: map[string]string{"phone": phone, "code": code}})
	apitest.Want(t, r, http.StatusCreated)
	if b.cookies["jz_session"] == "" || b.cookies["jz_wx_ticket"] != "" {
		t.Fatalf("after binding the cookies are %v: want the session and no ticket", keysOf(b.cookies))
	}
	return r.Map(t)["token"].(string)
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWeChatLoginBindsBySMSThenGoesStraightIn: the first WeChat login
// asks for the phone (SMS) and binds; the next one opens the session with
// no SMS; the resident sees and removes the binding, after which WeChat
// asks for the phone again.
func TestWeChatLoginBindsBySMSThenGoesStraightIn(t *testing.T) {
	t.Parallel()
	fake := apitest.NewFakeWeChat(t)
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		r := env.Get("/api/v1/auth/wechat", "")
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["enabled"] != true {
			t.Fatalf("WeChat login not offered: %s", r.Body)
		}
		phone, openid := newPhone(), "o-"+newPhone()
		first := newWxBrowser()
		r = wxLogin(t, env, fake, first, openid, "/vouchers")
		apitest.Want(t, r, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != "/login?redirect=%2Fvouchers&wechat=bind" {
			t.Fatalf("unbound WeChat sent to %q, want the login page to bind", loc)
		}
		if first.cookies["jz_session"] != "" || first.cookies["jz_wx_ticket"] == "" || first.cookies["jz_wx_nonce"] != "" {
			t.Fatalf("cookies after an unbound callback: %v", keysOf(first.cookies))
		}

		ticket := first.cookies["jz_wx_ticket"]
		// CSRF: the bind is a cookie-authenticated write.
		r = first.do(t, env, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/wechat/sessions",
			Body: map[string]string{"phone": phone, "code": "123456"}})
		wxWant(t, r, http.StatusForbidden, "csrf_check_failed")
		code := sendCode(t, env, phone)
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		r = first.do(t, env, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/wechat/sessions", Header: portal,
			Body: map[string]string{"phone": phone, "code": wrong}})
		wxWant(t, r, http.StatusUnauthorized, "code_invalid")
		r = first.do(t, env, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/wechat/sessions", Header: portal,
			Body: map[string]string{"phone": phone, "code": code}})
		apitest.Want(t, r, http.StatusCreated)
		token := r.Map(t)["token"].(string)
		residentID := r.Map(t)["resident"].(map[string]any)["id"].(string)

		r = env.Get("/api/v1/me/wechat", token)
		apitest.Want(t, r, http.StatusOK)
		if m := r.Map(t); m["bound"] != true || m["bound_at"] == nil || strings.Contains(string(r.Body), openid) {
			t.Fatalf("binding view %s", r.Body)
		}

		// The ticket was used: replaying the bind fails (before any code is
		// looked at).
		first.cookies["jz_wx_ticket"] = ticket
		r = first.do(t, env, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/wechat/sessions", Header: portal,
			Body: map[string]string{"phone": phone, "code": code}})
		wxWant(t, r, http.StatusUnauthorized, "wechat_bind_expired")

		// Second visit, a new page: straight in, no SMS.
		sent := len(env.App.Outbox().List(phone))
		second := newWxBrowser()
		r = wxLogin(t, env, fake, second, openid, "/household")
		apitest.Want(t, r, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != "/login?redirect=%2Fhousehold&wechat=signed-in" {
			t.Fatalf("bound WeChat sent to %q", loc)
		}
		if second.cookies["jz_session"] == "" {
			t.Fatal("a bound WeChat got no session cookie")
		}
		r = second.do(t, env, apitest.Request{Method: http.MethodGet, Path: "/api/v1/auth/sessions/current"})
		apitest.Want(t, r, http.StatusOK)
		if got := r.Map(t)["resident"].(map[string]any)["id"]; got != residentID {
			t.Fatalf("WeChat logged in resident %v, want %s", got, residentID)
		}
		if n := len(env.App.Outbox().List(phone)); n != sent {
			t.Fatalf("%d SMS sent on the second visit, want none", n-sent)
		}

		// Remove the binding: WeChat no longer logs in by itself.
		r = second.do(t, env, apitest.Request{Method: http.MethodDelete, Path: "/api/v1/me/wechat", Header: portal})
		apitest.Want(t, r, http.StatusNoContent)
		wxWant(t, env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/me/wechat", Token: token}), http.StatusNotFound, "wechat_not_bound")
		r = env.Get("/api/v1/me/wechat", token)
		if r.Map(t)["bound"] != false {
			t.Fatalf("after removal: %s", r.Body)
		}
		r = wxLogin(t, env, fake, newWxBrowser(), openid, "/home")
		if loc := r.Header.Get("Location"); loc != "/login?redirect=%2Fhome&wechat=bind" {
			t.Fatalf("after removal WeChat sent to %q, want the phone check again", loc)
		}
	}, apitest.WithWeChat(fake))
}

// TestWeChatStateIsBoundToTheBrowserAndUsedOnce: a callback in another
// browser (no nonce), with a made-up state, or a second time is refused
// (403); a wrong or used code is 401; the redirect never leaves the site.
func TestWeChatStateIsBoundToTheBrowserAndUsedOnce(t *testing.T) {
	t.Parallel()
	fake := apitest.NewFakeWeChat(t)
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		user := "o-" + newPhone()
		victim := newWxBrowser()
		cb := wxCallback(t, env, fake, victim, user, "//evil.example/x")

		// Another browser (a CSRF: the attacker's callback in the victim's
		// browser, or the reverse) lacks the nonce.
		attacker := newWxBrowser()
		wxWant(t, attacker.do(t, env, apitest.Request{Method: http.MethodGet, Path: cb}), http.StatusForbidden, "wechat_state_invalid")
		// A made-up state in the right browser.
		nonce := victim.cookies["jz_wx_nonce"]
		u, _ := url.Parse(cb)
		q := u.Query()
		forged := url.Values{"code": {fake.IssueCode(user)}, "state": {"made-up-state"}}
		wxWant(t, victim.do(t, env, apitest.Request{Method: http.MethodGet, Path: u.Path + "?" + forged.Encode()}), http.StatusForbidden, "wechat_state_invalid")
		victim.cookies["jz_wx_nonce"] = nonce

		r := victim.do(t, env, apitest.Request{Method: http.MethodGet, Path: cb})
		apitest.Want(t, r, http.StatusFound)
		if loc := r.Header.Get("Location"); loc != "/login?redirect=%2Fhome&wechat=bind" {
			t.Fatalf("an off-site redirect was kept: %q", loc)
		}
		// Replayed, even with the nonce put back.
		victim.cookies["jz_wx_nonce"] = nonce
		wxWant(t, victim.do(t, env, apitest.Request{Method: http.MethodGet, Path: cb}), http.StatusForbidden, "wechat_state_invalid")

		// A state of this browser with a code WeChat refuses: 40029, then
		// 40163 for the code already exchanged above.
		for _, code := range []string{"not-a-code", q.Get("code")} {
			b := newWxBrowser()
			cb := wxCallback(t, env, fake, b, user, "/home")
			u, _ := url.Parse(cb)
			vals := u.Query()
			vals.Set("code", code)
			wxWant(t, b.do(t, env, apitest.Request{Method: http.MethodGet, Path: u.Path + "?" + vals.Encode()}), http.StatusUnauthorized, "wechat_code_invalid")
		}
		// No code at all.
		b := newWxBrowser()
		u, _ = url.Parse(wxCallback(t, env, fake, b, user, "/home"))
		wxWant(t, b.do(t, env, apitest.Request{Method: http.MethodGet, Path: u.Path + "?state=" + url.QueryEscape(u.Query().Get("state"))}), http.StatusBadRequest, "wechat_code_missing")
		// Binding without any ticket.
		wxWant(t, newWxBrowser().do(t, env, apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/wechat/sessions", Header: portal,
			Body: map[string]string{"phone": newPhone(), "code": "123456"}}), http.StatusUnauthorized, "wechat_bind_expired")
	}, apitest.WithWeChat(fake))
}

// TestWeChatOffByDefault: without an app id nothing of WeChat login
// answers but "not offered".
func TestWeChatOffByDefault(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		r := env.Get("/api/v1/auth/wechat", "")
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["enabled"] != false {
			t.Fatalf("WeChat on by default: %s", r.Body)
		}
		wxWant(t, env.Get("/api/v1/auth/wechat/authorize?redirect=/home", ""), http.StatusNotFound, "wechat_disabled")
		wxWant(t, env.Get("/api/v1/auth/wechat/callback?code=x&state=y", ""), http.StatusNotFound, "wechat_disabled")
		wxWant(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/wechat/sessions", Header: portal,
			Body: map[string]string{"phone": newPhone(), "code": "123456"}}), http.StatusNotFound, "wechat_disabled")
		tok := login(t, env, newPhone())
		r = env.Get("/api/v1/me/wechat", tok)
		apitest.Want(t, r, http.StatusOK)
		if m := r.Map(t); m["enabled"] != false || m["bound"] != false {
			t.Fatalf("binding view with WeChat off: %s", r.Body)
		}
	})
}

// TestWeChatErrcodeAndOutage: WeChat answering an errcode other than a bad
// code (here a wrong secret, 40125), or not answering at all, is a 503 in
// Chinese, and the secret never reaches the client or the log.
func TestWeChatErrcodeAndOutage(t *testing.T) {
	t.Parallel()
	fake := apitest.NewFakeWeChat(t)
	dead := apitest.NewFakeWeChat(t)
	deadURL := dead.URL
	dead.Close()
	for name, apiURL := range map[string]string{"errcode": fake.URL, "down": deadURL} {
		t.Run(name, func(t *testing.T) {
			secret := "wrong-secret-" + newPhone()
			apitest.Run(t, func(t *testing.T, env *apitest.Env) {
				b := newWxBrowser()
				r := wxLogin(t, env, fake, b, "o-"+newPhone(), "/home")
				wxWant(t, r, http.StatusServiceUnavailable, "wechat_unavailable")
				if strings.Contains(string(r.Body), secret) || strings.Contains(env.Logs.String(), secret) {
					t.Fatal("the WeChat secret leaked into the answer or the log")
				}
			}, apitest.WithEnvs(map[string]string{
				"JIUZHU_WECHAT_APP_ID": fake.AppID, "JIUZHU_WECHAT_SECRET": secret,
				"JIUZHU_WECHAT_OAUTH_URL": fake.URL, "JIUZHU_WECHAT_API_URL": apiURL,
			}))
		})
	}
}

// waitMessages waits until the fake holds n messages.
func waitMessages(t *testing.T, fake *apitest.FakeWeChat, n int) []apitest.FakeWeChatMessage {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		msgs := fake.Messages()
		if len(msgs) >= n {
			return msgs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d WeChat messages, want %d", len(msgs), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitMetric waits until /metrics shows line.
func waitMetric(t *testing.T, env *apitest.Env, token, line string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := env.Get("/metrics", token)
		if strings.Contains(string(r.Body), line) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics never showed %s", line)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWeChatStatusMessagesOnSteps: each step of a bound resident's case
// also goes to WeChat as a subscription message in plain Chinese with no
// ID number; the access token is shared and fetched again on 40001; a
// refused message does not hold the step and is counted; a resident
// without a binding gets none; nothing secret is logged.
func TestWeChatStatusMessagesOnSteps(t *testing.T) {
	t.Parallel()
	fake := apitest.NewFakeWeChat(t)
	const metricsToken = "wx-m3trics-Token-4f9c2a7b1e8d6053a9c7"
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		phone, openid := newPhone(), "o-"+newPhone()
		b := newWxBrowser()
		cb := wxCallback(t, env, fake, b, openid, "/home")
		u, _ := url.Parse(cb)
		secrets := []string{openid, u.Query().Get("code"), u.Query().Get("state"), b.cookies["jz_wx_nonce"], fake.Secret}
		apitest.Want(t, b.do(t, env, apitest.Request{Method: http.MethodGet, Path: cb}), http.StatusFound)
		secrets = append(secrets, b.cookies["jz_wx_ticket"])
		token := wxBind(t, env, b, phone)
		secrets = append(secrets, token, b.cookies["jz_session"])
		hh := wfHousehold("330502001001", 2)
		apitest.Want(t, env.Put("/api/v1/me/household", token, hh), http.StatusOK)
		before := len(fake.Messages())
		c := submitCase(t, env, token, model.ProgramDibao)
		msgs := waitMessages(t, fake, before+1)
		m := msgs[len(msgs)-1]
		if m.ToUser != openid || m.TemplateID != "status-template-1" {
			t.Fatalf("message to %q with template %q", m.ToUser, m.TemplateID)
		}
		if m.Data["thing1"] != "最低生活保障" || !strings.Contains(m.Data["thing3"], "已提交") || m.Data["character_string2"] == "" || m.Data["time4"] == "" {
			t.Fatalf("message keywords %v", m.Data)
		}
		for _, v := range m.Data {
			for _, member := range hh["members"].([]map[string]any) {
				if strings.Contains(v, member["id_number"].(string)) || strings.Contains(v, member["name"].(string)) {
					t.Fatalf("a keyword carries a member's ID number or name: %v", m.Data)
				}
			}
			if strings.Contains(v, phone) {
				t.Fatalf("a keyword carries the phone: %v", m.Data)
			}
		}
		calls, _ := fake.TokenCalls()

		// The kept token serves the next step without asking again.
		community := wfDemo(t, env, "community").Token
		wfAct(t, env, community, c.ID, "accept", "", http.StatusOK)
		msgs = waitMessages(t, fake, before+2)
		if !strings.Contains(msgs[len(msgs)-1].Data["thing3"], "受理") {
			t.Fatalf("accept message %v", msgs[len(msgs)-1].Data)
		}
		if now, _ := fake.TokenCalls(); now != calls {
			t.Fatalf("stable_token asked %d more times for a kept token", now-calls)
		}

		// WeChat forgot the token (40001): fetched again once, then sent.
		fake.RotateToken()
		wfAct(t, env, community, c.ID, "investigate", "", http.StatusOK)
		waitMessages(t, fake, before+3)
		if now, _ := fake.TokenCalls(); now != calls+1 {
			t.Fatalf("stable_token asked %d times after a 40001, want once", now-calls)
		}

		// A refused message: the step still succeeds, the failure is counted.
		fake.FailSends(1)
		wfAct(t, env, community, c.ID, "return", "请补充收入证明", http.StatusOK)
		waitMetric(t, env, metricsToken, `jiuzhu_sms_failures_total{driver="wechat"} 1`)
		waitMetric(t, env, metricsToken, `jiuzhu_sms_sent_total{driver="wechat"} 3`)

		// The token is refused but stable_token hands the same one back:
		// a forced refresh, once.
		_, forcedBefore := fake.TokenCalls()
		fake.RevokeToken()
		apitest.Want(t, env.Post("/api/v1/applications/"+c.ID+"/submit", token, nil), http.StatusOK)
		msgs = waitMessages(t, fake, before+4)
		if !strings.Contains(msgs[len(msgs)-1].Data["thing3"], "已提交") {
			t.Fatalf("resubmit message %v", msgs[len(msgs)-1].Data)
		}
		if _, forced := fake.TokenCalls(); forced != forcedBefore+1 {
			t.Fatalf("%d forced refreshes, want 1", forced-forcedBefore)
		}

		// Another resident without a binding: no message.
		n := len(fake.Messages())
		wfSubmitted(t, env, "330502001001", 1)
		time.Sleep(200 * time.Millisecond)
		if got := len(fake.Messages()); got != n {
			t.Fatalf("%d WeChat messages for a resident without a binding", got-n)
		}

		logs := env.Logs.String()
		if !strings.Contains(logs, "/api/v1/auth/wechat/callback") {
			t.Fatal("the log captured nothing; the test would prove nothing")
		}
		secrets = append(secrets, fake.AccessToken())
		assertNoSecretsLogged(t, logs, secrets)
	}, apitest.WithWeChat(fake), apitest.WithEnv("JIUZHU_METRICS_TOKEN", metricsToken))
}
