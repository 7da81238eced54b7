package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// serve starts an embedded-backend server (seeded demo data) on a local
// port for the browser; it closes when the test ends.
func serve(t *testing.T, opts ...apitest.Option) (*apitest.Env, *httptest.Server) {
	t.Helper()
	env := apitest.New(t, "embedded", opts...)
	srv := httptest.NewServer(env.Handler)
	t.Cleanup(srv.Close)
	return env, srv
}

// TestPortalServing: client routes get index.html (revalidated every time),
// hashed assets are cached for good, and a missing asset is a 404 rather
// than the page (so an old tab fails loudly instead of parsing HTML as JS).
func TestPortalServing(t *testing.T) {
	t.Parallel()
	_, srv := serve(t)
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(b)
	}

	res, index := get("/applications/01HXYZ")
	if res.StatusCode != http.StatusOK || !strings.Contains(index, `<div id="app">`) {
		t.Fatalf("client route: %d %.200s", res.StatusCode, index)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("index.html Cache-Control = %q, want no-cache", cc)
	}
	asset := regexp.MustCompile(`/assets/[^"]+\.js`).FindString(index)
	if asset == "" {
		t.Fatalf("index.html names no script: %.300s", index)
	}
	res, body := get(asset)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("%s: %d %s", asset, res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("asset Cache-Control = %q, want a long immutable cache", cc)
	}
	// Every chunk reachable from the entry is served, including the
	// "_"-named ones that a plain go:embed pattern would leave out.
	ref := regexp.MustCompile(`(?:\./|assets/)([A-Za-z0-9_.-]+\.(?:js|css))`)
	seen := map[string]bool{asset: true}
	queue := []string{body}
	for len(queue) > 0 {
		src := queue[0]
		queue = queue[1:]
		for _, m := range ref.FindAllStringSubmatch(src, -1) {
			p := "/assets/" + m[1]
			if seen[p] {
				continue
			}
			seen[p] = true
			r, b := get(p)
			if r.StatusCode != http.StatusOK {
				t.Errorf("chunk %s: %d", p, r.StatusCode)
				continue
			}
			queue = append(queue, b)
		}
	}
	if len(seen) < 5 {
		t.Errorf("only %d chunks reachable from the entry: %v", len(seen), seen)
	}
	if res, _ := get("/assets/gone-0000.js"); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing asset: %d, want 404", res.StatusCode)
	}
}
