package storage

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/jiuzhu/jiuzhu/model"
)

// limiterService names the rate limiter in model.Unavailable errors.
const limiterService = "rate limiter"

// minRetryAfter is the least RetryAfter a denial reports, so callers never
// see a zero wait next to Allowed == false.
const minRetryAfter = time.Millisecond

// DefaultMemoryLimiterMaxKeys is the bound NewMemoryLimiter uses when given
// none.
const DefaultMemoryLimiterMaxKeys = 100_000

var (
	_ Limiter = (*RedisLimiter)(nil)
	_ Limiter = (*MemoryLimiter)(nil)
)

// RedisLimiter is the Limiter on Redis: GCRA (go-redis/redis_rate), one key
// per subject, shared by every Jiuzhu process on the same Redis.
type RedisLimiter struct {
	limiter *redis_rate.Limiter
	prefix  string
}

// NewRedisLimiter returns a Limiter keeping its state in client under prefix.
// redis_rate puts its own "rate:" in front, so the stored keys read
// "rate:<prefix><key>". The limiter does not close client.
func NewRedisLimiter(client redis.UniversalClient, prefix string) *RedisLimiter {
	return &RedisLimiter{limiter: redis_rate.NewLimiter(client), prefix: prefix}
}

// Allow takes one event from key's allowance. It fails when limit is not
// valid and with model.ErrUnavailable when Redis cannot be reached.
func (l *RedisLimiter) Allow(ctx context.Context, key string, limit Limit) (LimitResult, error) {
	if err := validLimit(limit); err != nil {
		return LimitResult{}, err
	}
	res, err := l.limiter.Allow(ctx, l.prefix+key, redis_rate.Limit{
		Rate:   limit.Rate,
		Burst:  limit.Burst,
		Period: limit.Period,
	})
	if err != nil {
		if redisUnavailable(err) {
			err = model.Unavailable(limiterService, err)
		}
		return LimitResult{}, fmt.Errorf("storage: rate limit: %w", err)
	}
	if res.Allowed > 0 {
		return LimitResult{Allowed: true, Remaining: max(res.Remaining, 0)}, nil
	}
	return LimitResult{RetryAfter: max(res.RetryAfter, minRetryAfter)}, nil
}

// MemoryLimiter is the in-process Limiter for embedded mode: a token bucket
// (golang.org/x/time/rate) per key. It is safe for concurrent use and keeps
// at most maxKeys buckets: when full, it drops buckets that have refilled
// (forgetting them changes nothing) and, failing that, the least recently
// used ones, whose subjects then start over with a full bucket.
type MemoryLimiter struct {
	now func() time.Time
	max int

	mu      sync.Mutex
	buckets map[string]*list.Element // of *limiterBucket
	lru     *list.List               // front: most recently used
}

type limiterBucket struct {
	key     string
	limit   Limit
	limiter *rate.Limiter
}

// NewMemoryLimiter returns a limiter holding at most maxKeys buckets
// (DefaultMemoryLimiterMaxKeys when maxKeys < 1). now is its clock; nil means
// time.Now.
func NewMemoryLimiter(maxKeys int, now func() time.Time) *MemoryLimiter {
	if maxKeys < 1 {
		maxKeys = DefaultMemoryLimiterMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryLimiter{
		now:     now,
		max:     maxKeys,
		buckets: make(map[string]*list.Element),
		lru:     list.New(),
	}
}

// Allow takes one token from key's bucket. It fails only when limit is not
// valid.
func (l *MemoryLimiter) Allow(_ context.Context, key string, limit Limit) (LimitResult, error) {
	if err := validLimit(limit); err != nil {
		return LimitResult{}, err
	}
	perSecond := rate.Limit(float64(limit.Rate) / limit.Period.Seconds())

	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.bucket(key, limit, perSecond, now)
	if b.limiter.AllowN(now, 1) {
		return LimitResult{Allowed: true, Remaining: int(b.limiter.TokensAt(now))}, nil
	}
	missing := 1 - b.limiter.TokensAt(now)
	wait := time.Duration(math.Ceil(missing * float64(limit.Period) / float64(limit.Rate)))
	return LimitResult{RetryAfter: max(wait, minRetryAfter)}, nil
}

// bucket returns key's bucket, marked most recently used, creating it (and
// making room for it) when needed. The caller holds l.mu.
func (l *MemoryLimiter) bucket(key string, limit Limit, perSecond rate.Limit, now time.Time) *limiterBucket {
	if el, ok := l.buckets[key]; ok {
		l.lru.MoveToFront(el)
		b := el.Value.(*limiterBucket)
		if b.limit != limit {
			b.limit = limit
			b.limiter.SetLimitAt(now, perSecond)
			b.limiter.SetBurstAt(now, limit.Burst)
		}
		return b
	}
	if len(l.buckets) >= l.max {
		l.evict(now)
	}
	b := &limiterBucket{key: key, limit: limit, limiter: rate.NewLimiter(perSecond, limit.Burst)}
	l.buckets[key] = l.lru.PushFront(b)
	return b
}

// evict makes room when the limiter is full. It drops every bucket that has
// refilled and, when that frees less than a tenth of the room, the least
// recently used ones until it does, so a flood of new keys pays for the walk
// over all buckets only once per tenth of maxKeys. The caller holds l.mu.
func (l *MemoryLimiter) evict(now time.Time) {
	for el := l.lru.Front(); el != nil; {
		next := el.Next()
		if b := el.Value.(*limiterBucket); b.limiter.TokensAt(now) >= float64(b.limiter.Burst()) {
			l.drop(el)
		}
		el = next
	}
	for want := l.max - max(l.max/10, 1); len(l.buckets) > want; {
		l.drop(l.lru.Back())
	}
}

func (l *MemoryLimiter) drop(el *list.Element) {
	delete(l.buckets, el.Value.(*limiterBucket).key)
	l.lru.Remove(el)
}

// validLimit rejects limits no bucket can enforce; such a limit is a bug in
// the caller, not bad input, so the error carries no model kind.
func validLimit(limit Limit) error {
	if limit.Rate < 1 || limit.Period <= 0 || limit.Burst < 1 {
		return fmt.Errorf("storage: rate limit: invalid limit %d per %v, burst %d", limit.Rate, limit.Period, limit.Burst)
	}
	return nil
}
