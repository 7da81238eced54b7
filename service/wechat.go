package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// WeChatOAuth is WeChat's 网页授权 (OAuth2) for the bureau's 公众号: where
// to send a browser to be identified, and which openid the code it comes
// back with stands for.
type WeChatOAuth interface {
	// AuthorizeURL is the page that identifies the WeChat user and sends
	// the browser to redirectURI with a code and state.
	AuthorizeURL(redirectURI, state string) string
	// OpenID exchanges a code for the user's openid. A code that is wrong,
	// expired or used is a model.KindUnauthenticated error; WeChat down or
	// refusing the account is model.KindUnavailable.
	OpenID(ctx context.Context, code string) (string, error)
}

// WeChatMessenger sends subscription messages (订阅通知) of the 公众号.
type WeChatMessenger interface {
	SendSubscribe(ctx context.Context, m SubscribeMessage) error
}

// SubscribeMessage is one 订阅通知: to an openid, by a template, with the
// template's keywords filled in plain text and the page it opens.
type SubscribeMessage struct {
	ToUser     string
	TemplateID string
	Page       string
	Data       map[string]string
}

// WeChatError is an error answer of WeChat's API ({"errcode","errmsg"}).
type WeChatError struct {
	Code int
	Msg  string
}

func (e *WeChatError) Error() string { return fmt.Sprintf("wechat errcode %d: %s", e.Code, e.Msg) }

// WeChat error codes the adapter acts on.
const (
	wxInvalidCredential = 40001 // access token invalid (another instance refreshed it, or revoked)
	wxInvalidCode       = 40029
	wxAccessTokenExpire = 42001
	wxCodeUsed          = 40163
)

var errWeChatCode = model.NewError(model.KindUnauthenticated, "wechat_code_invalid",
	"the WeChat authorisation is invalid or was used already; start the WeChat login again")

// WeChatHTTP speaks WeChat's HTTPS API: the OAuth2 code exchange and
// subscription messages with the account's access token. The token comes
// from cgi-bin/stable_token and is kept, sealed, in the KV until shortly
// before it expires, so every instance uses the same one; a send answered
// 40001 or 42001 fetches it again once. Every call is bounded by the
// client's timeout; errors never carry the secret, a code, a token or an
// openid.
type WeChatHTTP struct {
	appID, secret    string
	oauthURL, apiURL string
	client           *http.Client
	kv               storage.KV
	keys             *Keys
	clock            model.Clock
}

var (
	_ WeChatOAuth     = (*WeChatHTTP)(nil)
	_ WeChatMessenger = (*WeChatHTTP)(nil)
)

// WeChatAccount is what WeChatHTTP needs to know of the 公众号.
type WeChatAccount struct {
	AppID, Secret string
	// OAuthURL (https://open.weixin.qq.com) and APIURL
	// (https://api.weixin.qq.com) are WeChat's two hosts.
	OAuthURL, APIURL string
	Timeout          time.Duration
}

// NewWeChatHTTP builds the adapter; a nil client is one bounded by
// acct.Timeout.
func NewWeChatHTTP(acct WeChatAccount, client *http.Client, kv storage.KV, keys *Keys, clock model.Clock) *WeChatHTTP {
	if client == nil {
		client = &http.Client{Timeout: acct.Timeout}
	}
	return &WeChatHTTP{
		appID: acct.AppID, secret: acct.Secret,
		oauthURL: strings.TrimRight(acct.OAuthURL, "/"), apiURL: strings.TrimRight(acct.APIURL, "/"),
		client: client, kv: kv, keys: keys, clock: clock,
	}
}

// AuthorizeURL is the silent (snsapi_base) authorisation page.
func (w *WeChatHTTP) AuthorizeURL(redirectURI, state string) string {
	// WeChat wants the parameters in this order (url.Values would sort them).
	return w.oauthURL + "/connect/oauth2/authorize?appid=" + url.QueryEscape(w.appID) +
		"&redirect_uri=" + url.QueryEscape(redirectURI) +
		"&response_type=code&scope=snsapi_base&state=" + url.QueryEscape(state) + "#wechat_redirect"
}

// OpenID exchanges code at sns/oauth2/access_token.
func (w *WeChatHTTP) OpenID(ctx context.Context, code string) (string, error) {
	q := url.Values{"appid": {w.appID}, "secret": {w.secret}, "code": {code}, "grant_type": {"authorization_code"}}
	var out struct {
		OpenID string `json:"openid"`
	}
	err := w.call(ctx, http.MethodGet, "/sns/oauth2/access_token?"+q.Encode(), nil, &out)
	var we *WeChatError
	if errors.As(err, &we) && (we.Code == wxInvalidCode || we.Code == wxCodeUsed) {
		return "", errWeChatCode.Wrap(err)
	}
	if err != nil {
		return "", model.Unavailable("wechat", fmt.Errorf("oauth2 code exchange: %w", err))
	}
	if out.OpenID == "" {
		return "", model.Unavailable("wechat", errors.New("oauth2 code exchange: no openid in the answer"))
	}
	return out.OpenID, nil
}

