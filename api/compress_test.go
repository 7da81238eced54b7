package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/web"
)

// decode undoes a Content-Encoding (none, br or gzip).
func decode(t *testing.T, what, encoding string, body []byte) []byte {
	t.Helper()
	var r io.Reader
	switch encoding {
	case "":
		return body
	case "br":
		r = brotli.NewReader(bytes.NewReader(body))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: not gzip: %v", what, err)
		}
		r = zr
	default:
		t.Fatalf("%s: unexpected Content-Encoding %q", what, encoding)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: bad %s body: %v", what, encoding, err)
	}
	return out
}

type fetched struct {
	res  *http.Response
	body []byte // as sent
}

func fetch(t *testing.T, h http.Handler, method, path string, header map[string]string) fetched {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return fetched{res: rec.Result(), body: rec.Body.Bytes()}
}

// TestResponsesAreCompressed: the portal's files and the JSON answers go
// in brotli or gzip as the client prefers, and decode to the same bytes
// as the plain answer; a client without Accept-Encoding (or refusing
// both) gets them plain; Vary is set either way.
func TestResponsesAreCompressed(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	index := fetch(t, env.Handler, http.MethodGet, "/", nil)
	asset := regexp.MustCompile(`/assets/[^"]+\.js`).FindString(string(index.body))
	css := regexp.MustCompile(`/assets/[^"]+\.css`).FindString(string(index.body))
	if asset == "" || css == "" {
		t.Fatalf("index.html names no script or style: %.300s", index.body)
	}
	cases := []struct {
		accept, want string
	}{
		{"", ""},
		{"identity", ""},
		{"gzip", "gzip"},
		{"br", "br"},
		{"gzip, deflate, br, zstd", "br"},
		{"gzip;q=1, br;q=0.5", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"gzip;q=0, br;q=0", ""},
		{"*", "br"},
		{"*;q=0.1, gzip", "gzip"},
		{"deflate", ""},
		{"br;q=abc, gzip", "gzip"},
		{"br;q=2", ""},
		{",;q=, ;", ""},
		{"X-GZIP", "gzip"},
	}
	for _, path := range []string{"/", "/home", asset, css, "/sw.js", "/api/v1/programs", "/api/v1/regions"} {
		plain := fetch(t, env.Handler, http.MethodGet, path, nil)
		if plain.res.StatusCode != http.StatusOK || len(plain.body) < 1024 {
			t.Fatalf("%s: %d, %d bytes", path, plain.res.StatusCode, len(plain.body))
		}
		for _, tc := range cases {
			got := fetch(t, env.Handler, http.MethodGet, path, map[string]string{"Accept-Encoding": tc.accept})
			what := path + " Accept-Encoding " + strconv.Quote(tc.accept)
			if enc := got.res.Header.Get("Content-Encoding"); enc != tc.want {
				t.Errorf("%s: Content-Encoding %q, want %q", what, enc, tc.want)
			}
			if !strings.Contains(strings.Join(got.res.Header.Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("%s: Vary %q lacks Accept-Encoding", what, got.res.Header.Values("Vary"))
			}
			if body := decode(t, what, got.res.Header.Get("Content-Encoding"), got.body); !bytes.Equal(body, plain.body) {
				t.Errorf("%s: decodes to %d bytes, plain is %d", what, len(body), len(plain.body))
			}
			if cl := got.res.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(got.body)) {
				t.Errorf("%s: Content-Length %s for %d bytes", what, cl, len(got.body))
			}
		}
	}
}

