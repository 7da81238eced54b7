package service

import (
	"context"
	"fmt"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// allow takes one request from the limit at key: model.KindRateLimited
// (429 with Retry-After) past it, the limiter's error when it cannot
// answer (the limit fails closed).
func allow(ctx context.Context, limiter storage.Limiter, key string, l storage.Limit) error {
	res, err := limiter.Allow(ctx, key, l)
	if err != nil {
		return fmt.Errorf("rate limit: %w", err)
	}
	if !res.Allowed {
		return model.RateLimited(res.RetryAfter)
	}
	return nil
}
