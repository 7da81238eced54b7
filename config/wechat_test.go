package config

import (
	"strings"
	"testing"
)

// TestWeChatHalfConfiguredRefused: WeChat is off by default; an app id
// without its secret (or the reverse), a template without an account, a
// production account without its https public origin, or a public URL with
// a path are refused, naming the variable; a whole production account
// loads and its secret is masked.
func TestWeChatHalfConfiguredRefused(t *testing.T) {
	t.Parallel()
	const key = "k3J9x-2mQp7Lr8vT1wZ4yN6bC0dF5gH-aE"
	prod := func(vars map[string]string) map[string]string {
		out := map[string]string{"JIUZHU_REDIS_ADDR": "redis:6379", "JIUZHU_SECRET_KEY": key, "JIUZHU_DATA_DIR": t.TempDir()}
		for k, v := range vars {
			out[k] = v
		}
		return out
	}
	c, err := Load("", env(map[string]string{"JIUZHU_DATA_DIR": t.TempDir()}))
	if err != nil || c.WeChatEnabled() {
		t.Fatalf("WeChat on by default (%v)", err)
	}
	cases := []struct {
		vars map[string]string
		want string
	}{
		{prod(map[string]string{"JIUZHU_WECHAT_APP_ID": "wx0123456789abcdef", "JIUZHU_WECHAT_PUBLIC_URL": "https://jz.example.gov.cn"}), "JIUZHU_WECHAT_SECRET"},
		{prod(map[string]string{"JIUZHU_WECHAT_SECRET": "s3cr3t-value-0123456789"}), "JIUZHU_WECHAT_SECRET"},
		{prod(map[string]string{"JIUZHU_WECHAT_TEMPLATE_ID": "tmpl"}), "JIUZHU_WECHAT_TEMPLATE_ID"},
		{prod(map[string]string{"JIUZHU_WECHAT_APP_ID": "wx0123456789abcdef", "JIUZHU_WECHAT_SECRET": "s3cr3t-value-0123456789"}), "JIUZHU_WECHAT_PUBLIC_URL"},
		{prod(map[string]string{"JIUZHU_WECHAT_APP_ID": "wx0123456789abcdef", "JIUZHU_WECHAT_SECRET": "s3cr3t-value-0123456789",
			"JIUZHU_WECHAT_PUBLIC_URL": "http://jz.example.gov.cn"}), "JIUZHU_WECHAT_PUBLIC_URL"},
		{prod(map[string]string{"JIUZHU_WECHAT_PUBLIC_URL": "https://jz.example.gov.cn/portal"}), "JIUZHU_WECHAT_PUBLIC_URL"},
		{prod(map[string]string{"JIUZHU_WECHAT_API_URL": "api.weixin.qq.com"}), "JIUZHU_WECHAT_API_URL"},
		{prod(map[string]string{"JIUZHU_WECHAT_TIMEOUT": "10ms"}), "JIUZHU_WECHAT_TIMEOUT"},
	}
	for _, tc := range cases {
		if _, err := Load("", env(tc.vars)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.vars, err, tc.want)
		}
	}
	c, err = Load("", env(prod(map[string]string{"JIUZHU_WECHAT_APP_ID": "wx0123456789abcdef", "JIUZHU_WECHAT_SECRET": "s3cr3t-value-0123456789",
		"JIUZHU_WECHAT_PUBLIC_URL": "https://jz.example.gov.cn", "JIUZHU_WECHAT_TEMPLATE_ID": "tmpl"})))
	if err != nil || !c.WeChatEnabled() {
		t.Fatalf("a whole production account: %v", err)
	}
	if r := c.Redacted(); r.WeChatSecret != "***" || r.WeChatAppID == "***" {
		t.Fatalf("redacted: secret %q, app id %q", r.WeChatSecret, r.WeChatAppID)
	}
	// Dev mode may leave the public URL out (the request's host is used).
	if _, err := Load("", env(map[string]string{"JIUZHU_DATA_DIR": t.TempDir(), "JIUZHU_WECHAT_APP_ID": "wx0123456789abcdef",
		"JIUZHU_WECHAT_SECRET": "s3cr3t-value-0123456789"})); err != nil {
		t.Fatalf("dev mode without a public URL: %v", err)
	}
}
