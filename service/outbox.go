package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// OutboxItem is one SMS or message kept by the dev outbox.
type OutboxItem struct {
	Phone  string    `json:"phone"`
	Text   string    `json:"text"`
	Code   string    `json:"code,omitempty"`
	SentAt time.Time `json:"sent_at"`
}

// SMSSender delivers a text message to a phone. The dev driver is the
// Outbox; a real gateway driver implements the same interface.
type SMSSender interface {
	Send(ctx context.Context, phone, text, code string) error
}

// Outbox is the dev-mode SMS sender: it keeps the last messages in memory
// (bounded) so a developer or a test can read the codes.
type Outbox struct {
	mu    sync.Mutex
	items []OutboxItem
	max   int
	clock model.Clock
}

var _ SMSSender = (*Outbox)(nil)

// NewOutbox keeps at most max items.
func NewOutbox(max int, clock model.Clock) *Outbox {
	return &Outbox{max: max, clock: clock}
}

// Send records the message.
func (o *Outbox) Send(_ context.Context, phone, text, code string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.items = append(o.items, OutboxItem{Phone: phone, Text: text, Code: code, SentAt: o.clock.Now()})
	if len(o.items) > o.max {
		o.items = append(o.items[:0:0], o.items[len(o.items)-o.max:]...)
	}
	return nil
}

// List returns the items for phone (all when phone is empty), newest first.
func (o *Outbox) List(phone string) []OutboxItem {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]OutboxItem, 0)
	for i := len(o.items) - 1; i >= 0; i-- {
		if phone == "" || o.items[i].Phone == phone {
			out = append(out, o.items[i])
		}
	}
	return out
}

// NoSMSGateway is the production sender while no gateway is configured: it
// fails every send with a 503 so nobody believes a code was delivered.
type NoSMSGateway struct{}

// Send always fails with model.ErrUnavailable.
func (NoSMSGateway) Send(context.Context, string, string, string) error {
	return model.Unavailable("sms gateway", errors.New("no SMS gateway is configured"))
}
