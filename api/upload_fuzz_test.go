package api_test

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// FuzzUploadDocument sends arbitrary multipart bodies to the upload route
// of a real application: the answer is never a 5xx, an error is the API's
// error body with a code, and whatever is stored is one of the accepted
// types.
func FuzzUploadDocument(f *testing.F) {
	env := apitest.New(f, "embedded")
	token := login(f, env, newPhone())
	apitest.Want(f, env.Put("/api/v1/me/household", token, household(makeID("19800101", true))), http.StatusOK)
	path := "/api/v1/applications/" + createApp(f, env, token, "dibao") + "/documents"
	const boundary = "fuzzboundary"
	for _, seed := range []struct {
		fields   map[string]string
		filename string
		content  []byte
	}{
		{map[string]string{"kind": "id_card"}, "id.jpg", jpegFile},
		{map[string]string{"kind": "income_proof"}, "p.pdf", pdfFile},
		{map[string]string{"kind": "hukou_book"}, "h.png", pngFile},
		{map[string]string{"kind": "id_card"}, "x.exe", exeFile},
		{nil, "id.jpg", jpegFile},
	} {
		body, ct := apitest.Multipart(f, seed.fields, seed.filename, seed.content)
		// Re-frame with a fixed boundary so mutations keep a matching header.
		_, params, err := mime.ParseMediaType(ct)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.ReplaceAll(body.Bytes(), []byte(params["boundary"]), []byte(boundary)))
	}
	f.Add([]byte("--" + boundary + "--\r\n"))
	f.Add([]byte{})
	accepted := map[string]bool{"image/jpeg": true, "image/png": true, "application/pdf": true, "image/heic": true}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		req.RemoteAddr = "192.0.2.10:40000"
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("upload answered %d: %s", rec.Code, rec.Body.Bytes())
		}
		var got struct {
			ContentType string `json:"content_type"`
			Error       *struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatalf("upload answered %d with a body that is not JSON: %q", rec.Code, rec.Body.Bytes())
		}
		switch {
		case rec.Code == http.StatusCreated && !accepted[got.ContentType]:
			t.Fatalf("stored a document of type %q", got.ContentType)
		case rec.Code != http.StatusCreated && (got.Error == nil || got.Error.Code == ""):
			t.Fatalf("upload answered %d without an error code: %s", rec.Code, rec.Body.Bytes())
		}
	})
}
