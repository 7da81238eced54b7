package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jiuzhu/jiuzhu/model"
)

var _ KV = (*RedisKV)(nil)

// incrWindowScript increments a counter and, when the counter has no expiry
// (it was just created, or was stored by Set without a ttl), starts its
// window, all in one atomic step, so a crash can never leave a counter that
// lives forever. It returns {count, milliseconds left}.
//
// A counter whose window ends within the current millisecond (PTTL 0) is
// over: it starts a new window instead of counting on for a moment more.
var incrWindowScript = redis.NewScript(`
if redis.call("PTTL", KEYS[1]) == 0 then
  redis.call("SET", KEYS[1], 1, "PX", ARGV[1])
  return {1, tonumber(ARGV[1])}
end
local n = redis.call("INCR", KEYS[1])
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 then
  ttl = tonumber(ARGV[1])
  redis.call("PEXPIRE", KEYS[1], ttl)
end
return {n, ttl}
`)

// expireScript sets a new ttl in milliseconds on an existing key, or removes
// its ttl when given 0 (PEXPIRE 0 would delete the key instead). It returns
// 0 when the key is absent and 1 otherwise.
var expireScript = redis.NewScript(`
if redis.call("EXISTS", KEYS[1]) == 0 then
  return 0
end
local ms = tonumber(ARGV[1])
if ms > 0 then
  redis.call("PEXPIRE", KEYS[1], ms)
else
  redis.call("PERSIST", KEYS[1])
end
return 1
`)

// scanBatch is the COUNT hint Keys gives SCAN.
const scanBatch = 500

// RedisConfig says how to reach Redis. One address means a single server;
// several mean the seed nodes of a Redis Cluster. DB is ignored by Redis
// Cluster, which has only database 0. PoolSize 0 keeps go-redis's default
// (10 connections per CPU). Zero timeouts take the defaults below.
type RedisConfig struct {
	Addrs    []string
	Password string
	DB       int
	PoolSize int
	// DialTimeout bounds connecting, CommandTimeout each read and write.
	DialTimeout    time.Duration
	CommandTimeout time.Duration
}

// The Redis client's limits. A paused or unreachable Redis must fail a
// request within a few seconds: go-redis's own defaults (3 s reads, three
// retries with backoff, contexts' deadlines ignored) held a phone for 20 s.
const (
	defaultRedisDialTimeout    = 2 * time.Second
	defaultRedisCommandTimeout = 2 * time.Second
	redisMaxRetries            = 1
)

// NewRedisClient returns a client for cfg: a cluster client when cfg names
// several addresses, a single-server client otherwise (127.0.0.1:6379 when it
// names none). Commands honour their context's deadline, time out on their
// own after CommandTimeout, and are retried once at most. It does not
// connect; call Ping to check the server is there.
func NewRedisClient(cfg RedisConfig) redis.UniversalClient {
	dial, cmd := cfg.DialTimeout, cfg.CommandTimeout
	if dial <= 0 {
		dial = defaultRedisDialTimeout
	}
	if cmd <= 0 {
		cmd = defaultRedisCommandTimeout
	}
	return redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 cfg.Addrs,
		Password:              cfg.Password,
		DB:                    cfg.DB,
		PoolSize:              cfg.PoolSize,
		DialTimeout:           dial,
		ReadTimeout:           cmd,
		WriteTimeout:          cmd,
		PoolTimeout:           cmd + time.Second,
		ContextTimeoutEnabled: true,
		MaxRetries:            redisMaxRetries,
		DialerRetries:         redisMaxRetries + 1,
		MaxRedirects:          3,
	})
}

// RedisKV is the KV on Redis, for running several Jiuzhu processes against
// one store. Every key is stored under prefix (e.g. "jiuzhu:"), so several
// deployments or test runs can share a server. Errors: model.ErrNotFound for
// absent keys, model.ErrUnavailable when Redis cannot be reached, times out,
// is loading, failing over or closed; anything else is returned wrapped.
// Error messages never include keys, since keys may carry session tokens.
type RedisKV struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisKV returns a KV that stores its keys in client under prefix. The
// KV owns client from then on: Close closes it, so close the KV after
// everything else that shares the client (such as a RedisLimiter).
func NewRedisKV(client redis.UniversalClient, prefix string) *RedisKV {
	return &RedisKV{client: client, prefix: prefix}
}

// Get returns the value at key, model.ErrNotFound when it is absent or
// expired.
func (r *RedisKV) Get(ctx context.Context, key string) ([]byte, error) {
	v, err := r.client.Get(ctx, r.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("storage: kv get: %w", model.ErrNotFound)
	}
	if err != nil {
		return nil, redisKVErr("get", err)
	}
	return v, nil
}

// Set stores value at key for ttl (0: no expiry; below a millisecond rounds
// up to one). It fails on a negative ttl.
func (r *RedisKV) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	ttl, err := redisTTL("set", ttl)
	if err != nil {
		return err
	}
	if err := r.client.Set(ctx, r.prefix+key, value, ttl).Err(); err != nil {
		return redisKVErr("set", err)
	}
	return nil
}

// SetNX stores value at key for ttl only when key is absent, and reports
// whether it did. It fails on a negative ttl.
func (r *RedisKV) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ttl, err := redisTTL("setnx", ttl)
	if err != nil {
		return false, err
	}
	ok, err := r.client.SetNX(ctx, r.prefix+key, value, ttl).Result()
	if err != nil {
		return false, redisKVErr("setnx", err)
	}
	return ok, nil
}

