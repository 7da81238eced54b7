package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// quotaWant uploads a JPEG and checks the status and error code.
func quotaWant(t *testing.T, env *apitest.Env, token, appID string, status int, code string) *apitest.Response {
	t.Helper()
	r := upload(t, env, token, appID, "other", "x.jpg", jpegFile)
	apitest.Want(t, r, status)
	if code != "" && r.ErrorCode() != code {
		t.Fatalf("code %q, want %q", r.ErrorCode(), code)
	}
	return r
}

// TestDocumentQuotaPerResident: a resident's documents are counted across
// all their applications, by number (409) and by bytes (413), and
// withdrawing an application and opening a new one makes no room.
func TestDocumentQuotaPerResident(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, variable, value string
		fits                  int // JPEGs that fit
		status                int
		code                  string
	}{
		{"count", "JIUZHU_DOCUMENT_QUOTA_COUNT", "4", 4, http.StatusConflict, "document_quota_count"},
		{"bytes", "JIUZHU_DOCUMENT_QUOTA_BYTES", strconv.Itoa(3*len(jpegFile) + 100), 3, http.StatusRequestEntityTooLarge, "document_quota_bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			apitest.Run(t, func(t *testing.T, env *apitest.Env) {
				token, _ := resident(t, env)
				first := createApp(t, env, token, "dibao")
				for range tc.fits {
					quotaWant(t, env, token, first, http.StatusCreated, "")
				}
				quotaWant(t, env, token, first, tc.status, tc.code)

				apitest.Want(t, env.Post("/api/v1/applications/"+first+"/withdraw", token, nil), http.StatusOK)
				second := createApp(t, env, token, "dibao")
				quotaWant(t, env, token, second, tc.status, tc.code)

				// Another resident is not affected.
				other, _ := resident(t, env)
				quotaWant(t, env, other, createApp(t, env, other, "dibao"), http.StatusCreated, "")
			}, apitest.WithEnv(tc.variable, tc.value))
		})
	}
}

// TestDocumentUploadRate: uploads past the resident's rate answer 429 with
// Retry-After, before the body is stored.
func TestDocumentUploadRate(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		appID := createApp(t, env, token, "dibao")
		quotaWant(t, env, token, appID, http.StatusCreated, "")
		quotaWant(t, env, token, appID, http.StatusCreated, "")
		r := quotaWant(t, env, token, appID, http.StatusTooManyRequests, "upload_rate_limited")
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
		if n := gapDocumentCount(t, env, token, appID); n != 2 {
			t.Fatalf("%d documents stored, want 2", n)
		}
		other, _ := resident(t, env)
		quotaWant(t, env, other, createApp(t, env, other, "dibao"), http.StatusCreated, "")
	}, apitest.WithEnv("JIUZHU_DOCUMENT_UPLOADS_PER_HOUR", "2"))
}
