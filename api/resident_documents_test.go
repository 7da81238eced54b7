package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// uploadLimit is the upload limit these tests run with (small, to stay fast).
const uploadLimit = 64 << 10

func TestDocumentUploads(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		appID := createApp(t, env, token, "dibao")

		// A PDF named .jpg is stored as a PDF: the content decides.
		r := upload(t, env, token, appID, "income_proof", "scan.jpg", pdfFile)
		apitest.Want(t, r, http.StatusCreated)
		var doc struct {
			ID          string `json:"id"`
			Kind        string `json:"kind"`
			Size        int64  `json:"size"`
			SHA256      string `json:"sha256"`
			ContentType string `json:"content_type"`
			Status      string `json:"status"`
		}
		r.JSON(t, &doc)
		sum := sha256.Sum256(pdfFile)
		if doc.ContentType != "application/pdf" || doc.Size != int64(len(pdfFile)) || doc.SHA256 != hex.EncodeToString(sum[:]) || doc.Status != "pending" || doc.Kind != "income_proof" {
			t.Fatalf("document: %+v", doc)
		}
		// Download: the same bytes, as an attachment, never sniffed.
		r = env.Get("/api/v1/applications/"+appID+"/documents/"+doc.ID+"/content", token)
		apitest.Want(t, r, http.StatusOK)
		if !bytes.Equal(r.Body, pdfFile) {
			t.Fatal("downloaded bytes differ")
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || strings.Contains(cd, "scan.jpg") {
			t.Fatalf("Content-Disposition %q", cd)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Content-Type") != "application/pdf" || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("download headers: %v", r.Header)
		}
		apitest.Want(t, env.Get("/api/v1/applications/"+appID+"/documents/"+doc.ID, token), http.StatusOK)

		// PNG and HEIC photos by content.
		for _, c := range []struct {
			name, ct string
			body     []byte
		}{{"photo.PNG", "image/png", pngFile}, {"IMG_0001.HEIC", "image/heic", heicFile}, {"x", "image/jpeg", jpegFile}} {
			r := upload(t, env, token, appID, "id_card", c.name, c.body)
			apitest.Want(t, r, http.StatusCreated)
			if got := r.Map(t)["content_type"]; got != c.ct {
				t.Errorf("%s: content_type %v, want %s", c.name, got, c.ct)
			}
		}

		// An executable named .png, an HTML page and an empty file are refused.
		apitest.Want(t, upload(t, env, token, appID, "id_card", "photo.png", exeFile), http.StatusUnsupportedMediaType)
		apitest.Want(t, upload(t, env, token, appID, "id_card", "a.pdf", []byte("<html><script>alert(1)</script></html>")), http.StatusUnsupportedMediaType)
		apitest.Want(t, upload(t, env, token, appID, "id_card", "empty.jpg", nil), http.StatusUnprocessableEntity)
		// Bad kinds, no file, not multipart.
		apitest.Want(t, upload(t, env, token, appID, "selfie", "a.jpg", jpegFile), http.StatusUnprocessableEntity)
		apitest.Want(t, upload(t, env, token, appID, "id_card", "", nil), http.StatusUnprocessableEntity)
		r = env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + appID + "/documents", Token: token, Body: map[string]string{"kind": "id_card"}, NoCheck: true})
		apitest.Want(t, r, http.StatusUnsupportedMediaType)

		// Over the limit: 413, and nothing is recorded.
		big := append(append([]byte{}, jpegFile[:4]...), bytes.Repeat([]byte{7}, uploadLimit)...)
		apitest.Want(t, upload(t, env, token, appID, "other", "big.jpg", big), http.StatusRequestEntityTooLarge)
		exact := append(append([]byte{}, jpegFile[:4]...), bytes.Repeat([]byte{7}, uploadLimit-4)...)
		apitest.Want(t, upload(t, env, token, appID, "other", "exact.jpg", exact), http.StatusCreated)

		// A declared Content-Length over the limit is refused before the body is read.
		var read atomic.Bool
		req := httptest.NewRequest(http.MethodPost, "/api/v1/applications/"+appID+"/documents", readSpy{r: bytes.NewReader(make([]byte, 1024)), read: &read})
		req.ContentLength = 100 << 20
		req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("declared 100 MiB: status %d", rec.Code)
		}
		if read.Load() {
			t.Fatal("the body was read before the 413")
		}

		var app struct {
			Documents []struct{ ID string } `json:"documents"`
		}
		env.Get("/api/v1/applications/"+appID, token).JSON(t, &app)
		if len(app.Documents) != 5 {
			t.Fatalf("%d documents, want 5", len(app.Documents))
		}

		// Another resident sees none of it: 404 everywhere.
		stranger, _ := resident(t, env)
		for _, path := range []string{
			"/api/v1/applications/" + appID,
			"/api/v1/applications/" + appID + "/documents/" + doc.ID,
			"/api/v1/applications/" + appID + "/documents/" + doc.ID + "/content",
		} {
			apitest.Want(t, env.Get(path, stranger), http.StatusNotFound)
		}
		apitest.Want(t, upload(t, env, stranger, appID, "id_card", "a.jpg", jpegFile), http.StatusNotFound)
		apitest.Want(t, env.Post("/api/v1/applications/"+appID+"/submit", stranger, nil), http.StatusNotFound)
		apitest.Want(t, env.Post("/api/v1/applications/"+appID+"/withdraw", stranger, nil), http.StatusNotFound)
		strangerApp := createApp(t, env, stranger, "dibao")
		apitest.Want(t, env.Get("/api/v1/applications/"+strangerApp+"/documents/"+doc.ID, token), http.StatusNotFound)
		apitest.Want(t, env.Get("/api/v1/applications/nope", token), http.StatusNotFound)
	}, apitest.WithEnv("JIUZHU_MAX_UPLOAD_BYTES", "65536"))
}

// readSpy records whether anyone read from it.
type readSpy struct {
	r    io.Reader
	read *atomic.Bool
}

func (s readSpy) Read(p []byte) (int, error) {
	s.read.Store(true)
	return s.r.Read(p)
}
