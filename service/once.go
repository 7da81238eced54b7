package service

import (
	"context"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/storage"
)

// onceAcross runs fn unless another instance holds lock (a KV SetNX for
// ttl), so a scheduled job runs once per period across instances; a failed
// run releases the lock so the next one retries. It reports whether it
// skipped.
func onceAcross(ctx context.Context, kv storage.KV, lock string, now time.Time, ttl time.Duration, fn func() error) (bool, error) {
	got, err := kv.SetNX(ctx, lock, []byte(now.Format(time.RFC3339)), ttl)
	if err != nil {
		return false, fmt.Errorf("lock %s: %w", lock, err)
	}
	if !got {
		return true, nil
	}
	if err := fn(); err != nil {
		_ = kv.Delete(context.WithoutCancel(ctx), lock)
		return false, err
	}
	return false, nil
}
