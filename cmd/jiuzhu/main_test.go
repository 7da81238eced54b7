package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/libtnb/sqlite"
)

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs `jiuzhu serve` in process until the returned stop is
// called; stop returns serve's error.
func startServe(t *testing.T, vars map[string]string) (base string, stop func() error, out *lockedBuffer) {
	t.Helper()
	addr := freePort(t)
	vars["JIUZHU_HTTP_ADDR"] = addr
	ctx, cancel := context.WithCancel(context.Background())
	out = &lockedBuffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"serve"}, func(k string) string { return vars[k] }, out, out) }()
	base = "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		select {
		case err := <-errc:
			cancel()
			t.Fatalf("serve exited: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not come up:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	var once sync.Once
	var serveErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case serveErr = <-errc:
			case <-time.After(30 * time.Second):
				serveErr = fmt.Errorf("serve did not stop")
			}
		})
		return serveErr
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop, out
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeEmbeddedDefaultAndRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"JIUZHU_DATA_DIR": dir}
	base, stop, out := startServe(t, vars)
	for _, p := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, base+p); code != http.StatusOK {
			t.Fatalf("%s: %d %s", p, code, body)
		}
	}
	if !strings.Contains(out.String(), "community2") || !strings.Contains(out.String(), "jiuzhu-demo") {
		t.Fatalf("dev mode should print the demo accounts:\n%s", out.String())
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	// Write through the database file while the server is down, then
	// restart: the server must serve from the same file.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "jiuzhu.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO regions (code, name, level, parent_code) VALUES ('330599', '测试区', 'county', '330500')`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	base, stop, _ = startServe(t, vars)
	code, body := get(t, base+"/api/v1/regions")
	if code != http.StatusOK || !strings.Contains(body, "测试区") {
		t.Fatalf("after restart: %d %s", code, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestProductionRefusesDemoAccountsAndPendingMigrations(t *testing.T) {
	dir := t.TempDir()
	key := "k3J9x-2mQp7Lr8vT1wZ4yN6bC0dF5gH-aE"
	prod := map[string]string{"JIUZHU_DATA_DIR": dir, "JIUZHU_DEV": "false", "JIUZHU_SECRET_KEY": key, "JIUZHU_HTTP_ADDR": "127.0.0.1:0"}
	getenv := func(k string) string { return prod[k] }
	var out bytes.Buffer
	ctx := context.Background()

	err := run(ctx, []string{"serve"}, getenv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "migrate up") {
		t.Fatalf("serve on an empty database in production: %v", err)
	}
	if err := run(ctx, []string{"seed"}, getenv, &out, &out); err == nil {
		t.Fatal("seed must refuse outside dev mode")
	}
	if err := run(ctx, []string{"migrate", "up"}, getenv, &out, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"migrate", "status"}, getenv, &out, &out); err != nil || !strings.Contains(out.String(), "applied") {
		t.Fatalf("migrate status: %v\n%s", err, out.String())
	}
	// A demo run leaves demo accounts behind; production must then refuse.
	dev := map[string]string{"JIUZHU_DATA_DIR": dir, "JIUZHU_DEV": "true", "JIUZHU_SECRET_KEY": key}
	if err := run(ctx, []string{"seed"}, func(k string) string { return dev[k] }, &out, &out); err != nil {
		t.Fatal(err)
	}
	err = run(ctx, []string{"serve"}, getenv, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "demo accounts") {
		t.Fatalf("production with demo accounts: %v", err)
	}
}

func TestBadConfigStopsStartWithTheVariable(t *testing.T) {
	var out bytes.Buffer
	vars := map[string]string{"JIUZHU_DATA_DIR": t.TempDir(), "JIUZHU_WORKFLOW_PUBLICITY_PERIOD": "seven days"}
	err := run(context.Background(), []string{"serve"}, func(k string) string { return vars[k] }, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "JIUZHU_WORKFLOW_PUBLICITY_PERIOD") {
		t.Fatalf("got %v", err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, &out, &out); err == nil {
		t.Fatal("unknown command accepted")
	}
}