// IncrWindow increments the counter at key in one Lua script (INCR, PEXPIRE
// when the counter has no expiry yet, PTTL), so concurrent callers on any
// number of processes each see a distinct count. The window is kept to whole
// milliseconds, at least one. It fails when window is not positive or the
// stored value is not an integer.
func (r *RedisKV) IncrWindow(ctx context.Context, key string, window time.Duration) (int64, time.Duration, error) {
	if window <= 0 {
		return 0, 0, fmt.Errorf("storage: kv incr: window %v is not positive", window)
	}
	ms := max(window.Milliseconds(), 1)
	res, err := incrWindowScript.Run(ctx, r.client, []string{r.prefix + key}, ms).Int64Slice()
	if err != nil {
		return 0, 0, redisKVErr("incr", err)
	}
	if len(res) != 2 {
		return 0, 0, fmt.Errorf("storage: kv incr: script returned %d values, want 2", len(res))
	}
	return res[0], time.Duration(res[1]) * time.Millisecond, nil
}

// Expire gives an existing key a new ttl (0: no expiry; below a millisecond
// rounds up to one). It returns model.ErrNotFound when the key is absent and
// fails on a negative ttl.
func (r *RedisKV) Expire(ctx context.Context, key string, ttl time.Duration) error {
	ttl, err := redisTTL("expire", ttl)
	if err != nil {
		return err
	}
	found, err := expireScript.Run(ctx, r.client, []string{r.prefix + key}, ttl.Milliseconds()).Int64()
	if err != nil {
		return redisKVErr("expire", err)
	}
	if found == 0 {
		return fmt.Errorf("storage: kv expire: %w", model.ErrNotFound)
	}
	return nil
}

// Delete removes the keys; absent keys are not an error. The keys go in one
// pipeline of single-key DELs, so they may live in different cluster slots.
func (r *RedisKV) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := r.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Del(ctx, r.prefix+k)
		}
		return nil
	})
	if err != nil {
		return redisKVErr("delete", err)
	}
	return nil
}

// Keys returns the keys starting with prefix, sorted and without the store's
// own prefix. It uses SCAN (on every master of a cluster), never KEYS, so it
// does not block Redis, but it still walks the whole keyspace: keep it for
// the small, rare listings KV.Keys documents.
func (r *RedisKV) Keys(ctx context.Context, prefix string) ([]string, error) {
	pattern := escapeGlob(r.prefix+prefix) + "*"
	var (
		mu   sync.Mutex
		seen = make(map[string]struct{})
	)
	scan := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, pattern, scanBatch).Iterator()
		for iter.Next(ctx) {
			mu.Lock()
			seen[strings.TrimPrefix(iter.Val(), r.prefix)] = struct{}{}
			mu.Unlock()
		}
		return iter.Err()
	}
	var err error
	if cc, ok := r.client.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return scan(ctx, c)
		})
	} else {
		err = scan(ctx, r.client)
	}
	if err != nil {
		return nil, redisKVErr("keys", err)
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, nil
}

// Ping checks that Redis answers; model.ErrUnavailable when it does not.
func (r *RedisKV) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return redisKVErr("ping", err)
	}
	return nil
}

// Close closes the underlying client; later calls fail with
// model.ErrUnavailable. It returns the client's error from closing, which
// includes closing twice.
func (r *RedisKV) Close() error {
	if err := r.client.Close(); err != nil {
		return fmt.Errorf("storage: kv close: %w", err)
	}
	return nil
}

// redisTTL checks a ttl for op and rounds a positive one below Redis's
// millisecond resolution up to a millisecond (go-redis would log and do the
// same).
func redisTTL(op string, ttl time.Duration) (time.Duration, error) {
	switch {
	case ttl < 0:
		return 0, fmt.Errorf("storage: kv %s: negative ttl %v", op, ttl)
	case ttl > 0 && ttl < time.Millisecond:
		return time.Millisecond, nil
	default:
		return ttl, nil
	}
}

// redisKVErr wraps a failed KV command, turning Redis being out of reach into
// model.ErrUnavailable.
func redisKVErr(op string, err error) error {
	if redisUnavailable(err) {
		return fmt.Errorf("storage: kv %s: %w", op, model.Unavailable(kvService, err))
	}
	return fmt.Errorf("storage: kv %s: %w", op, err)
}

// redisUnavailable reports whether err means Redis could not serve the
// command for now (no connection, a timeout, a closed client, a server
// loading its data or failing over) rather than that the command was wrong.
// A canceled context is the caller giving up and is not included.
func redisUnavailable(err error) bool {
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, redis.ErrClosed),
		errors.Is(err, redis.ErrPoolTimeout),
		errors.Is(err, redis.ErrPoolExhausted),
		errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &netErr):
		return true
	}
	return redis.IsLoadingError(err) ||
		redis.IsClusterDownError(err) ||
		redis.IsTryAgainError(err) ||
		redis.IsMasterDownError(err) ||
		redis.IsMaxClientsError(err) ||
		redis.IsReadOnlyError(err)
}

// escapeGlob escapes the characters SCAN MATCH treats as pattern syntax, so
// a prefix matches only itself.
func escapeGlob(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, c := range []byte(s) {
		switch c {
		case '\\', '*', '?', '[', ']':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}
