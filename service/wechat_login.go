package service

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// WeChat login rules.
const (
	// WeChatStateTTL is how long a started WeChat login may take to come
	// back, and how long a resident has to verify their phone after it.
	WeChatStateTTL = 10 * time.Minute
)

var limitWeChatStartPerIP = storage.Limit{Rate: 30, Period: time.Minute, Burst: 30}

var (
	errWeChatOff = model.NewError(model.KindNotFound, "wechat_disabled",
		"WeChat login is not offered here; log in with your phone and an SMS code")
	errWeChatState = model.Forbidden("wechat_state_invalid",
		"the WeChat login was not started in this browser, or was used or expired; start it again")
	errWeChatTicket = model.NewError(model.KindUnauthenticated, "wechat_bind_expired",
		"the WeChat login to bind has expired; start the WeChat login again")
	errWeChatNoCode = model.NewError(model.KindMalformed, "wechat_code_missing",
		"WeChat sent no authorisation code; start the WeChat login again")
	errWeChatNotBound = model.NewError(model.KindNotFound, "wechat_not_bound", "no WeChat is bound to this account")
)

// WeChatLogin is the resident's login through WeChat's 网页授权 (OAuth2,
// snsapi_base). Start sends the browser to WeChat with a state bound to
// that browser (the state's keyed hash in the KV names the keyed hash of a
// nonce the browser keeps in a cookie) and used once; Finish exchanges the
// code for the openid. An openid bound to a resident opens their session;
// one not yet bound becomes a short-lived ticket, and Bind binds it once
// the resident proved a phone with an SMS code (first time: WeChat, SMS,
// bound; afterwards straight in). Residents see and remove their binding.
// Openids, codes, states and tickets are never logged or shown.
type WeChatLogin struct {
	d         WeChatDeps
	oauth     WeChatOAuth // nil: WeChat login is off
	residents *Residents
	audit     *Audit
}

// NewWeChatLogin builds the WeChat login; a nil oauth turns it off.
func NewWeChatLogin(d WeChatDeps, oauth WeChatOAuth, residents *Residents, audit *Audit) *WeChatLogin {
	return &WeChatLogin{d: d, oauth: oauth, residents: residents, audit: audit}
}

// Enabled reports whether WeChat login is configured.
func (w *WeChatLogin) Enabled() bool { return w.oauth != nil }

// PublicURL is the configured public origin WeChat sends residents back to
// ("" in dev mode when the request's own host is to be used).
func (w *WeChatLogin) PublicURL() string { return w.d.Settings.WeChatPublicURL }

// WeChatStart is where to send the browser and the nonce it must keep.
type WeChatStart struct {
	URL   string
	Nonce string
}

type wechatState struct {
	NonceHash string `json:"n"`
	Redirect  string `json:"r"`
}

type wechatTicket struct {
	OpenIDSealed string `json:"o"`
	Redirect     string `json:"r"`
}

// Start begins a WeChat login that comes back to callbackURL and then
// to the portal path redirect (a same-site path, else /home). It returns
// errWeChatOff (404) when WeChat login is off and model.KindRateLimited
// past 30 starts a minute from one client IP.
func (w *WeChatLogin) Start(ctx context.Context, callbackURL, redirect string) (WeChatStart, error) {
	if w.oauth == nil {
		return WeChatStart{}, errWeChatOff
	}
	if err := allow(ctx, w.d.Limiter, "wechat:start:ip:"+model.RequestMetaFrom(ctx).ClientIP, limitWeChatStartPerIP); err != nil {
		return WeChatStart{}, err
	}
	state, err := w.random()
	if err != nil {
		return WeChatStart{}, err
	}
	nonce, err := w.random()
	if err != nil {
		return WeChatStart{}, err
	}
	b, err := json.Marshal(wechatState{NonceHash: w.d.Keys.TokenHash("wechat-nonce", nonce), Redirect: safeRedirect(redirect)})
	if err != nil {
		return WeChatStart{}, fmt.Errorf("encode wechat state: %w", err)
	}
	if err := w.d.KV.Set(ctx, w.stateKey(state), b, WeChatStateTTL); err != nil {
		return WeChatStart{}, fmt.Errorf("keep wechat state: %w", err)
	}
	return WeChatStart{URL: w.oauth.AuthorizeURL(callbackURL, state), Nonce: nonce}, nil
}