// TestPortalFilesPrecompressed: a portal file goes as the build's own
// copy (Content-Length and a per-coding ETag of exactly those bytes, no
// second compression on top); a revalidation with that ETag is a 304;
// HEAD has GET's headers and no body; a range is of the plain file.
func TestPortalFilesPrecompressed(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	index := fetch(t, env.Handler, http.MethodGet, "/", nil)
	asset := regexp.MustCompile(`/assets/[^"]+\.js`).FindString(string(index.body))
	plain, err := fs.ReadFile(web.Dist(), strings.TrimPrefix(asset, "/"))
	if err != nil {
		t.Fatal(err)
	}
	etags := map[string]string{}
	for _, enc := range []string{"", "br", "gzip"} {
		hdr := map[string]string{"Accept-Encoding": enc}
		get := fetch(t, env.Handler, http.MethodGet, asset, hdr)
		if get.res.Header.Get("Content-Encoding") != enc {
			t.Fatalf("%q: Content-Encoding %q", enc, get.res.Header.Get("Content-Encoding"))
		}
		if ct := get.res.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
			t.Errorf("%q: Content-Type %q", enc, ct)
		}
		if enc != "" {
			want, err := fs.ReadFile(web.Dist(), strings.TrimPrefix(asset, "/")+map[string]string{"br": ".br", "gzip": ".gz"}[enc])
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(get.body, want) {
				t.Errorf("%q: %d bytes sent, the build's copy has %d (compressed again?)", enc, len(get.body), len(want))
			}
		}
		if cl := get.res.Header.Get("Content-Length"); cl != strconv.Itoa(len(get.body)) {
			t.Errorf("%q: Content-Length %q for %d bytes", enc, cl, len(get.body))
		}
		etag := get.res.Header.Get("ETag")
		if etag == "" || strings.HasPrefix(etag, "W/") {
			t.Errorf("%q: ETag %q, want a strong one", enc, etag)
		}
		for other, e := range etags {
			if e == etag {
				t.Errorf("codings %q and %q share ETag %s", enc, other, etag)
			}
		}
		etags[enc] = etag
		hdr["If-None-Match"] = etag
		if again := fetch(t, env.Handler, http.MethodGet, asset, hdr); again.res.StatusCode != http.StatusNotModified || len(again.body) != 0 {
			t.Errorf("%q: revalidation %d with %d bytes, want 304", enc, again.res.StatusCode, len(again.body))
		}
		delete(hdr, "If-None-Match")
		head := fetch(t, env.Handler, http.MethodHead, asset, hdr)
		if head.res.StatusCode != http.StatusOK || len(head.body) != 0 ||
			head.res.Header.Get("Content-Length") != get.res.Header.Get("Content-Length") ||
			head.res.Header.Get("Content-Encoding") != enc || head.res.Header.Get("ETag") != etag {
			t.Errorf("%q: HEAD %d, %d bytes, %v; GET had %v", enc, head.res.StatusCode, len(head.body), head.res.Header, get.res.Header)
		}
	}
	rng := fetch(t, env.Handler, http.MethodGet, asset, map[string]string{"Accept-Encoding": "br, gzip", "Range": "bytes=0-99"})
	if rng.res.StatusCode != http.StatusPartialContent || rng.res.Header.Get("Content-Encoding") != "" || !bytes.Equal(rng.body, plain[:100]) {
		t.Errorf("range: %d, Content-Encoding %q, %d bytes; want 206 of the plain file", rng.res.StatusCode, rng.res.Header.Get("Content-Encoding"), len(rng.body))
	}
	if r := fetch(t, env.Handler, http.MethodGet, asset, map[string]string{"Accept-Encoding": "br", "If-Match": `"other"`}); r.res.StatusCode != http.StatusPreconditionFailed || r.res.Header.Get("Content-Encoding") != "" {
		t.Errorf("failed If-Match: %d, Content-Encoding %q; want a plain 412", r.res.StatusCode, r.res.Header.Get("Content-Encoding"))
	}
	if r := fetch(t, env.Handler, http.MethodGet, asset+".br", nil); r.res.StatusCode != http.StatusNotFound {
		t.Errorf("the .br copy itself: %d, want 404", r.res.StatusCode)
	}
	// A conditional request for the JSON keeps working compressed: the
	// dynamic coder weakens no header it does not own and sends no 304.
	if r := fetch(t, env.Handler, http.MethodHead, "/api/v1/programs", map[string]string{"Accept-Encoding": "br"}); r.res.Header.Get("Content-Encoding") != "" {
		t.Errorf("HEAD of JSON compressed: %v", r.res.Header)
	}
}

// TestDistPrecompressed: every text file of the committed build of at
// least 1 KiB has its .br and .gz copies and they decode to the file (a
// build made without vite.config.js's precompress step fails here).
func TestDistPrecompressed(t *testing.T) {
	t.Parallel()
	dist := web.Dist()
	text := regexp.MustCompile(`\.(js|css|html|svg|json)$`)
	n := 0
	err := fs.WalkDir(dist, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !text.MatchString(name) {
			return err
		}
		raw, err := fs.ReadFile(dist, name)
		if err != nil || len(raw) < 1024 {
			return err
		}
		n++
		for enc, ext := range map[string]string{"br": ".br", "gzip": ".gz"} {
			c, err := fs.ReadFile(dist, name+ext)
			if err != nil {
				t.Errorf("%s: no %s copy (npm run build writes it)", name, ext)
				continue
			}
			if got := decode(t, name+ext, enc, c); !bytes.Equal(got, raw) {
				t.Errorf("%s%s is stale: decodes to %d bytes, the file has %d", name, ext, len(got), len(raw))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("only %d text files in web/dist", n)
	}
}
