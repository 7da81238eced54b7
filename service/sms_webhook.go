package service

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// WebhookSMS delivers text messages through the bureau's own SMS platform
// (政务短信平台) by POSTing JSON to a configured URL. Each request is signed
// so the platform can tell it came from Jiuzhu: the header
// X-Jiuzhu-Signature is hex(HMAC-SHA256(secret, timestamp + "." + body)),
// with the Unix timestamp in X-Jiuzhu-Timestamp. Any answer but 2xx, or no
// answer within the timeout, is model.KindUnavailable.
type WebhookSMS struct {
	url    string
	secret []byte
	client *http.Client
	clock  model.Clock
}

var _ SMSSender = (*WebhookSMS)(nil)

// NewWebhookSMS builds the sender; client nil means a client with a 10 s
// timeout.
func NewWebhookSMS(url, secret string, client *http.Client, clock model.Clock) *WebhookSMS {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	if clock == nil {
		clock = model.SystemClock{}
	}
	return &WebhookSMS{url: url, secret: []byte(secret), client: client, clock: clock}
}

type webhookMessage struct {
	Phone  string    `json:"phone"`
	Text   string    `json:"text"`
	SentAt time.Time `json:"sent_at"`
}

// Sign returns the signature of body at timestamp ts under secret; the
// platform recomputes it to verify a request.
func Sign(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Send posts one message. The code is part of text and is not sent apart.
func (w *WebhookSMS) Send(ctx context.Context, phone, text, _ string) error {
	now := w.clock.Now()
	body, err := json.Marshal(webhookMessage{Phone: phone, Text: text, SentAt: now})
	if err != nil {
		return fmt.Errorf("encode sms: %w", err)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("sms request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Jiuzhu-Timestamp", ts)
	req.Header.Set("X-Jiuzhu-Signature", Sign(w.secret, ts, body))
	resp, err := w.client.Do(req)
	if err != nil {
		return model.Unavailable("sms gateway", fmt.Errorf("post: %w", err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return model.Unavailable("sms gateway", fmt.Errorf("gateway answered %d", resp.StatusCode))
	}
	return nil
}
