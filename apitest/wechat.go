package apitest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// FakeWeChat is an httptest server speaking the WeChat endpoints Jiuzhu
// uses, on one host (point both JIUZHU_WECHAT_OAUTH_URL and
// JIUZHU_WECHAT_API_URL at URL): the 网页授权 page (it identifies the user
// set with SetUser and redirects back with a fresh code and the state),
// sns/oauth2/access_token (errcode 40029 for an unknown code, 40163 for a
// used one, 40125 for a wrong secret), cgi-bin/stable_token, and
// message/subscribe/bizsend (40001 for a token that is not the current
// one; messages recorded).
type FakeWeChat struct {
	*httptest.Server
	AppID, Secret string

	mu         sync.Mutex
	user       string
	codes      map[string]string // code → openid
	used       map[string]bool
	token      string
	revoked    bool // the current token answers 40001 until forced anew
	tokenCalls int
	forced     int
	sendFail   int
	messages   []FakeWeChatMessage
}

// FakeWeChatMessage is one subscription message the fake received.
type FakeWeChatMessage struct {
	ToUser     string            `json:"touser"`
	TemplateID string            `json:"template_id"`
	Page       string            `json:"page"`
	Data       map[string]string `json:"-"`
}

// NewFakeWeChat starts the fake; it closes when the test ends.
func NewFakeWeChat(t testing.TB) *FakeWeChat {
	t.Helper()
	f := &FakeWeChat{AppID: "wx" + randomHex(8), Secret: randomHex(16), codes: map[string]string{}, used: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /connect/oauth2/authorize", f.authorize)
	mux.HandleFunc("GET /sns/oauth2/access_token", f.exchange)
	mux.HandleFunc("POST /cgi-bin/stable_token", f.stableToken)
	mux.HandleFunc("POST /cgi-bin/message/subscribe/bizsend", f.bizsend)
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// WithWeChat configures the application for the fake: its app id and
// secret, both hosts, and a status-message template.
func WithWeChat(f *FakeWeChat) Option {
	return WithEnvs(map[string]string{
		"JIUZHU_WECHAT_APP_ID": f.AppID, "JIUZHU_WECHAT_SECRET": f.Secret,
		"JIUZHU_WECHAT_OAUTH_URL": f.URL, "JIUZHU_WECHAT_API_URL": f.URL,
		"JIUZHU_WECHAT_TEMPLATE_ID": "status-template-1",
	})
}

// SetUser makes openid the WeChat user the authorisation page identifies.
func (f *FakeWeChat) SetUser(openid string) {
	f.mu.Lock()
	f.user = openid
	f.mu.Unlock()
}

// Messages returns the subscription messages received so far.
func (f *FakeWeChat) Messages() []FakeWeChatMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FakeWeChatMessage(nil), f.messages...)
}

// TokenCalls is how many times stable_token was asked (forced: with
// force_refresh).
func (f *FakeWeChat) TokenCalls() (all, forced int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls, f.forced
}

// AccessToken is the account's current access token ("" when none).
func (f *FakeWeChat) AccessToken() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.token
}

// RotateToken makes WeChat forget the current access token, as when
// another client forced a new one: the next send with it answers 40001.
func (f *FakeWeChat) RotateToken() {
	f.mu.Lock()
	f.token = ""
	f.mu.Unlock()
}

// RevokeToken makes the current access token answer 40001 while
// stable_token keeps handing it out until a client asks with
// force_refresh.
func (f *FakeWeChat) RevokeToken() {
	f.mu.Lock()
	f.revoked = true
	f.mu.Unlock()
}

// FailSends makes the next n sends answer errcode 43101 (the user refused
// the message).
func (f *FakeWeChat) FailSends(n int) {
	f.mu.Lock()
	f.sendFail = n
	f.mu.Unlock()
}

// IssueCode issues a fresh code for openid, as the authorisation page
// would (for tests that forge callbacks).
func (f *FakeWeChat) IssueCode(openid string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	code := randomHex(16)
	f.codes[code] = openid
	return code
}

func (f *FakeWeChat) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("appid") != f.AppID || q.Get("response_type") != "code" || q.Get("scope") != "snsapi_base" || err != nil || back.Host == "" {
		http.Error(w, "bad authorize request", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	user := f.user
	f.mu.Unlock()
	if user == "" {
		http.Error(w, "no WeChat user set", http.StatusBadRequest)
		return
	}
	bq := back.Query()
	bq.Set("code", f.IssueCode(user))
	bq.Set("state", q.Get("state"))
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (f *FakeWeChat) exchange(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("appid") != f.AppID || q.Get("secret") != f.Secret {
		writeWeChat(w, map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
		return
	}
	if q.Get("grant_type") != "authorization_code" {
		writeWeChat(w, map[string]any{"errcode": 40002, "errmsg": "invalid grant_type"})
		return
	}
	f.mu.Lock()
	code := q.Get("code")
	openid, ok := f.codes[code]
	used := f.used[code]
	if ok && !used {
		f.used[code] = true
	}
	f.mu.Unlock()
	switch {
	case !ok:
		writeWeChat(w, map[string]any{"errcode": 40029, "errmsg": "invalid code"})
	case used:
		writeWeChat(w, map[string]any{"errcode": 40163, "errmsg": "code been used"})
	default:
		writeWeChat(w, map[string]any{"access_token": "user-" + randomHex(8), "expires_in": 7200,
			"refresh_token": randomHex(8), "openid": openid, "scope": "snsapi_base"})
	}
}

func (f *FakeWeChat) stableToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.GrantType != "client_credential" {
		writeWeChat(w, map[string]any{"errcode": 40002, "errmsg": "invalid grant_type"})
		return
	}
	if req.AppID != f.AppID || req.Secret != f.Secret {
		writeWeChat(w, map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
		return
	}
	f.mu.Lock()
	f.tokenCalls++
	if req.ForceRefresh {
		f.forced++
	}
	if f.token == "" || req.ForceRefresh {
		f.token = "acc-" + randomHex(12)
		f.revoked = false
	}
	token := f.token
	f.mu.Unlock()
	writeWeChat(w, map[string]any{"access_token": token, "expires_in": int((2 * time.Hour).Seconds())})
}

func (f *FakeWeChat) bizsend(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ToUser     string                       `json:"touser"`
		TemplateID string                       `json:"template_id"`
		Page       string                       `json:"page"`
		Data       map[string]map[string]string `json:"data"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ToUser == "" || req.TemplateID == "" {
		writeWeChat(w, map[string]any{"errcode": 47001, "errmsg": "data format error"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if tok := r.URL.Query().Get("access_token"); tok == "" || tok != f.token || f.revoked {
		writeWeChat(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
		return
	}
	if f.sendFail > 0 {
		f.sendFail--
		writeWeChat(w, map[string]any{"errcode": 43101, "errmsg": "user refuse to accept the msg"})
		return
	}
	m := FakeWeChatMessage{ToUser: req.ToUser, TemplateID: req.TemplateID, Page: req.Page, Data: map[string]string{}}
	for k, v := range req.Data {
		m.Data[k] = v["value"]
	}
	f.messages = append(f.messages, m)
	writeWeChat(w, map[string]any{"errcode": 0, "errmsg": "ok", "msgid": len(f.messages)})
}

func writeWeChat(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
