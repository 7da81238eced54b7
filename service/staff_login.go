package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// PasswordHasher hashes and checks staff passwords. The argon2id
// implementation is the production one; tests inject an observable one.
type PasswordHasher interface {
	Hash(password string) (string, error)
	Check(encoded, password string) bool
}

// Argon2Hasher is the argon2id PasswordHasher (HashPassword, CheckPassword).
type Argon2Hasher struct {
	Random io.Reader // nil means crypto/rand
}

var _ PasswordHasher = Argon2Hasher{}

// Hash returns an encoded argon2id hash of password with a fresh salt.
func (h Argon2Hasher) Hash(password string) (string, error) { return HashPassword(password, h.Random) }

// Check reports whether password matches encoded.
func (h Argon2Hasher) Check(encoded, password string) bool { return CheckPassword(encoded, password) }

// LoginLimits bound what staff logins may cost. The rate limits are checked
// before any password is hashed; MaxHashes bounds the argon2id hashes
// running at once, and a login that cannot get a slot within HashWait is
// refused (429 login_busy) instead of queueing without end.
type LoginLimits struct {
	PerIP     storage.Limit
	Global    storage.Limit
	MaxHashes int
	HashWait  time.Duration
}

// DefaultLoginLimits are the limits when the configuration gives none.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{
		PerIP:     storage.Limit{Rate: 60, Period: time.Minute, Burst: 60},
		Global:    storage.Limit{Rate: 1200, Period: time.Minute, Burst: 120},
		MaxHashes: 4,
		HashWait:  2 * time.Second,
	}
}

// Throttling of failed logins, per (username, client IP): the first
// loginFreeFailures failures within LoginFailureWindow cost nothing; each
// one after that makes the next try from that address wait twice as long,
// from loginFirstBackoff up to LoginMaxBackoff. Another address is not
// affected, so nobody can keep an account's owner out from elsewhere.
const (
	loginFreeFailures  = 5
	LoginFailureWindow = 15 * time.Minute
	loginFirstBackoff  = 30 * time.Second
	LoginMaxBackoff    = 15 * time.Minute
	// loginEpochTTL keeps an unlock's epoch longer than any failure
	// window or backoff it has to outlive.
	loginEpochTTL = 24 * time.Hour
)

var (
	errLoginBusy      = model.NewError(model.KindRateLimited, "login_busy", "登录的人太多，请稍等几秒再试。")
	errLoginRateLimit = model.NewError(model.KindRateLimited, "login_rate_limited", "登录尝试太频繁，请稍后再试。")
	errLoginThrottled = model.NewError(model.KindRateLimited, "login_throttled", "这个账号在本机密码错误次数太多，请稍后再试，或请管理员解锁。")
)

// rateLimited returns e with a retry delay.
func rateLimited(e *model.Error, after time.Duration) *model.Error {
	c := *e
	c.RetryAfter = after
	return &c
}

// hashGate is a counting semaphore over the password hashes in flight.
type hashGate struct {
	slots chan struct{}
	wait  time.Duration
}

func newHashGate(n int, wait time.Duration) *hashGate {
	if n < 1 {
		n = 1
	}
	return &hashGate{slots: make(chan struct{}, n), wait: wait}
}

// acquire takes a slot, waiting at most the gate's wait; the returned
// function gives it back. A full gate is errLoginBusy (429, Retry-After).
func (g *hashGate) acquire(ctx context.Context) (func(), error) {
	release := func() { <-g.slots }
	select {
	case g.slots <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, rateLimited(errLoginBusy, time.Second)
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a password slot: %w", ctx.Err())
	}
}

// allowAttempt applies the per-IP and global login limits; it runs before
// the account is even looked up.
func (a *StaffAccounts) allowAttempt(ctx context.Context) error {
	ip := model.RequestMetaFrom(ctx).ClientIP
	for _, l := range []struct {
		key   string
		limit storage.Limit
	}{
		{"staff-login:ip:" + ip, a.limits.PerIP},
		{"staff-login:global", a.limits.Global},
	} {
		res, err := a.d.Limiter.Allow(ctx, l.key, l.limit)
		if err != nil {
			return fmt.Errorf("login rate limit: %w", err)
		}
		if !res.Allowed {
			return rateLimited(errLoginRateLimit, res.RetryAfter)
		}
	}
	return nil
}

