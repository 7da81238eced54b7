package service

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Sessions keeps login sessions in the KV store. A token is 256 random
// bits, shown once to the client; the store keeps only its keyed hash, so a
// leaked store holds no usable tokens. Each session has an idle expiry that
// slides on use and an absolute expiry that does not. Deleting the record
// ends the session on every instance at once.
type Sessions struct {
	kv    storage.KV
	keys  *Keys
	clock model.Clock
	ids   *model.IDs
}

// NewSessions builds the session store.
func NewSessions(kv storage.KV, keys *Keys, clock model.Clock, ids *model.IDs) *Sessions {
	return &Sessions{kv: kv, keys: keys, clock: clock, ids: ids}
}

type sessionRecord struct {
	Principal model.Principal `json:"p"`
	Idle      time.Duration   `json:"idle"`
	LastSeen  time.Time       `json:"seen"`
}

func (s *Sessions) recordKey(tokenHash string) string { return "sess:tok:" + tokenHash }
func indexPrefix(kind, id string) string              { return "sess:idx:" + kind + ":" + id + ":" }

// Session is a newly created session.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Principal model.Principal
}

// Create starts a session for p with the given idle and absolute lifetimes.
// ExpiresAt is the absolute expiry.
func (s *Sessions) Create(ctx context.Context, p model.Principal, idle, absolute time.Duration) (Session, error) {
	raw, err := model.RandomToken(nil, 32)
	if err != nil {
		return Session{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.clock.Now()
	p.SessionID = s.ids.New()
	p.CreatedAt = now
	p.ExpiresAt = now.Add(absolute)
	rec := sessionRecord{Principal: p, Idle: idle, LastSeen: now}
	b, err := json.Marshal(rec)
	if err != nil {
		return Session{}, fmt.Errorf("encode session: %w", err)
	}
	hash := s.keys.TokenHash("session", token)
	ttl := min(idle, absolute)
	if err := s.kv.Set(ctx, s.recordKey(hash), b, ttl); err != nil {
		return Session{}, fmt.Errorf("store session: %w", err)
	}
	// The index lets a user list and revoke their sessions; it lives as long
	// as the session can.
	if err := s.kv.Set(ctx, indexPrefix(p.Kind, p.ID)+p.SessionID, []byte(hash), absolute); err != nil {
		return Session{}, fmt.Errorf("index session: %w", err)
	}
	return Session{Token: token, ExpiresAt: p.ExpiresAt, Principal: p}, nil
}

// errSession is what every unusable token answers, whatever the reason.
var errSession = model.NewError(model.KindUnauthenticated, "session_invalid", "log in again: the session is missing, expired or revoked")

// Load returns the principal of a token and slides its idle expiry. Any
// unknown, expired or revoked token is model.KindUnauthenticated.
func (s *Sessions) Load(ctx context.Context, token string) (model.Principal, error) {
	if token == "" || len(token) > 128 {
		return model.Principal{}, errSession
	}
	key := s.recordKey(s.keys.TokenHash("session", token))
	b, err := s.kv.Get(ctx, key)
	if errors.Is(err, model.ErrNotFound) {
		return model.Principal{}, errSession
	}
	if err != nil {
		return model.Principal{}, fmt.Errorf("load session: %w", err)
	}
	var rec sessionRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return model.Principal{}, errSession
	}
	now := s.clock.Now()
	if !now.Before(rec.Principal.ExpiresAt) || now.Sub(rec.LastSeen) >= rec.Idle {
		_ = s.kv.Delete(ctx, key)
		return model.Principal{}, errSession
	}
	// Slide the idle expiry, at most once a minute per session to spare the store.
	if now.Sub(rec.LastSeen) > time.Minute {
		rec.LastSeen = now
		if nb, err := json.Marshal(rec); err == nil {
			ttl := min(rec.Idle, rec.Principal.ExpiresAt.Sub(now))
			if err := s.kv.Set(ctx, key, nb, ttl); err != nil {
				return model.Principal{}, fmt.Errorf("refresh session: %w", err)
			}
		}
	}
	return rec.Principal, nil
}

// Revoke ends the session of token. Revoking a dead token is not an error.
func (s *Sessions) Revoke(ctx context.Context, token string) error {
	key := s.recordKey(s.keys.TokenHash("session", token))
	b, err := s.kv.Get(ctx, key)
	if err == nil {
		var rec sessionRecord
		if json.Unmarshal(b, &rec) == nil {
			_ = s.kv.Delete(ctx, indexPrefix(rec.Principal.Kind, rec.Principal.ID)+rec.Principal.SessionID)
		}
	}
	if err := s.kv.Delete(ctx, key); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// SessionInfo describes one live session (for "my sessions").
type SessionInfo struct {
	ID        string    `json:"id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen_at"`
	Current   bool      `json:"current"`
}

// List returns the live sessions of a principal; current marks the one
// with session id currentID.
func (s *Sessions) List(ctx context.Context, kind, id, currentID string) ([]SessionInfo, error) {
	prefix := indexPrefix(kind, id)
	keys, err := s.kv.Keys(ctx, prefix)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := []SessionInfo{}
	for _, k := range keys {
		sid := strings.TrimPrefix(k, prefix)
		hash, err := s.kv.Get(ctx, k)
		if err != nil {
			continue
		}
		b, err := s.kv.Get(ctx, s.recordKey(string(hash)))
		if err != nil {
			_ = s.kv.Delete(ctx, k)
			continue
		}
		var rec sessionRecord
		if json.Unmarshal(b, &rec) != nil {
			continue
		}
		out = append(out, SessionInfo{ID: sid, CreatedAt: rec.Principal.CreatedAt, ExpiresAt: rec.Principal.ExpiresAt, LastSeen: rec.LastSeen, Current: sid == currentID})
	}
	return out, nil
}

// RevokeByID ends one session of a principal by its id (model.ErrNotFound
// when it is not theirs or already gone).
func (s *Sessions) RevokeByID(ctx context.Context, kind, id, sessionID string) error {
	idx := indexPrefix(kind, id) + sessionID
	hash, err := s.kv.Get(ctx, idx)
	if errors.Is(err, model.ErrNotFound) {
		return model.NotFound("session")
	}
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	if err := s.kv.Delete(ctx, s.recordKey(string(hash)), idx); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeAll ends every session of a principal (a disabled account, a
// password reset).
func (s *Sessions) RevokeAll(ctx context.Context, kind, id string) error {
	prefix := indexPrefix(kind, id)
	keys, err := s.kv.Keys(ctx, prefix)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	for _, k := range keys {
		if hash, err := s.kv.Get(ctx, k); err == nil {
			_ = s.kv.Delete(ctx, s.recordKey(string(hash)))
		}
		_ = s.kv.Delete(ctx, k)
	}
	return nil
}
