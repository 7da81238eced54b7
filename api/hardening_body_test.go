package api_test

import (
	"io"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// countingReader yields size bytes of 'x' and counts what was read.
type countingReader struct {
	size int64
	read atomic.Int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	left := r.size - r.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	for i := range p {
		p[i] = 'x'
	}
	r.read.Add(int64(len(p)))
	return len(p), nil
}

// A JSON route must never read more than the JSON limit, whatever type the
// client declares and whatever middleware runs first (regression: the
// idempotency middleware read a 600 MiB "multipart" body into memory).
func TestNonUploadBodiesAreCappedWhateverTheirType(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token := login(t, env, newPhone())
		limit := env.Config.MaxJSONBytes
		cases := []struct {
			name, path, contentType string
			header                  map[string]string
		}{
			{"idempotent multipart", "/api/v1/applications", "multipart/form-data; boundary=x", map[string]string{"Idempotency-Key": "k-multipart"}},
			{"idempotent text", "/api/v1/applications", "text/plain", map[string]string{"Idempotency-Key": "k-text"}},
			{"idempotent json", "/api/v1/applications", "application/json", map[string]string{"Idempotency-Key": "k-json"}},
			{"plain multipart", "/api/v1/applications", "multipart/form-data; boundary=x", nil},
			{"household multipart", "/api/v1/me/household", "multipart/form-data; boundary=x", nil},
		}
		for _, tc := range cases {
			body := &countingReader{size: 64 << 20}
			h := map[string]string{"Content-Type": tc.contentType}
			for k, v := range tc.header {
				h[k] = v
			}
			method := http.MethodPost
			if tc.path == "/api/v1/me/household" {
				method = http.MethodPut
			}
			r := env.Do(apitest.Request{Method: method, Path: tc.path, Token: token, Body: body, Header: h, NoCheck: true})
			if r.Status != http.StatusRequestEntityTooLarge && r.Status != http.StatusUnsupportedMediaType {
				t.Errorf("%s: status %d, want 413 or 415: %s", tc.name, r.Status, r.Body)
			}
			if got := body.read.Load(); got > limit+64<<10 {
				t.Errorf("%s: the server read %d bytes of the body; the JSON limit is %d", tc.name, got, limit)
			}
		}
	})
}