// check runs one password check inside the hash gate.
func (a *StaffAccounts) check(ctx context.Context, encoded, password string) (bool, error) {
	release, err := a.gate.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return a.hasher.Check(encoded, password), nil
}

// throttleKeys are the failure counter and the wait-until key of one
// (username, client IP) pair under the username's current epoch.
func (a *StaffAccounts) throttleKeys(ctx context.Context, username string) (fail, wait string, err error) {
	user := a.d.Keys.TokenHash("staff-login", username)
	epoch, err := a.d.KV.Get(ctx, "staff:login:epoch:"+user)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return "", "", fmt.Errorf("read login epoch: %w", err)
	}
	pair := user + ":" + string(epoch) + ":" + a.d.Keys.TokenHash("staff-login-ip", model.RequestMetaFrom(ctx).ClientIP)
	return "staff:login:fail:" + pair, "staff:login:wait:" + pair, nil
}

// throttledFor returns how long this (username, IP) pair must still wait.
// The wait's end is kept in the value and compared with the injected clock;
// the key's own expiry only cleans up.
func (a *StaffAccounts) throttledFor(ctx context.Context, waitKey string) (time.Duration, error) {
	b, err := a.d.KV.Get(ctx, waitKey)
	if errors.Is(err, model.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read login backoff: %w", err)
	}
	until, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, nil
	}
	return max(until.Sub(a.d.Clock.Now()), 0), nil
}

// countFailure counts one failed login of the pair and returns the backoff
// it now has to wait (0 while failures are still free).
func (a *StaffAccounts) countFailure(ctx context.Context, failKey, waitKey string) (time.Duration, error) {
	n, _, err := a.d.KV.IncrWindow(ctx, failKey, LoginFailureWindow)
	if err != nil {
		return 0, fmt.Errorf("count failed login: %w", err)
	}
	if n < loginFreeFailures {
		return 0, nil
	}
	backoff := LoginMaxBackoff
	if shift := n - loginFreeFailures; shift < 10 {
		backoff = min(loginFirstBackoff<<shift, LoginMaxBackoff)
	}
	until := a.d.Clock.Now().Add(backoff)
	if err := a.d.KV.Set(ctx, waitKey, []byte(until.Format(time.RFC3339Nano)), backoff); err != nil {
		return 0, fmt.Errorf("set login backoff: %w", err)
	}
	return backoff, nil
}

// Unlock clears the failed-login throttling of an account in the admin's
// subtree from every address (a new epoch makes the old counters
// unreachable), and audits it. Outside the subtree: model.KindNotFound.
func (a *StaffAccounts) Unlock(ctx context.Context, id string) (StaffView, error) {
	p, err := adminOf(ctx)
	if err != nil {
		return StaffView{}, err
	}
	st, err := a.d.DB.StaffInRegion(ctx, id, model.RegionPrefix(p.RegionCode))
	if errors.Is(err, model.ErrNotFound) {
		return StaffView{}, model.NotFound("staff")
	}
	if err != nil {
		return StaffView{}, err
	}
	user := a.d.Keys.TokenHash("staff-login", st.Username)
	if err := a.d.KV.Set(ctx, "staff:login:epoch:"+user, []byte(a.d.IDs.New()), loginEpochTTL); err != nil {
		return StaffView{}, fmt.Errorf("unlock login: %w", err)
	}
	if err := a.audit.RecordAlone(ctx, Event{Action: "staff.unlock", TargetType: "staff", TargetID: st.ID, RegionCode: st.RegionCode}); err != nil {
		return StaffView{}, err
	}
	return viewOfStaff(st), nil
}
