package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// IdempotencyTTL is how long a replayable response is kept.
const IdempotencyTTL = 24 * time.Hour

// Idempotency remembers the first response to a write sent with an
// Idempotency-Key, per caller, so a phone that retries after a dropped
// connection gets the same answer instead of a second application or a
// second redemption.
type Idempotency struct {
	kv storage.KV
}

// NewIdempotency builds the store.
func NewIdempotency(kv storage.KV) *Idempotency { return &Idempotency{kv: kv} }

// StoredResponse is a response kept for replay.
type StoredResponse struct {
	Status      int    `json:"status"`
	ContentType string `json:"content_type"`
	Body        []byte `json:"body"`
}

type idemRecord struct {
	Fingerprint string          `json:"fp"`
	Done        bool            `json:"done"`
	Response    *StoredResponse `json:"resp,omitempty"`
}

var (
	errKeyReused = model.NewError(model.KindInvalid, "idempotency_key_reused",
		"this Idempotency-Key was already used with a different request")
	errKeyInFlight = model.NewError(model.KindConflict, "idempotency_in_progress",
		"a request with this Idempotency-Key is still being processed; retry shortly")
)

func idemKey(scope, key string) string {
	h := sha256.Sum256([]byte(key))
	return "idem:" + scope + ":" + hex.EncodeToString(h[:16])
}

// Begin claims key for the request with the given fingerprint (a hash of
// what the request says). It returns the stored response when the same
// request already completed; model.KindInvalid when the key was used for
// another request; model.KindConflict while the first is still running.
// When it returns (nil, nil) the caller runs the request and then calls
// Finish.
func (i *Idempotency) Begin(ctx context.Context, scope, key, fingerprint string) (*StoredResponse, error) {
	if key == "" || len(key) > 255 {
		return nil, model.Invalid("Idempotency-Key", "must be 1 to 255 characters")
	}
	k := idemKey(scope, key)
	for attempt := 0; attempt < 3; attempt++ {
		b, err := i.kv.Get(ctx, k)
		switch {
		case errors.Is(err, model.ErrNotFound):
			claim, _ := json.Marshal(idemRecord{Fingerprint: fingerprint})
			ok, err := i.kv.SetNX(ctx, k, claim, 5*time.Minute)
			if err != nil {
				return nil, fmt.Errorf("claim idempotency key: %w", err)
			}
			if ok {
				return nil, nil
			}
			continue
		case err != nil:
			return nil, fmt.Errorf("read idempotency key: %w", err)
		}
		var rec idemRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, fmt.Errorf("decode idempotency record: %w", err)
		}
		if rec.Fingerprint != fingerprint {
			return nil, errKeyReused
		}
		if !rec.Done || rec.Response == nil {
			return nil, errKeyInFlight
		}
		return rec.Response, nil
	}
	return nil, errKeyInFlight
}

// Finish stores the response for replay, or releases the key when the
// response should not be replayed (server errors, rate limits, auth
// failures), so the client can retry.
func (i *Idempotency) Finish(ctx context.Context, scope, key, fingerprint string, resp StoredResponse) error {
	k := idemKey(scope, key)
	if resp.Status >= 500 || resp.Status == 429 || resp.Status == 401 {
		return i.kv.Delete(ctx, k)
	}
	b, err := json.Marshal(idemRecord{Fingerprint: fingerprint, Done: true, Response: &resp})
	if err != nil {
		return fmt.Errorf("encode idempotency record: %w", err)
	}
	if err := i.kv.Set(ctx, k, b, IdempotencyTTL); err != nil {
		return fmt.Errorf("store idempotency record: %w", err)
	}
	return nil
}
