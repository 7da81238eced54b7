package storage_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

// The contract suites use the real clock with short ttls, so they run the
// same way on every backend; memory-only tests below drive an injected clock.
const (
	shortTTL = 100 * time.Millisecond
	waitMax  = 3 * time.Second
)

func TestMemoryKV(t *testing.T) {
	t.Parallel()
	testKV(t, func(t *testing.T) storage.KV {
		kv := storage.NewMemoryKV(1000, nil)
		t.Cleanup(func() { _ = kv.Close() })
		return kv
	})
}

func TestRedisKV(t *testing.T) {
	t.Parallel()
	testRedisKV(t, []string{storagetest.RedisAddr(t)})
}

// TestRedisClusterKV runs the contract on a 3-master Redis Cluster, so the
// scripts and keys are proven to work where keys spread over slots.
func TestRedisClusterKV(t *testing.T) {
	t.Parallel()
	testRedisKV(t, storagetest.RedisClusterAddrs(t))
}

// testRedisKV runs the KV contract on the Redis at addrs (one server, or a
// cluster's seed nodes), each store under a prefix of its own.
func testRedisKV(t *testing.T, addrs []string) {
	admin := newRedisClient(t, addrs)
	testKV(t, func(t *testing.T) storage.KV {
		prefix := randomPrefix(t)
		// Each KV gets a client of its own: the contract closes its KV.
		kv := storage.NewRedisKV(storage.NewRedisClient(storage.RedisConfig{Addrs: addrs}), prefix)
		t.Cleanup(func() {
			_ = kv.Close()
			deleteRedisKeys(t, admin, prefix)
		})
		return kv
	})
}

func TestRedisLimiter(t *testing.T) {
	t.Parallel()
	testRedisLimiter(t, []string{storagetest.RedisAddr(t)})
}

func TestRedisClusterLimiter(t *testing.T) {
	t.Parallel()
	testRedisLimiter(t, storagetest.RedisClusterAddrs(t))
}

func testRedisLimiter(t *testing.T, addrs []string) {
	client := newRedisClient(t, addrs)
	testLimiter(t, func(t *testing.T) storage.Limiter {
		prefix := randomPrefix(t)
		t.Cleanup(func() { deleteRedisKeys(t, client, "rate:"+prefix) })
		return storage.NewRedisLimiter(client, prefix)
	})
}

// newRedisClient returns the client Jiuzhu builds for addrs, closed when the
// test ends; several addresses must give a cluster client.
func newRedisClient(t *testing.T, addrs []string) redis.UniversalClient {
	t.Helper()
	client := storage.NewRedisClient(storage.RedisConfig{Addrs: addrs})
	t.Cleanup(func() { _ = client.Close() })
	if _, ok := client.(*redis.ClusterClient); ok != (len(addrs) > 1) {
		t.Fatalf("%d address(es) gave a %T", len(addrs), client)
	}
	return client
}

func TestMemoryLimiter(t *testing.T) {
	t.Parallel()
	testLimiter(t, func(*testing.T) storage.Limiter {
		return storage.NewMemoryLimiter(1000, nil)
	})
}

