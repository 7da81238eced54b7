package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/service"
)

// Outside dev mode the login code goes to the bureau's SMS platform, signed;
// a resident who types it in is logged in. With the platform down the
// resident is told the service is unavailable (503), not that a code went out.
func TestLoginCodeThroughTheSMSPlatform(t *testing.T) {
	t.Parallel()
	const secret = "platform-shared-secret-0123456789"
	var mu sync.Mutex
	var texts []string
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Jiuzhu-Signature") != service.Sign([]byte(secret), r.Header.Get("X-Jiuzhu-Timestamp"), body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var m struct{ Phone, Text string }
		_ = json.Unmarshal(body, &m)
		mu.Lock()
		texts = append(texts, m.Text)
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	defer platform.Close()
	env := apitest.New(t, "embedded", apitest.WithEnvs(map[string]string{
		"JIUZHU_DEV": "false", "JIUZHU_SMS_WEBHOOK_URL": platform.URL + "/send", "JIUZHU_SMS_WEBHOOK_SECRET": secret}))
	phone := newPhone()
	apitest.Want(t, env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": phone}), http.StatusAccepted)
	mu.Lock()
	if len(texts) != 1 {
		mu.Unlock()
		t.Fatalf("platform received %d messages", len(texts))
	}
	code := regexp.MustCompile(`\d{6}`).FindString(texts[0])
	mu.Unlock()
	r := env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": code})
	apitest.Want(t, r, http.StatusCreated)

	platform.Close()
	r = env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": newPhone()})
	apitest.Want(t, r, http.StatusServiceUnavailable)
}
