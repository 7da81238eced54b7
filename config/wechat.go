package config

import (
	"net/url"
	"strings"
	"time"
)

// WeChat is the bureau's 公众号 (official account). With an app id and a
// secret, residents inside WeChat may log in by 网页授权 (OAuth2,
// snsapi_base) once they bound their WeChat to their phone by SMS; with a
// subscription-message template as well, case status messages also go to
// a bound resident's WeChat. Without an app id all of it is off.
type WeChat struct {
	WeChatAppID  string `yaml:"wechat_app_id" env:"JIUZHU_WECHAT_APP_ID"`
	WeChatSecret string `yaml:"wechat_secret" secret:"true" env:"JIUZHU_WECHAT_SECRET"`
	// WeChatPublicURL is the portal's public origin (https://host), the
	// domain registered as the account's 网页授权域名: WeChat sends the
	// resident back to <it>/api/v1/auth/wechat/callback. Required outside
	// dev mode; in dev mode the request's own host is used when empty.
	WeChatPublicURL string `yaml:"wechat_public_url" env:"JIUZHU_WECHAT_PUBLIC_URL"`
	// WeChatTemplateID is the subscription-message (订阅通知) template for
	// case status messages; empty sends none.
	WeChatTemplateID string `yaml:"wechat_template_id" env:"JIUZHU_WECHAT_TEMPLATE_ID"`
	// WeChatOAuthURL and WeChatAPIURL are WeChat's two hosts (tests point
	// them at a fake); WeChatTimeout bounds each call to them.
	WeChatOAuthURL string        `yaml:"wechat_oauth_url" env:"JIUZHU_WECHAT_OAUTH_URL"`
	WeChatAPIURL   string        `yaml:"wechat_api_url" env:"JIUZHU_WECHAT_API_URL"`
	WeChatTimeout  time.Duration `yaml:"wechat_timeout" env:"JIUZHU_WECHAT_TIMEOUT"`
}

func defaultWeChat() WeChat {
	return WeChat{
		WeChatOAuthURL: "https://open.weixin.qq.com",
		WeChatAPIURL:   "https://api.weixin.qq.com",
		WeChatTimeout:  5 * time.Second,
	}
}

// WeChatEnabled reports whether WeChat login is configured.
func (w WeChat) WeChatEnabled() bool { return w.WeChatAppID != "" }

// validate reports bad values through bad; a half-configured account (an
// id without its secret, a template without an account, no public URL
// outside dev mode) is refused.
func (w WeChat) validate(dev bool, bad func(name, format string, args ...any)) {
	httpURL := func(name, v string) (*url.URL, bool) {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad(name, "want an absolute http(s) URL without query, got %q", v)
			return nil, false
		}
		return u, true
	}
	httpURL("JIUZHU_WECHAT_OAUTH_URL", w.WeChatOAuthURL)
	httpURL("JIUZHU_WECHAT_API_URL", w.WeChatAPIURL)
	if w.WeChatTimeout < 100*time.Millisecond || w.WeChatTimeout > time.Minute {
		bad("JIUZHU_WECHAT_TIMEOUT", "must be between 100ms and 1m")
	}
	if (w.WeChatAppID == "") != (w.WeChatSecret == "") {
		bad("JIUZHU_WECHAT_SECRET", "JIUZHU_WECHAT_APP_ID and JIUZHU_WECHAT_SECRET go together: set both or neither")
	}
	if w.WeChatTemplateID != "" && w.WeChatAppID == "" {
		bad("JIUZHU_WECHAT_TEMPLATE_ID", "needs JIUZHU_WECHAT_APP_ID and JIUZHU_WECHAT_SECRET")
	}
	if w.WeChatPublicURL != "" {
		if u, ok := httpURL("JIUZHU_WECHAT_PUBLIC_URL", w.WeChatPublicURL); ok {
			if strings.Trim(u.Path, "/") != "" {
				bad("JIUZHU_WECHAT_PUBLIC_URL", "give the origin only (https://host), got %q", w.WeChatPublicURL)
			} else if u.Scheme != "https" && !dev {
				bad("JIUZHU_WECHAT_PUBLIC_URL", "must be https outside dev mode")
			}
		}
	} else if w.WeChatEnabled() && !dev {
		bad("JIUZHU_WECHAT_PUBLIC_URL", "required with JIUZHU_WECHAT_APP_ID outside dev mode (the portal's https origin)")
	}
}