// testKV is the one contract every KV backend must meet. newKV returns an
// empty store of its own, cleaned up by the test.
func testKV(t *testing.T, newKV func(t *testing.T) storage.KV) {
	t.Helper()
	ctx := context.Background()

	t.Run("get absent", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		_, err := kv.Get(ctx, "absent")
		if !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("Get(absent) error = %v, want ErrNotFound", err)
		}
		if err := kv.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v", err)
		}
	})

	t.Run("set get overwrite", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		v := []byte("v1")
		mustSet(t, kv, "k", v, 0)
		v[0] = 'X' // the store must not keep the caller's slice
		mustGet(t, kv, "k", "v1")
		mustSet(t, kv, "k", []byte("v2"), 0)
		mustGet(t, kv, "k", "v2")
		mustSet(t, kv, "empty", []byte{}, 0)
		mustGet(t, kv, "empty", "")
		if err := kv.Set(ctx, "k", []byte("v"), -time.Second); err == nil {
			t.Fatal("Set with a negative ttl succeeded")
		}
	})

	t.Run("ttl expiry", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		mustSet(t, kv, "short", []byte("v"), shortTTL)
		mustSet(t, kv, "forever", []byte("v"), 0)
		mustGet(t, kv, "short", "v")
		waitGone(t, kv, "short")
		mustGet(t, kv, "forever", "v")
	})

	t.Run("setnx", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		for i, want := range []bool{true, false} {
			ok, err := kv.SetNX(ctx, "once", []byte{byte('a' + i)}, shortTTL)
			if err != nil || ok != want {
				t.Fatalf("SetNX #%d = %v, %v; want %v, nil", i+1, ok, err, want)
			}
		}
		mustGet(t, kv, "once", "a")
		waitGone(t, kv, "once")
		if ok, err := kv.SetNX(ctx, "once", []byte("c"), 0); err != nil || !ok {
			t.Fatalf("SetNX after expiry = %v, %v; want true, nil", ok, err)
		}
		mustGet(t, kv, "once", "c")
	})

	t.Run("incr window", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		const window = 300 * time.Millisecond
		// The window ends at most resetIn after the first call returned
		// (the store measured it no later than that), however long the
		// call itself took on a loaded machine.
		var ends time.Time
		for want := int64(1); want <= 3; want++ {
			n, resetIn, err := kv.IncrWindow(ctx, "ctr", window)
			if err != nil {
				t.Fatalf("IncrWindow #%d: %v", want, err)
			}
			if n != want || resetIn <= 0 || resetIn > window {
				t.Fatalf("IncrWindow #%d = %d, %v; want %d, in (0, %v]", want, n, resetIn, want, window)
			}
			if want == 1 {
				ends = time.Now().Add(resetIn)
			}
		}
		mustGet(t, kv, "ctr", "3")
		time.Sleep(time.Until(ends.Add(50 * time.Millisecond)))
		n, resetIn, err := kv.IncrWindow(ctx, "ctr", window)
		if err != nil || n != 1 || resetIn <= 0 || resetIn > window {
			t.Fatalf("IncrWindow after the window = %d, %v, %v; want 1, in (0, %v], nil", n, resetIn, err, window)
		}
		if _, _, err := kv.IncrWindow(ctx, "ctr", 0); err == nil {
			t.Fatal("IncrWindow with a zero window succeeded")
		}
		mustSet(t, kv, "text", []byte("not a number"), 0)
		if _, _, err := kv.IncrWindow(ctx, "text", window); err == nil {
			t.Fatal("IncrWindow on a non-integer value succeeded")
		}
	})

	t.Run("incr window without ttl gets one", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		mustSet(t, kv, "ctr", []byte("41"), 0)
		n, resetIn, err := kv.IncrWindow(ctx, "ctr", shortTTL)
		if err != nil || n != 42 || resetIn <= 0 || resetIn > shortTTL {
			t.Fatalf("IncrWindow = %d, %v, %v; want 42, in (0, %v], nil", n, resetIn, err, shortTTL)
		}
		waitGone(t, kv, "ctr")
	})

	t.Run("incr window concurrent", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		const workers = 64
		counts := make([]int64, workers)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Go(func() {
				counts[i], _, errs[i] = kv.IncrWindow(ctx, "ctr", time.Minute)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("IncrWindow: %v", err)
		}
		slices.Sort(counts)
		for i, n := range counts {
			if n != int64(i+1) {
				t.Fatalf("sorted counts = %v, want each of 1..%d once", counts, workers)
			}
		}
		mustGet(t, kv, "ctr", "64")
	})

	t.Run("expire", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		if err := kv.Expire(ctx, "absent", time.Minute); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("Expire(absent) error = %v, want ErrNotFound", err)
		}
		mustSet(t, kv, "shorten", []byte("v"), 0)
		mustSet(t, kv, "persist", []byte("v"), shortTTL)
		if err := kv.Expire(ctx, "shorten", shortTTL); err != nil {
			t.Fatalf("Expire(shorten): %v", err)
		}
		if err := kv.Expire(ctx, "persist", 0); err != nil {
			t.Fatalf("Expire(persist, 0): %v", err)
		}
		waitGone(t, kv, "shorten")
		mustGet(t, kv, "persist", "v")
	})

	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		for _, k := range []string{"a", "b", "c"} {
			mustSet(t, kv, k, []byte(k), 0)
		}
		if err := kv.Delete(ctx, "a", "b", "absent"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if err := kv.Delete(ctx); err != nil {
			t.Fatalf("Delete(): %v", err)
		}
		for _, k := range []string{"a", "b"} {
			if _, err := kv.Get(ctx, k); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("Get(%s) after Delete error = %v, want ErrNotFound", k, err)
			}
		}
		mustGet(t, kv, "c", "c")
	})

	t.Run("keys", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		for _, k := range []string{
			"sess:user:1:a", "sess:user:1:b", "sess:user:10:a", "sess:user:2:a", "other",
			"glob*[x]?:1", "globXXx:1",
		} {
			mustSet(t, kv, k, []byte("v"), 0)
		}
		mustSet(t, kv, "sess:user:1:gone", []byte("v"), shortTTL)
		tests := []struct {
			prefix string
			want   []string
		}{
			{"sess:user:1:", []string{"sess:user:1:a", "sess:user:1:b", "sess:user:1:gone"}},
			{"sess:user:3:", nil},
			{"glob*[x]?", []string{"glob*[x]?:1"}},
		}
		for _, tt := range tests {
			mustKeys(t, kv, tt.prefix, tt.want)
		}
		waitGone(t, kv, "sess:user:1:gone")
		mustKeys(t, kv, "sess:user:1:", []string{"sess:user:1:a", "sess:user:1:b"})
	})

	t.Run("closed", func(t *testing.T) {
		t.Parallel()
		kv := newKV(t)
		mustSet(t, kv, "k", []byte("v"), 0)
		if err := kv.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if _, err := kv.Get(ctx, "k"); !errors.Is(err, model.ErrUnavailable) {
			t.Fatalf("Get after Close error = %v, want ErrUnavailable", err)
		}
		if err := kv.Ping(ctx); !errors.Is(err, model.ErrUnavailable) {
			t.Fatalf("Ping after Close error = %v, want ErrUnavailable", err)
		}
	})
}

