package service

import "testing"

// TestSafeRedirect: only a path of this site survives; anything that could
// leave it (another host, a scheme, a backslash trick) or loop back to a
// login page or the API becomes /home.
func TestSafeRedirect(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/vouchers":                     "/vouchers",
		"/applications/01J?x=1":         "/applications/01J?x=1",
		"":                              "/home",
		"//evil.example/x":              "/home",
		"https://evil.example":          "/home",
		"/\\evil.example":               "/home",
		"/login?redirect=/x":            "/home",
		"/api/v1/me/household":          "/home",
		"/a\r\nSet-Cookie: x=1":         "/home",
		"evil.example/vouchers":         "/home",
		"/" + string(make([]byte, 600)): "/home",
	} {
		if got := safeRedirect(in); got != want {
			t.Errorf("safeRedirect(%q) = %q, want %q", in, got, want)
		}
	}
}
