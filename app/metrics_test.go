package app

import "testing"

func TestLimiterName(t *testing.T) {
	t.Parallel()
	for key, want := range map[string]string{
		"sms:phone:min:Zm9vYmFy":    "sms:phone:min",
		"sms:ip:2001:db8::1":        "sms:ip",
		"staff-login:ip:10.0.0.7":   "staff-login:ip",
		"staff-login:global":        "staff-login:global",
		"voucher:op:01HXYZABCDEF12": "voucher:op",
		"objection:ip:::1":          "objection:ip",
		"9bad":                      "other",
	} {
		if got := limiterName(key); got != want {
			t.Errorf("limiterName(%q) = %q, want %q", key, got, want)
		}
	}
}