// testLimiter is the one contract every Limiter backend must meet. newLimiter
// returns a limiter with no history, cleaned up by the test.
func testLimiter(t *testing.T, newLimiter func(t *testing.T) storage.Limiter) {
	t.Helper()
	ctx := context.Background()

	t.Run("burst then denied", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		limit := storage.Limit{Rate: 1, Period: time.Minute, Burst: 3}
		for want := 2; want >= 0; want-- {
			res := mustAllow(t, l, "k", limit)
			if !res.Allowed || res.Remaining != want {
				t.Fatalf("Allow = %+v, want allowed with %d remaining", res, want)
			}
		}
		res := mustAllow(t, l, "k", limit)
		if res.Allowed || res.RetryAfter <= 50*time.Second || res.RetryAfter > time.Minute {
			t.Fatalf("Allow past the burst = %+v, want denied, retry in about a minute", res)
		}
	})

	t.Run("one per minute", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		limit := storage.Limit{Rate: 1, Period: time.Minute, Burst: 1}
		if res := mustAllow(t, l, "k", limit); !res.Allowed {
			t.Fatalf("first Allow = %+v, want allowed", res)
		}
		if res := mustAllow(t, l, "k", limit); res.Allowed || res.RetryAfter <= 50*time.Second {
			t.Fatalf("second Allow = %+v, want denied for about a minute", res)
		}
	})

	t.Run("keys independent", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		limit := storage.Limit{Rate: 1, Period: time.Minute, Burst: 1}
		mustAllow(t, l, "a", limit)
		if res := mustAllow(t, l, "a", limit); res.Allowed {
			t.Fatalf("second Allow(a) = %+v, want denied", res)
		}
		if res := mustAllow(t, l, "b", limit); !res.Allowed {
			t.Fatalf("Allow(b) = %+v, want allowed", res)
		}
	})

	t.Run("allowed again after the period", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		limit := storage.Limit{Rate: 1, Period: 200 * time.Millisecond, Burst: 1}
		mustAllow(t, l, "k", limit)
		res := mustAllow(t, l, "k", limit)
		if res.Allowed || res.RetryAfter <= 0 || res.RetryAfter > limit.Period {
			t.Fatalf("second Allow = %+v, want denied, retry within %v", res, limit.Period)
		}
		time.Sleep(res.RetryAfter + 50*time.Millisecond)
		if res := mustAllow(t, l, "k", limit); !res.Allowed {
			t.Fatalf("Allow after the period = %+v, want allowed", res)
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		limit := storage.Limit{Rate: 1, Period: time.Hour, Burst: 10}
		const workers = 50
		allowed := make([]bool, workers)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for i := range workers {
			wg.Go(func() {
				var res storage.LimitResult
				res, errs[i] = l.Allow(ctx, "k", limit)
				allowed[i] = res.Allowed
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("Allow: %v", err)
		}
		var n int
		for _, ok := range allowed {
			if ok {
				n++
			}
		}
		if n != limit.Burst {
			t.Fatalf("%d of %d concurrent calls allowed, want %d", n, workers, limit.Burst)
		}
	})

	t.Run("invalid limit", func(t *testing.T) {
		t.Parallel()
		l := newLimiter(t)
		for _, limit := range []storage.Limit{
			{Rate: 0, Period: time.Minute, Burst: 1},
			{Rate: 1, Period: 0, Burst: 1},
			{Rate: 1, Period: time.Minute, Burst: 0},
		} {
			if _, err := l.Allow(ctx, "k", limit); err == nil {
				t.Errorf("Allow(%+v) succeeded, want an error", limit)
			}
		}
	})
}

func TestMemoryKVInjectedClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := newFakeClock()
	kv := storage.NewMemoryKV(10, clock.Now)

	mustSet(t, kv, "k", []byte("v"), time.Minute)
	clock.Advance(time.Minute - time.Nanosecond)
	mustGet(t, kv, "k", "v")
	clock.Advance(time.Nanosecond)
	if _, err := kv.Get(ctx, "k"); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("Get at expiry error = %v, want ErrNotFound", err)
	}

	n, resetIn, err := kv.IncrWindow(ctx, "ctr", time.Minute)
	if err != nil || n != 1 || resetIn != time.Minute {
		t.Fatalf("IncrWindow = %d, %v, %v; want 1, 1m, nil", n, resetIn, err)
	}
	clock.Advance(40 * time.Second)
	n, resetIn, err = kv.IncrWindow(ctx, "ctr", time.Minute)
	if err != nil || n != 2 || resetIn != 20*time.Second {
		t.Fatalf("IncrWindow 40s later = %d, %v, %v; want 2, 20s, nil", n, resetIn, err)
	}
	clock.Advance(20 * time.Second)
	n, resetIn, err = kv.IncrWindow(ctx, "ctr", time.Minute)
	if err != nil || n != 1 || resetIn != time.Minute {
		t.Fatalf("IncrWindow at the window's end = %d, %v, %v; want 1, 1m, nil", n, resetIn, err)
	}
}