// SendSubscribe sends m by message/subscribe/bizsend, fetching the access
// token again once when WeChat says it is invalid or expired.
func (w *WeChatHTTP) SendSubscribe(ctx context.Context, m SubscribeMessage) error {
	data := make(map[string]map[string]string, len(m.Data))
	for k, v := range m.Data {
		data[k] = map[string]string{"value": v}
	}
	body, err := json.Marshal(map[string]any{"touser": m.ToUser, "template_id": m.TemplateID, "page": m.Page, "data": data})
	if err != nil {
		return fmt.Errorf("encode subscribe message: %w", err)
	}
	var stale string
	for attempt := 0; ; attempt++ {
		token, err := w.accessToken(ctx, stale)
		if err != nil {
			return err
		}
		err = w.call(ctx, http.MethodPost, "/cgi-bin/message/subscribe/bizsend?access_token="+url.QueryEscape(token), body, nil)
		var we *WeChatError
		if attempt == 0 && errors.As(err, &we) && (we.Code == wxInvalidCredential || we.Code == wxAccessTokenExpire) {
			stale = token
			continue
		}
		if err != nil {
			return model.Unavailable("wechat", fmt.Errorf("subscribe message: %w", err))
		}
		return nil
	}
}

const wechatTokenKey = "wechat:access-token"

type cachedToken struct {
	Sealed  string    `json:"t"`
	Expires time.Time `json:"exp"`
}

// accessToken returns the account's access token from the KV, or from
// stable_token when none is kept or the kept one is stale (the token a
// send was refused with). When stable_token hands back the stale token
// again, it is asked to force a new one.
func (w *WeChatHTTP) accessToken(ctx context.Context, stale string) (string, error) {
	if b, err := w.kv.Get(ctx, wechatTokenKey); err == nil {
		var c cachedToken
		if json.Unmarshal(b, &c) == nil && w.clock.Now().Before(c.Expires) {
			if t, err := w.keys.Open(c.Sealed); err == nil && t != "" && t != stale {
				return t, nil
			}
		}
	} else if !errors.Is(err, model.ErrNotFound) {
		return "", fmt.Errorf("load wechat access token: %w", err)
	}
	token, ttl, err := w.stableToken(ctx, false)
	if err == nil && token == stale {
		token, ttl, err = w.stableToken(ctx, true)
	}
	if err != nil {
		return "", model.Unavailable("wechat", fmt.Errorf("stable_token: %w", err))
	}
	// Keep it until five minutes before WeChat's expiry (at least a minute).
	keep := max(ttl-5*time.Minute, time.Minute)
	sealed, err := w.keys.Seal(token)
	if err != nil {
		return "", fmt.Errorf("seal wechat access token: %w", err)
	}
	b, err := json.Marshal(cachedToken{Sealed: sealed, Expires: w.clock.Now().Add(keep)})
	if err != nil {
		return "", fmt.Errorf("encode wechat access token: %w", err)
	}
	if err := w.kv.Set(ctx, wechatTokenKey, b, keep); err != nil {
		return "", fmt.Errorf("keep wechat access token: %w", err)
	}
	return token, nil
}

func (w *WeChatHTTP) stableToken(ctx context.Context, force bool) (string, time.Duration, error) {
	body, err := json.Marshal(map[string]any{"grant_type": "client_credential", "appid": w.appID, "secret": w.secret, "force_refresh": force})
	if err != nil {
		return "", 0, err
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := w.call(ctx, http.MethodPost, "/cgi-bin/stable_token", body, &out); err != nil {
		return "", 0, err
	}
	if out.AccessToken == "" || out.ExpiresIn <= 0 {
		return "", 0, errors.New("no access token in the answer")
	}
	return out.AccessToken, time.Duration(out.ExpiresIn) * time.Second, nil
}

// call does one request to the API host and decodes the JSON answer into
// out; an answer with a non-zero errcode is a *WeChatError. The error of a
// failed round trip is given without its URL (which holds the secret or a
// token).
func (w *WeChatHTTP) call(ctx context.Context, method, pathAndQuery string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, w.apiURL+pathAndQuery, rd)
	if err != nil {
		return errors.New("build request")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s %s: %w", method, req.URL.Path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("%s %s: read: %w", method, req.URL.Path, err)
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: HTTP %d", method, req.URL.Path, res.StatusCode)
	}
	var e struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("%s %s: not JSON", method, req.URL.Path)
	}
	if e.ErrCode != 0 {
		return &WeChatError{Code: e.ErrCode, Msg: e.ErrMsg}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, req.URL.Path, err)
		}
	}
	return nil
}
