package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
)

// FuzzBindJSON: whatever the body and declared type, bindJSON either
// fills the struct (which then encodes again) or answers a model error of
// a 4xx kind (400, 413 or 415), never an internal one.
func FuzzBindJSON(f *testing.F) {
	for _, s := range []string{`{"phone":"13912345678","code":"123456"}`, `{"items":{"misc_fee":100}}`, ``, `{`, `[]`, `null`,
		`{"a":1}{"b":2}`, `{"members":[{"name":"王","monthly_income":1e400}]}`, "\xff\xfe", `{"phone":12}`, `"x"`} {
		f.Add([]byte(s), "application/json")
	}
	f.Add([]byte(`{"phone":"1"}`), "text/plain")
	f.Add([]byte(`--b\r\n`), "multipart/form-data; boundary=b")
	type target struct {
		Phone   string            `json:"phone"`
		Code    string            `json:"code"`
		Items   map[string]int64  `json:"items"`
		Members []map[string]any  `json:"members"`
		Flags   map[string]bool   `json:"flags"`
		Extra   *json.RawMessage  `json:"extra"`
		Labels  map[string]string `json:"labels"`
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodPost, "/x", bytes.NewReader(body))
		c.Request.Header.Set("Content-Type", contentType)
		c.Request.Body = http.MaxBytesReader(rec, c.Request.Body, 1<<10)
		var v target
		err := bindJSON(c, &v)
		if err == nil {
			if _, err := json.Marshal(v); err != nil {
				t.Fatalf("bound %q but cannot encode the result: %v", body, err)
			}
			return
		}
		var me *model.Error
		if !errors.As(err, &me) {
			t.Fatalf("bindJSON(%q, %q) = %v, not a model error", body, contentType, err)
		}
		if status := statusOf(me.Kind); status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge && status != http.StatusUnsupportedMediaType {
			t.Fatalf("bindJSON(%q, %q) = %v: status %d, want 400, 413 or 415", body, contentType, err, status)
		}
	})
}