func TestMemoryKVBound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const maxKeys = 50
	kv := storage.NewMemoryKV(maxKeys, newFakeClock().Now)
	for i := range 2 * maxKeys {
		mustSet(t, kv, "k"+hex.EncodeToString([]byte{byte(i)}), []byte("v"), time.Duration(i+1)*time.Hour)
		keys, err := kv.Keys(ctx, "")
		if err != nil {
			t.Fatalf("Keys: %v", err)
		}
		if len(keys) > maxKeys {
			t.Fatalf("after %d inserts the store holds %d keys, want at most %d", i+1, len(keys), maxKeys)
		}
	}
	// Every key lives longer than the one before, so the newest survive.
	keys, _ := kv.Keys(ctx, "")
	if len(keys) != maxKeys || keys[0] != "k"+hex.EncodeToString([]byte{maxKeys}) {
		t.Fatalf("survivors = %v, want the %d newest keys", keys, maxKeys)
	}
}

func TestMemoryKVEvictionOrder(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	kv := storage.NewMemoryKV(3, clock.Now)

	// Full: an expired key goes before anything live.
	mustSet(t, kv, "old-forever", []byte("v"), 0)
	mustSet(t, kv, "expiring", []byte("v"), time.Second)
	mustSet(t, kv, "hour", []byte("v"), time.Hour)
	clock.Advance(2 * time.Second)
	mustSet(t, kv, "new-forever", []byte("v"), 0)
	mustKeys(t, kv, "", []string{"hour", "new-forever", "old-forever"})

	// Full, nothing expired: the key closest to expiry goes.
	mustSet(t, kv, "day", []byte("v"), 24*time.Hour)
	mustKeys(t, kv, "", []string{"day", "new-forever", "old-forever"})

	// Keys with an expiry go before keys without one, however far off.
	mustSet(t, kv, "minute", []byte("v"), time.Minute)
	mustKeys(t, kv, "", []string{"minute", "new-forever", "old-forever"})

	// Among keys without expiry, the least recently written goes.
	if err := kv.Delete(context.Background(), "minute"); err != nil {
		t.Fatal(err)
	}
	mustSet(t, kv, "old-forever", []byte("v2"), 0) // rewriting makes it the newest
	mustSet(t, kv, "third-forever", []byte("v"), 0)
	mustSet(t, kv, "fourth-forever", []byte("v"), 0)
	mustKeys(t, kv, "", []string{"fourth-forever", "old-forever", "third-forever"})
}

