package api_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/service"
)

// observedHasher is the argon2id hasher with every password check counted:
// how many ran, and the most that ran at once. Each check also takes at
// least delay, so concurrent logins overlap.
type observedHasher struct {
	service.Argon2Hasher
	delay time.Duration

	mu                    sync.Mutex
	inFlight, most, calls int
}

func (h *observedHasher) Check(encoded, password string) bool {
	h.mu.Lock()
	h.calls++
	h.inFlight++
	h.most = max(h.most, h.inFlight)
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.inFlight--
		h.mu.Unlock()
	}()
	time.Sleep(h.delay)
	return h.Argon2Hasher.Check(encoded, password)
}

func (h *observedHasher) stats() (calls, most int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls, h.most
}

// randomLogins sends n concurrent logins with fresh usernames, from ip(i).
func randomLogins(env *apitest.Env, n int, ip func(i int) string) map[int]int {
	rs := apitest.Concurrently(n, func(i int) *apitest.Response {
		return env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/staff/sessions", IP: ip(i),
			Body: map[string]string{"username": fmt.Sprintf("nobody-%d-%d", i, time.Now().UnixNano()), "password": "not-the-password"}})
	})
	counts := map[int]int{}
	for _, r := range rs {
		counts[r.Status]++
		if r.Status == http.StatusTooManyRequests && r.Header.Get("Retry-After") == "" {
			env.T.Errorf("429 without Retry-After: %s", r.Body)
		}
	}
	return counts
}

// Hardening item 5: logins with random usernames are refused by the per-IP
// and global limits before any password is hashed, and never more than
// JIUZHU_STAFF_LOGIN_MAX_HASHES checks run at once.
func TestStaffLoginLimitedBeforeHashing(t *testing.T) {
	t.Parallel()
	h := &observedHasher{delay: 20 * time.Millisecond}
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h.mu.Lock()
		h.calls, h.most = 0, 0
		h.mu.Unlock()
		// One address: 10 tries pass the per-IP limit, the rest are 429.
		got := randomLogins(env, 40, func(int) string { return "198.51.100.7" })
		if got[http.StatusTooManyRequests] < 25 || got[http.StatusUnauthorized] > 15 {
			t.Errorf("one address, 40 logins: statuses %v, want mostly 429", got)
		}
		// Many addresses: the global limit holds.
		got = randomLogins(env, 40, func(i int) string { return "203.0.113." + strconv.Itoa(i+1) })
		if got[http.StatusTooManyRequests] < 20 {
			t.Errorf("40 addresses, 40 logins: statuses %v, want the global limit to answer 429", got)
		}
		calls, most := h.stats()
		if most > 2 {
			t.Errorf("%d password checks ran at once, want at most JIUZHU_STAFF_LOGIN_MAX_HASHES=2", most)
		}
		if calls > 35 {
			t.Errorf("%d password checks for 80 refused logins: the limits must come before hashing", calls)
		}
	}, apitest.WithHasher(h), apitest.WithEnvs(map[string]string{
		"JIUZHU_STAFF_LOGIN_PER_IP_PER_MINUTE": "10", "JIUZHU_STAFF_LOGIN_PER_MINUTE": "30", "JIUZHU_STAFF_LOGIN_MAX_HASHES": "2",
	}))
}

// Hardening item 5: a login that cannot get a hashing slot soon is refused
// (429 login_busy, Retry-After) instead of queueing.
func TestStaffLoginBusyWhenHashesSaturated(t *testing.T) {
	t.Parallel()
	h := &observedHasher{delay: 300 * time.Millisecond}
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		rs := apitest.Concurrently(6, func(i int) *apitest.Response {
			return env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/staff/sessions", IP: "192.0.2." + strconv.Itoa(100+i),
				Body: map[string]string{"username": "street", "password": "not-the-password"}})
		})
		busy := 0
		for _, r := range rs {
			if r.Status == http.StatusTooManyRequests && r.ErrorCode() == "login_busy" {
				busy++
			}
		}
		if busy == 0 {
			t.Errorf("6 logins over 1 slot of 300 ms with a 50 ms wait: none refused as login_busy: %v", apitest.Statuses(rs))
		}
		if _, most := h.stats(); most > 1 {
			t.Errorf("%d checks at once, want 1", most)
		}
	}, apitest.WithHasher(h), apitest.WithEnvs(map[string]string{
		"JIUZHU_STAFF_LOGIN_MAX_HASHES": "1", "JIUZHU_STAFF_LOGIN_HASH_WAIT": "50ms",
	}))
}

// Hardening item 6: failures throttle one (username, address) pair with a
// growing backoff; the owner logs in from elsewhere (with TOTP too), and an
// admin can lift the throttle (audited).
func TestStaffLoginThrottledPerAddress(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		const attacker, owner = "203.0.113.66", "192.0.2.55"
		login := func(ip string, body map[string]string) *apitest.Response {
			return env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/staff/sessions", IP: ip, Body: body})
		}
		bad := map[string]string{"username": "street", "password": "wrong-password"}
		good := map[string]string{"username": "street", "password": service.DemoPassword}
		for i := 0; i < 8; i++ {
			login(attacker, bad)
		}
		r := login(attacker, good)
		apitest.Want(t, r, http.StatusTooManyRequests)
		if r.ErrorCode() != "login_throttled" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		// Another address is not affected.
		apitest.Want(t, login(owner, good), http.StatusCreated)

		// The backoff grows: after the first wait one more failure costs more.
		env.Clock.Advance(31 * time.Second)
		apitest.Want(t, login(attacker, bad), http.StatusUnauthorized)
		r = login(attacker, good)
		apitest.Want(t, r, http.StatusTooManyRequests)
		if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 45 {
			t.Errorf("second backoff Retry-After %q, want about 60 s", r.Header.Get("Retry-After"))
		}

		// An admin unlocks the account: the right password works at once.
		admin := wfDemo(t, env, "admin")
		apitest.Want(t, env.Post("/api/v1/staff/accounts/"+wfDemo(t, env, "street").ID+"/unlock", admin.Token, nil), http.StatusOK)
		apitest.Want(t, login(attacker, good), http.StatusCreated)
		r = env.Get("/api/v1/staff/audit?action=staff.unlock", wfDemo(t, env, "auditor").Token)
		apitest.Want(t, r, http.StatusOK)
		if n := len(r.Map(t)["items"].([]any)); n != 1 {
			t.Errorf("staff.unlock audit rows: %d", n)
		}

		// A TOTP user hammered from elsewhere still logs in with password
		// and code.
		county := wfDemo(t, env, "county")
		r = env.Post("/api/v1/staff/me/totp", county.Token, nil)
		apitest.Want(t, r, http.StatusCreated)
		secret := r.Map(t)["secret"].(string)
		code, _ := totp.GenerateCode(secret, env.Clock.Now())
		apitest.Want(t, env.Post("/api/v1/staff/me/totp/confirm", county.Token, map[string]string{"code": code}), http.StatusOK)
		for i := 0; i < 10; i++ {
			login(attacker, map[string]string{"username": "county", "password": "wrong-password", "totp_code": "123456"})
		}
		env.Clock.Advance(30 * time.Second)
		code, _ = totp.GenerateCode(secret, env.Clock.Now())
		apitest.Want(t, login(owner, map[string]string{"username": "county", "password": service.DemoPassword, "totp_code": code}), http.StatusCreated)
	})
}
