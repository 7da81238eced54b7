package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

// The fault tests run the application against MariaDB and Redis processes
// they start themselves (storagetest.StartMariaDB / StartRedis), then pause
// (SIGSTOP) or kill them. Requests are bounded by a one-second request
// deadline, so each answer must come well within answerWithin.
const (
	faultRequestTimeout = "1s"
	answerWithin        = 3 * time.Second
)

// faultServer serves env's router on a real listener, so the client can
// time requests out and measure how long each answer took.
type faultServer struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newFaultServer(t *testing.T, env *apitest.Env) *faultServer {
	srv := httptest.NewServer(env.Handler)
	t.Cleanup(srv.Close)
	// The client gives up well after answerWithin, so a hung request shows
	// as a failure of the test rather than a hang of it.
	return &faultServer{t: t, base: srv.URL, client: &http.Client{Timeout: 3 * answerWithin}}
}

// do sends one request and returns its status, decoded body and duration;
// a request the client had to give up on fails the test.
func (s *faultServer) do(method, path string, body any) (int, map[string]any, time.Duration) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := s.client.Do(req)
	took := time.Since(start)
	if err != nil {
		s.t.Fatalf("%s %s: no answer after %v: %v", method, path, took, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m, took
}

// want checks a request's status and that it answered within answerWithin.
func (s *faultServer) want(status int, method, path string, body any) map[string]any {
	s.t.Helper()
	code, m, took := s.do(method, path, body)
	if code != status {
		s.t.Fatalf("%s %s = %d %v, want %d", method, path, code, m, status)
	}
	if took > answerWithin {
		s.t.Fatalf("%s %s answered %d after %v, want within %v", method, path, code, took, answerWithin)
	}
	return m
}

// wantNotReady checks /readyz answers 503 in time and names exactly failed.
func (s *faultServer) wantNotReady(failed ...string) {
	s.t.Helper()
	m := s.want(http.StatusServiceUnavailable, http.MethodGet, "/readyz", nil)
	var got []string
	for _, f := range m["failed"].([]any) {
		got = append(got, f.(string))
	}
	if !slices.Equal(got, failed) {
		s.t.Fatalf("/readyz failed = %v, want %v (checks %v)", got, failed, m["checks"])
	}
}

// wantFailedIncludes checks /readyz answers 503 in time naming check among
// the failed ones.
func (s *faultServer) wantFailedIncludes(check string) {
	s.t.Helper()
	m := s.want(http.StatusServiceUnavailable, http.MethodGet, "/readyz", nil)
	for _, f := range m["failed"].([]any) {
		if f == check {
			return
		}
	}
	s.t.Fatalf("/readyz failed = %v, want it to name %s", m["failed"], check)
}

func smsCode(phone string) map[string]string { return map[string]string{"phone": phone} }

// TestFaultRedisPausedOrKilled: with Redis hung or gone, a resident asking
// for a login code gets 503 within seconds (not after go-redis's retries),
// /readyz blames the session store and nothing else, and service comes
// back when Redis does.
func TestFaultRedisPausedOrKilled(t *testing.T) {
	t.Parallel()
	redis := storagetest.StartRedis(t)
	env := apitest.New(t, "embedded", apitest.WithEnvs(map[string]string{
		"JIUZHU_REDIS_ADDR": redis.Addr, "JIUZHU_REQUEST_TIMEOUT": faultRequestTimeout,
	}))
	s := newFaultServer(t, env)
	s.want(http.StatusAccepted, http.MethodPost, "/api/v1/auth/sms-codes", smsCode("13900000001"))
	s.want(http.StatusOK, http.MethodGet, "/readyz", nil)

	redis.Pause()
	s.want(http.StatusServiceUnavailable, http.MethodPost, "/api/v1/auth/sms-codes", smsCode("13900000002"))
	s.wantNotReady("session_store")

	redis.Resume()
	s.want(http.StatusAccepted, http.MethodPost, "/api/v1/auth/sms-codes", smsCode("13900000003"))
	s.want(http.StatusOK, http.MethodGet, "/readyz", nil)

	redis.Kill()
	s.want(http.StatusServiceUnavailable, http.MethodPost, "/api/v1/auth/sms-codes", smsCode("13900000004"))
	s.wantNotReady("session_store")
}

// TestFaultMariaDBPausedOrKilled: with the database hung, a request gets
// 503 within seconds and /readyz blames the database alone; once the
// database has crashed, every request on the broken pool is a 503 (never a
// 500 "invalid connection").
func TestFaultMariaDBPausedOrKilled(t *testing.T) {
	t.Parallel()
	db, dsn := storagetest.StartMariaDB(t)
	env := apitest.New(t, "embedded", apitest.WithEnvs(map[string]string{
		"JIUZHU_DB_DRIVER": "mysql", "JIUZHU_DB_DSN": dsn, "JIUZHU_REQUEST_TIMEOUT": faultRequestTimeout,
	}))
	s := newFaultServer(t, env)
	s.want(http.StatusOK, http.MethodGet, "/api/v1/regions", nil)

	db.Pause()
	s.want(http.StatusServiceUnavailable, http.MethodGet, "/api/v1/regions", nil)
	s.wantNotReady("database")

	db.Resume()
	s.want(http.StatusOK, http.MethodGet, "/api/v1/regions", nil)
	s.want(http.StatusOK, http.MethodGet, "/readyz", nil)

	db.Kill()
	for range 3 {
		s.want(http.StatusServiceUnavailable, http.MethodGet, "/api/v1/regions", nil)
	}
	s.wantNotReady("database")
}

// TestFaultDataDiskFull: a full local data disk (the SQLite file and the
// documents) shows in /readyz as data_disk, and clears once space is freed.
// (A read-only remount is refused while SQLite has the file open; storage's
// TestLocalDiskFullOrReadOnly covers that case.)
func TestFaultDataDiskFull(t *testing.T) {
	t.Parallel()
	dir := storagetest.TmpfsDir(t, 32<<20)
	env := apitest.New(t, "embedded", apitest.WithEnvs(map[string]string{
		"JIUZHU_DATA_DIR": dir, "JIUZHU_DATA_MIN_FREE_BYTES": "1048576", "JIUZHU_REQUEST_TIMEOUT": faultRequestTimeout,
	}))
	s := newFaultServer(t, env)
	s.want(http.StatusOK, http.MethodGet, "/readyz", nil)

	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for chunk := make([]byte, 256<<10); ; {
		if _, err := f.Write(chunk); err != nil {
			break
		}
	}
	_ = f.Close()
	s.wantFailedIncludes("data_disk")

	if err := os.Remove(filepath.Join(dir, "filler")); err != nil {
		t.Fatal(err)
	}
	s.want(http.StatusOK, http.MethodGet, "/readyz", nil)
}