// WeChatFinish is the outcome of a WeChat login: a session when the openid
// is bound, else a ticket to bind it with an SMS code; Redirect is the
// portal path to go on to.
type WeChatFinish struct {
	Login    *Login
	Ticket   string
	Redirect string
}

// Finish completes a WeChat login from the callback: state and code as
// WeChat sent them, nonce from the browser's cookie. A state that is
// unknown, expired, already used or started in another browser is
// errWeChatState (403); a refused code is 401 wechat_code_invalid; WeChat
// unreachable is 503.
func (w *WeChatLogin) Finish(ctx context.Context, state, nonce, code string) (WeChatFinish, error) {
	if w.oauth == nil {
		return WeChatFinish{}, errWeChatOff
	}
	if state == "" || len(state) > 128 || nonce == "" || len(nonce) > 128 {
		return WeChatFinish{}, errWeChatState
	}
	key := w.stateKey(state)
	var st wechatState
	if err := w.load(ctx, key, &st, errWeChatState); err != nil {
		return WeChatFinish{}, err
	}
	if subtle.ConstantTimeCompare([]byte(st.NonceHash), []byte(w.d.Keys.TokenHash("wechat-nonce", nonce))) != 1 {
		return WeChatFinish{}, errWeChatState
	}
	if err := w.claim(ctx, key, errWeChatState); err != nil {
		return WeChatFinish{}, err
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 256 {
		return WeChatFinish{}, errWeChatNoCode
	}
	openid, err := w.oauth.OpenID(ctx, code)
	if err != nil {
		return WeChatFinish{}, err
	}
	bound, err := w.d.DB.WeChatBindingByOpenID(ctx, w.openIDIndex(openid))
	switch {
	case err == nil:
		res, err := w.d.DB.Resident(ctx, bound.ResidentID)
		if err != nil {
			return WeChatFinish{}, fmt.Errorf("resident of wechat binding: %w", err)
		}
		if err := w.d.DB.TouchResidentLogin(ctx, res.ID, w.d.Clock.Now()); err != nil {
			return WeChatFinish{}, err
		}
		login, err := w.residents.openSession(ctx, res)
		if err != nil {
			return WeChatFinish{}, err
		}
		return WeChatFinish{Login: &login, Redirect: st.Redirect}, nil
	case !errors.Is(err, model.ErrNotFound):
		return WeChatFinish{}, err
	}
	sealed, err := w.d.Keys.Seal(openid)
	if err != nil {
		return WeChatFinish{}, fmt.Errorf("seal openid: %w", err)
	}
	ticket, err := w.random()
	if err != nil {
		return WeChatFinish{}, err
	}
	tb, err := json.Marshal(wechatTicket{OpenIDSealed: sealed, Redirect: st.Redirect})
	if err != nil {
		return WeChatFinish{}, fmt.Errorf("encode wechat ticket: %w", err)
	}
	if err := w.d.KV.Set(ctx, w.ticketKey(ticket), tb, WeChatStateTTL); err != nil {
		return WeChatFinish{}, fmt.Errorf("keep wechat ticket: %w", err)
	}
	return WeChatFinish{Ticket: ticket, Redirect: st.Redirect}, nil
}

// Bind binds the openid of ticket to the resident whose phone the SMS code
// proves and opens their session. The code is checked as Residents.Login
// checks it (same limits and errors); a missing, expired or used ticket is
// errWeChatTicket (401). An earlier binding of this resident or of this
// WeChat is replaced. Audited as wechat.bind.
func (w *WeChatLogin) Bind(ctx context.Context, ticket, phone, code string) (Login, error) {
	if w.oauth == nil {
		return Login{}, errWeChatOff
	}
	if ticket == "" || len(ticket) > 128 {
		return Login{}, errWeChatTicket
	}
	key := w.ticketKey(ticket)
	var t wechatTicket
	if err := w.load(ctx, key, &t, errWeChatTicket); err != nil {
		return Login{}, err
	}
	openid, err := w.d.Keys.Open(t.OpenIDSealed)
	if err != nil || openid == "" {
		return Login{}, errWeChatTicket
	}
	res, err := w.residents.verifyCode(ctx, phone, code)
	if err != nil {
		return Login{}, err
	}
	if err := w.claim(ctx, key, errWeChatTicket); err != nil {
		return Login{}, err
	}
	sealed, err := w.d.Keys.Seal(openid)
	if err != nil {
		return Login{}, fmt.Errorf("seal openid: %w", err)
	}
	actx := model.WithPrincipal(ctx, model.Principal{Kind: model.PrincipalResident, ID: res.ID})
	err = w.d.DB.InTx(actx, func(ctx context.Context) error {
		bind := model.WeChatBinding{ResidentID: res.ID, OpenIDIndex: w.openIDIndex(openid), OpenIDSealed: sealed, CreatedAt: w.d.Clock.Now()}
		if err := w.d.DB.BindWeChat(ctx, &bind); err != nil {
			return err
		}
		return w.audit.Record(ctx, Event{Action: "wechat.bind", TargetType: "resident", TargetID: res.ID})
	})
	if err != nil {
		return Login{}, err
	}
	return w.residents.openSession(ctx, res)
}

// WeChatBindingView is what a resident sees of their WeChat binding: never
// the openid.
type WeChatBindingView struct {
	Enabled bool       `json:"enabled"`
	Bound   bool       `json:"bound"`
	BoundAt *time.Time `json:"bound_at,omitempty"`
}

// Binding returns the caller's binding.
func (w *WeChatLogin) Binding(ctx context.Context) (WeChatBindingView, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return WeChatBindingView{}, err
	}
	view := WeChatBindingView{Enabled: w.Enabled()}
	b, err := w.d.DB.WeChatBindingOf(ctx, p.ID)
	if errors.Is(err, model.ErrNotFound) {
		return view, nil
	}
	if err != nil {
		return WeChatBindingView{}, err
	}
	at := b.CreatedAt
	view.Bound, view.BoundAt = true, &at
	return view, nil
}

