package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// TestResponsesAreGzipped: the portal's scripts and JSON answers
// are gzipped for a client that accepts it (and decode to the same bytes);
// a client that does not gets them plain; HEAD and ranges stay plain.
func TestResponsesAreGzipped(t *testing.T) {
	t.Parallel()
	env := apitest.New(t, "embedded")
	get := func(path string, header map[string]string) (*http.Response, []byte) {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		res := rec.Result()
		body := rec.Body.Bytes()
		if res.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("%s: not gzip: %v", path, err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: bad gzip: %v", path, err)
			}
		}
		return res, body
	}
	gz := map[string]string{"Accept-Encoding": "gzip, deflate, br"}
	_, index := get("/", nil)
	asset := regexp.MustCompile(`/assets/[^"]+\.js`).FindString(string(index))
	if asset == "" {
		t.Fatalf("no script in index.html")
	}
	// index.html is under minCompressBytes and stays plain.
	for _, path := range []string{asset, "/api/v1/programs", "/api/v1/regions"} {
		plainRes, plain := get(path, nil)
		zipRes, unzipped := get(path, gz)
		if plainRes.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: compressed for a client that did not ask", path)
		}
		if zipRes.Header.Get("Content-Encoding") != "gzip" || zipRes.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: Content-Encoding %q, Vary %q; want gzip", path, zipRes.Header.Get("Content-Encoding"), zipRes.Header.Get("Vary"))
		}
		if !bytes.Equal(plain, unzipped) || len(plain) == 0 {
			t.Errorf("%s: the gzipped body decodes to %d bytes, plain is %d", path, len(unzipped), len(plain))
		}
	}
	if res, _ := get(asset, map[string]string{"Accept-Encoding": "gzip", "Range": "bytes=0-99"}); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("a range request was compressed")
	}
	if res, _ := get(asset, map[string]string{"Accept-Encoding": "gzip;q=0"}); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 was compressed")
	}
}