func TestMemoryLimiterInjectedClock(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := storage.NewMemoryLimiter(2, clock.Now)
	limit := storage.Limit{Rate: 1, Period: time.Minute, Burst: 1}

	mustAllow(t, l, "a", limit)
	res := mustAllow(t, l, "a", limit)
	if res.Allowed || !about(res.RetryAfter, time.Minute) {
		t.Fatalf("second Allow = %+v, want denied for 1m", res)
	}
	clock.Advance(59 * time.Second)
	if res := mustAllow(t, l, "a", limit); res.Allowed || !about(res.RetryAfter, time.Second) {
		t.Fatalf("Allow at 59s = %+v, want denied for 1s", res)
	}
	clock.Advance(time.Second)
	if res := mustAllow(t, l, "a", limit); !res.Allowed {
		t.Fatalf("Allow at 60s = %+v, want allowed", res)
	}

	// The limiter holds two buckets. "a" is empty and the least recently
	// used; "b" refills within a second. Making room for "c" must drop the
	// refilled "b", not "a", or "a" would get a fresh allowance.
	fast := storage.Limit{Rate: 1, Period: time.Second, Burst: 1}
	mustAllow(t, l, "b", fast)
	clock.Advance(2 * time.Second)
	mustAllow(t, l, "c", limit)
	if res := mustAllow(t, l, "a", limit); res.Allowed {
		t.Fatalf("Allow(a) after making room = %+v, want still denied", res)
	}
}

func TestRedisUnavailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(&redis.Options{
		Addr:          addr,
		MaxRetries:    -1,
		DialerRetries: 1,
		DialTimeout:   200 * time.Millisecond,
	})
	kv := storage.NewRedisKV(client, "jiuzhu:")
	t.Cleanup(func() { _ = kv.Close() })

	checks := map[string]func() error{
		"get":  func() error { _, err := kv.Get(ctx, "k"); return err },
		"set":  func() error { return kv.Set(ctx, "k", []byte("v"), 0) },
		"incr": func() error { _, _, err := kv.IncrWindow(ctx, "k", time.Minute); return err },
		"keys": func() error { _, err := kv.Keys(ctx, ""); return err },
		"ping": func() error { return kv.Ping(ctx) },
		"limit": func() error {
			_, err := storage.NewRedisLimiter(client, "jiuzhu:").Allow(ctx, "k", storage.Limit{Rate: 1, Period: time.Second, Burst: 1})
			return err
		},
	}
	for name, check := range checks {
		if err := check(); !errors.Is(err, model.ErrUnavailable) {
			t.Errorf("%s on a closed port: error = %v, want ErrUnavailable", name, err)
		}
	}
}

func mustSet(t *testing.T, kv storage.KV, key string, value []byte, ttl time.Duration) {
	t.Helper()
	if err := kv.Set(context.Background(), key, value, ttl); err != nil {
		t.Fatalf("Set(%s): %v", key, err)
	}
}

func mustGet(t *testing.T, kv storage.KV, key, want string) {
	t.Helper()
	got, err := kv.Get(context.Background(), key)
	if err != nil || string(got) != want {
		t.Fatalf("Get(%s) = %q, %v; want %q, nil", key, got, err, want)
	}
}

func mustKeys(t *testing.T, kv storage.KV, prefix string, want []string) {
	t.Helper()
	got, err := kv.Keys(context.Background(), prefix)
	if err != nil {
		t.Fatalf("Keys(%q): %v", prefix, err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("Keys(%q) = %q, want %q", prefix, got, want)
	}
}

// waitGone polls until key has expired, failing after waitMax.
func waitGone(t *testing.T, kv storage.KV, key string) {
	t.Helper()
	deadline := time.Now().Add(waitMax)
	for {
		_, err := kv.Get(context.Background(), key)
		if errors.Is(err, model.ErrNotFound) {
			return
		}
		if err != nil {
			t.Fatalf("Get(%s): %v", key, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still present after %v", key, waitMax)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustAllow(t *testing.T, l storage.Limiter, key string, limit storage.Limit) storage.LimitResult {
	t.Helper()
	res, err := l.Allow(context.Background(), key, limit)
	if err != nil {
		t.Fatalf("Allow(%s): %v", key, err)
	}
	if !res.Allowed && res.RetryAfter <= 0 {
		t.Fatalf("Allow(%s) = %+v: denied without a RetryAfter", key, res)
	}
	return res
}

// randomPrefix returns a fresh key prefix so tests can share one Redis.
func randomPrefix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "jiuzhu-test:" + hex.EncodeToString(b) + ":"
}

// deleteRedisKeys removes what a test left under prefix, on every master
// when client is a cluster client (one key per DEL: keys may live in
// different slots).
func deleteRedisKeys(t *testing.T, client redis.UniversalClient, prefix string) {
	t.Helper()
	ctx := context.Background()
	del := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			if err := c.Del(ctx, k).Err(); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if cc, ok := client.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return del(ctx, c) })
	} else {
		err = del(ctx, client)
	}
	if err != nil {
		t.Errorf("deleting %s*: %v", prefix, err)
	}
}

// about reports whether got is want, give or take the microsecond that
// floating-point token arithmetic may add.
func about(got, want time.Duration) bool {
	return got >= want-time.Microsecond && got <= want+time.Microsecond
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