// Unbind removes the caller's binding (audited as wechat.unbind): the
// WeChat no longer logs in and receives no messages. No binding is 404
// wechat_not_bound.
func (w *WeChatLogin) Unbind(ctx context.Context) error {
	p, err := residentOf(ctx)
	if err != nil {
		return err
	}
	return w.d.DB.InTx(ctx, func(ctx context.Context) error {
		gone, err := w.d.DB.DeleteWeChatBinding(ctx, p.ID)
		if err != nil {
			return err
		}
		if !gone {
			return errWeChatNotBound
		}
		return w.audit.Record(ctx, Event{Action: "wechat.unbind", TargetType: "resident", TargetID: p.ID})
	})
}

// load reads the JSON record at key into v; an absent or unreadable one
// is gone (the caller's error).
func (w *WeChatLogin) load(ctx context.Context, key string, v any, gone error) error {
	b, err := w.d.KV.Get(ctx, key)
	if errors.Is(err, model.ErrNotFound) {
		return gone
	}
	if err != nil {
		return fmt.Errorf("load wechat login record: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return gone
	}
	return nil
}

// claim uses the record at key up: only the first of concurrent claims
// succeeds, the others get gone.
func (w *WeChatLogin) claim(ctx context.Context, key string, gone error) error {
	claimed, err := w.d.KV.SetNX(ctx, key+":used", []byte("1"), WeChatStateTTL)
	if err != nil {
		return fmt.Errorf("claim wechat login record: %w", err)
	}
	if !claimed {
		return gone
	}
	_ = w.d.KV.Delete(ctx, key)
	return nil
}

func (w *WeChatLogin) stateKey(state string) string {
	return "wechat:state:" + w.d.Keys.TokenHash("wechat-state", state)
}

func (w *WeChatLogin) ticketKey(ticket string) string {
	return "wechat:ticket:" + w.d.Keys.TokenHash("wechat-ticket", ticket)
}

func (w *WeChatLogin) openIDIndex(openid string) string {
	return w.d.Keys.BlindIndex("wechat-openid", openid)
}

func (w *WeChatLogin) random() (string, error) {
	raw, err := model.RandomToken(w.d.Random, 32)
	if err != nil {
		return "", fmt.Errorf("wechat login: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(raw), nil
}

// safeRedirect is p when it is a path of this site ("/…", not "//…" nor
// with a backslash or a scheme), else "/home": where a login may send the
// browser afterwards without becoming an open redirect.
func safeRedirect(p string) string {
	if len(p) > 512 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\\r\n\t") {
		return "/home"
	}
	if strings.HasPrefix(p, "/login") || strings.HasPrefix(p, "/api/") {
		return "/home"
	}
	return p
}
