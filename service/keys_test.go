package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

const testSecret = "k3J9x-2mQp7Lr8vT1wZ4yN6bC0dF5gH-aE"

func TestSealOpenAndTamper(t *testing.T) {
	k, err := NewKeys(testSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	id := "330502199001011234"
	a, err := k.Seal(id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := k.Seal(id)
	if a == b || strings.Contains(a, id) {
		t.Fatal("sealing must be randomised and hide the value")
	}
	if got, err := k.Open(a); err != nil || got != id {
		t.Fatalf("open: %q %v", got, err)
	}
	tampered := []byte(a)
	tampered[len(tampered)/2] ^= 1
	if _, err := k.Open(string(tampered)); err == nil {
		t.Fatal("a changed ciphertext must not open")
	}
	other, _ := NewKeys(testSecret+"x", nil)
	if _, err := other.Open(a); err == nil {
		t.Fatal("another key must not open it")
	}
	again, _ := NewKeys(testSecret, nil)
	if k.BlindIndex("id", id) != again.BlindIndex("id", id) || k.BlindIndex("id", id) == k.BlindIndex("phone", id) || k.BlindIndex("id", id) == other.BlindIndex("id", id) {
		t.Fatal("blind index must be deterministic, domain-separated and keyed")
	}
	if _, err := NewKeys("short", nil); err == nil {
		t.Fatal("short secret accepted")
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("jiuzhu-demo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "jiuzhu-demo") || CheckPassword(h, "jiuzhu-demO") || CheckPassword("garbage", "jiuzhu-demo") {
		t.Fatal("password check is wrong")
	}
}

func TestOutboxIsBoundedNewestFirst(t *testing.T) {
	o := NewOutbox(3, model.SystemClock{})
	for _, p := range []string{"1", "2", "1", "3", "1"} {
		_ = o.Send(context.Background(), "138"+p, "text "+p, "")
	}
	all := o.List("")
	if len(all) != 3 || all[0].Phone != "1381" || all[1].Phone != "1383" {
		t.Fatalf("outbox %+v", all)
	}
	if got := o.List("1381"); len(got) != 2 {
		t.Fatalf("by phone: %+v", got)
	}
}

type stepClock struct{ t time.Time }

func (c *stepClock) Now() time.Time { return c.t }

func TestSessionsExpireAndRevoke(t *testing.T) {
	ctx := context.Background()
	clock := &stepClock{t: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)}
	keys, _ := NewKeys(testSecret, nil)
	kv := newTestKV()
	s := NewSessions(kv, keys, clock, model.NewIDs(clock, nil))
	p := model.Principal{Kind: model.PrincipalResident, ID: "R1"}

	sess, err := s.Create(ctx, p, time.Hour, 3*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(sess.Token) < 40 {
		t.Fatalf("token too short: %d", len(sess.Token))
	}
	for _, k := range mustKeys(t, kv, "") {
		if strings.Contains(k, sess.Token) {
			t.Fatal("the raw token must not be a store key")
		}
	}
	// Use slides the idle expiry: 50 minutes apart, three times.
	for i := 0; i < 3; i++ {
		clock.t = clock.t.Add(50 * time.Minute)
		if _, err := s.Load(ctx, sess.Token); err != nil {
			t.Fatalf("use %d: %v", i, err)
		}
	}
	// The absolute expiry does not slide.
	clock.t = clock.t.Add(40 * time.Minute)
	if _, err := s.Load(ctx, sess.Token); model.KindOf(err) != model.KindUnauthenticated {
		t.Fatalf("past the absolute expiry: %v", err)
	}

	sess2, _ := s.Create(ctx, p, time.Hour, 3*time.Hour)
	clock.t = clock.t.Add(61 * time.Minute)
	if _, err := s.Load(ctx, sess2.Token); model.KindOf(err) != model.KindUnauthenticated {
		t.Fatalf("past the idle expiry: %v", err)
	}

	sess3, _ := s.Create(ctx, p, time.Hour, 3*time.Hour)
	sess4, _ := s.Create(ctx, p, time.Hour, 3*time.Hour)
	list, err := s.List(ctx, p.Kind, p.ID, sess3.Principal.SessionID)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := s.Revoke(ctx, sess3.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, sess3.Token); model.KindOf(err) != model.KindUnauthenticated {
		t.Fatalf("revoked token still works: %v", err)
	}
	if err := s.RevokeByID(ctx, p.Kind, "OTHER", sess4.Principal.SessionID); model.KindOf(err) != model.KindNotFound {
		t.Fatalf("revoking someone else's session: %v", err)
	}
	if err := s.RevokeAll(ctx, p.Kind, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, sess4.Token); model.KindOf(err) != model.KindUnauthenticated {
		t.Fatal("RevokeAll left a session alive")
	}
}

func TestIdempotencyReplayAndMismatch(t *testing.T) {
	ctx := context.Background()
	i := NewIdempotency(newTestKV())
	prev, err := i.Begin(ctx, "resident:R1", "k1", "fp-a")
	if err != nil || prev != nil {
		t.Fatalf("first begin: %v %v", prev, err)
	}
	if _, err := i.Begin(ctx, "resident:R1", "k1", "fp-a"); model.KindOf(err) != model.KindConflict {
		t.Fatalf("while in flight: %v", err)
	}
	if err := i.Finish(ctx, "resident:R1", "k1", "fp-a", StoredResponse{Status: 201, Body: []byte(`{"id":"A"}`)}); err != nil {
		t.Fatal(err)
	}
	prev, err = i.Begin(ctx, "resident:R1", "k1", "fp-a")
	if err != nil || prev == nil || prev.Status != 201 || string(prev.Body) != `{"id":"A"}` {
		t.Fatalf("replay: %+v %v", prev, err)
	}
	if _, err := i.Begin(ctx, "resident:R1", "k1", "fp-b"); model.KindOf(err) != model.KindInvalid {
		t.Fatalf("other body: %v", err)
	}
	if prev, err := i.Begin(ctx, "resident:R2", "k1", "fp-b"); err != nil || prev != nil {
		t.Fatalf("keys are scoped per caller: %v %v", prev, err)
	}
	// A server error releases the key so the client can retry.
	_, _ = i.Begin(ctx, "resident:R1", "k2", "fp")
	_ = i.Finish(ctx, "resident:R1", "k2", "fp", StoredResponse{Status: 503})
	if prev, err := i.Begin(ctx, "resident:R1", "k2", "fp"); err != nil || prev != nil {
		t.Fatalf("after a 503 the key should be free: %v %v", prev, err)
	}
}
