package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Client speaks to the server as the portal does: JSON, a Bearer token,
// and each simulated person's own address in X-Forwarded-For (the server
// trusts the loopback proxy), so per-address limits see many people, not
// one bench.
type Client struct {
	base string
	http *http.Client
}

func newClient(base string) *Client {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: time.Minute}
	return &Client{base: base, http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// Call is one request.
type Call struct {
	Method, Path, Token, IP string
	JSON                    any
	Body                    io.Reader
	ContentType             string
	Header                  map[string]string
}

// Do sends c and returns the status and the body (read whole: responses
// are small; downloads are not measured).
func (cl *Client) Do(ctx context.Context, c Call) (int, []byte, error) {
	body := c.Body
	ct := c.ContentType
	if c.JSON != nil {
		b, err := json.Marshal(c.JSON)
		if err != nil {
			return 0, nil, err
		}
		body, ct = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, cl.base+c.Path, body)
	if err != nil {
		return 0, nil, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.IP != "" {
		req.Header.Set("X-Forwarded-For", c.IP)
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	resp, err := cl.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// JSONCall sends c, wants status want, and decodes the body into out
// (when not nil).
func (cl *Client) JSONCall(ctx context.Context, c Call, want int, out any) error {
	st, b, err := cl.Do(ctx, c)
	if err != nil {
		return fmt.Errorf("%s %s: %w", c.Method, c.Path, err)
	}
	if st != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", c.Method, c.Path, st, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", c.Method, c.Path, err)
		}
	}
	return nil
}

// errExhausted stops a worker whose job source is empty.
var errExhausted = errors.New("no more work")

// RunResult is one closed-loop round.
type RunResult struct {
	OK      int
	Failed  int
	Elapsed time.Duration
	// FirstError is the first failure's text, for the report.
	FirstError string
	// Statuses counts failures by HTTP status (0: transport error).
	Statuses map[int]int
}

// Rate is successful operations per second.
func (r RunResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.OK) / r.Elapsed.Seconds()
}

// statusError is a failed request with its status.
type statusError struct {
	status int
	body   string
}

func (e statusError) Error() string { return fmt.Sprintf("status %d: %.200s", e.status, e.body) }

// closedLoop runs op from workers goroutines back to back until d has
// passed or op returns errExhausted; op's other errors count as failures.
func closedLoop(ctx context.Context, workers int, d time.Duration, op func(ctx context.Context, worker int) error) RunResult {
	var ok, failed atomic.Int64
	var mu sync.Mutex
	res := RunResult{Statuses: map[int]int{}}
	deadline := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				err := op(ctx, w)
				if errors.Is(err, errExhausted) {
					return
				}
				if err == nil {
					ok.Add(1)
					continue
				}
				failed.Add(1)
				mu.Lock()
				if res.FirstError == "" {
					res.FirstError = err.Error()
				}
				var se statusError
				if errors.As(err, &se) {
					res.Statuses[se.status]++
				} else {
					res.Statuses[0]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	res.OK, res.Failed = int(ok.Load()), int(failed.Load())
	return res
}

// openLoop starts op at a fixed rate for d (whatever the answers take) and
// returns each operation's latency counted from when it was due, so a slow
// answer cannot hide the ones queued behind it. Failures are counted.
func openLoop(ctx context.Context, rate float64, d time.Duration, op func(ctx context.Context) error) (lat []float64, failed int) {
	interval := time.Duration(float64(time.Second) / rate)
	n := int(d / interval)
	lat = make([]float64, 0, n)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if w := time.Until(due); w > 0 {
			time.Sleep(w)
		}
		wg.Go(func() {
			err := op(ctx)
			took := time.Since(due)
			mu.Lock()
			if err != nil {
				failed++
			} else {
				lat = append(lat, float64(took)/float64(time.Millisecond))
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return lat, failed
}
