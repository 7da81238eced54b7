package storage

import (
	"context"
	"time"
)

// KV is the small key-value store behind sessions, one-time codes, counters
// and idempotency records. Implementations: MemoryKV (in process, bounded,
// expiring) and RedisKV (go-redis UniversalClient). Absent or expired keys
// answer model.ErrNotFound; an unreachable backend model.ErrUnavailable.
// A ttl of 0 means no expiry.
type KV interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value only when key is absent and reports whether it did.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// IncrWindow atomically increments the counter at key, starting a fixed
	// window of length window when the counter is created. It returns the new
	// count and the time left in the window.
	IncrWindow(ctx context.Context, key string, window time.Duration) (count int64, resetIn time.Duration, err error)
	// Expire sets a new ttl on an existing key (model.ErrNotFound if absent).
	Expire(ctx context.Context, key string, ttl time.Duration) error
	// Delete removes the keys; absent keys are not an error.
	Delete(ctx context.Context, keys ...string) error
	// Keys lists keys starting with prefix (small sets only, e.g. one
	// user's sessions kept under "sess:user:<id>:").
	Keys(ctx context.Context, prefix string) ([]string, error)
	Ping(ctx context.Context) error
	Close() error
}

// Limit is a rate: Rate events per Period, with bursts up to Burst.
type Limit struct {
	Rate   int
	Period time.Duration
	Burst  int
}

// LimitResult is the verdict of one Allow call.
type LimitResult struct {
	Allowed    bool
	Remaining  int
	RetryAfter time.Duration
}

// Limiter is the one rate-limiting interface: GCRA on Redis
// (go-redis/redis_rate) or token buckets in process. Keys name the subject
// ("sms:phone:<hash>", "ip:<addr>"); the same key must always be used with the
// same Limit.
type Limiter interface {
	Allow(ctx context.Context, key string, limit Limit) (LimitResult, error)
}
