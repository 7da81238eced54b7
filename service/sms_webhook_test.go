package service

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

func TestWebhookSMSSignsAndDelivers(t *testing.T) {
	secret := "platform-shared-secret-0123456789"
	var got webhookMessage
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts := r.Header.Get("X-Jiuzhu-Timestamp")
		if r.Header.Get("X-Jiuzhu-Signature") != Sign([]byte(secret), ts, body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		_ = json.Unmarshal(body, &got)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	clock := &stepClock{t: time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	s := NewWebhookSMS(srv.URL, secret, nil, clock)
	if err := s.Send(context.Background(), "13812345678", "验证码 123456", "123456"); err != nil {
		t.Fatal(err)
	}
	if got.Phone != "13812345678" || got.Text != "验证码 123456" || !got.SentAt.Equal(clock.t) {
		t.Fatalf("delivered %+v", got)
	}
	// A wrong secret is refused by the platform, and the sender says the
	// gateway is unavailable rather than pretending the code went out.
	bad := NewWebhookSMS(srv.URL, "another-secret-0123456789abcdef", nil, clock)
	if err := bad.Send(context.Background(), "13812345678", "x", ""); model.KindOf(err) != model.KindUnavailable {
		t.Fatalf("refused delivery: %v", err)
	}
	srv.Close()
	if err := s.Send(context.Background(), "13812345678", "x", ""); model.KindOf(err) != model.KindUnavailable {
		t.Fatalf("gateway down: %v", err)
	}
}
