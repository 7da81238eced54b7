package service_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

var docPhones atomic.Int64

// docDraft logs a new resident in, registers a household of one and opens a
// dibao draft; it returns the token and the application id.
func docDraft(t *testing.T, env *apitest.Env) (token, appID string) {
	t.Helper()
	phone := fmt.Sprintf("137%08d", 55_000_000+docPhones.Add(1))
	apitest.Want(t, env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": phone}), http.StatusAccepted)
	r := env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": env.App.Outbox().List(phone)[0].Code})
	apitest.Want(t, r, http.StatusCreated)
	token = r.Map(t)["token"].(string)
	first := fmt.Sprintf("33050219800101%03d", docPhones.Load()%1000)
	member := map[string]any{"name": "李四", "id_number": first + string(model.IDCheckChar(first)), "relation": "self", "monthly_income": 50000}
	apitest.Want(t, env.Put("/api/v1/me/household", token, map[string]any{"region_code": "330502001001",
		"address": "湖州市吴兴区月河街道南门社区1幢", "hukou": "urban", "members": []any{member}}), http.StatusOK)
	r = env.Post("/api/v1/applications", token, map[string]string{"program": "dibao", "reason": "收入低"})
	apitest.Want(t, r, http.StatusCreated)
	return token, r.Map(t)["id"].(string)
}

// docUpload posts a small JPEG as an id_card document.
func docUpload(t *testing.T, env *apitest.Env, token, appID string) *apitest.Response {
	t.Helper()
	body, ct := apitest.Multipart(t, map[string]string{"kind": "id_card"}, "id.jpg", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, bytes.Repeat([]byte{7}, 3000)...))
	return env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + appID + "/documents", Token: token,
		Body: body, Header: map[string]string{"Content-Type": ct}})
}

// TestUploadAfterAmbiguousCommit: an upload whose commit reports a failure
// deletes its stored object only when the document row is known absent. A
// commit that went through but whose answer was lost keeps the object (and
// the upload stands); a transaction that really rolled back deletes it.
func TestUploadAfterAmbiguousCommit(t *testing.T) {
	t.Parallel()
	lost := model.Unavailable("database", errors.New("injected: connection lost while committing"))
	cases := []struct {
		name string
		// committed says whether the injected failure comes after a real
		// commit (its answer lost) or instead of it (rolled back).
		committed  bool
		wantStatus int
	}{
		{"commit answer lost", true, http.StatusCreated},
		{"rolled back", false, http.StatusServiceUnavailable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			apitest.Run(t, func(t *testing.T, env *apitest.Env) {
				token, appID := docDraft(t, env)
				db := env.Backends.DB
				var keys []string
				service.SetDocumentsTx(env.App.Documents, func(ctx context.Context, fn func(context.Context) error) error {
					err := db.InTx(ctx, func(ctx context.Context) error {
						if err := fn(ctx); err != nil {
							return err
						}
						docs, err := db.Documents(ctx, appID)
						for _, d := range docs {
							keys = append(keys, d.BlobKey)
						}
						if !tc.committed {
							return lost
						}
						return err
					})
					if err != nil {
						return err
					}
					return lost
				})
				r := docUpload(t, env, token, appID)
				apitest.Want(t, r, tc.wantStatus)
				if len(keys) != 1 {
					t.Fatalf("saw %d document rows inside the transaction, want 1", len(keys))
				}
				docs, err := db.Documents(context.Background(), appID)
				if err != nil {
					t.Fatal(err)
				}
				_, statErr := env.Backends.Blobs.Stat(context.Background(), keys[0])
				switch {
				case tc.committed && len(docs) != 1:
					t.Fatalf("%d rows after a lost commit answer, want 1", len(docs))
				case tc.committed && statErr != nil:
					t.Fatalf("the object of a committed row is gone: %v", statErr)
				case !tc.committed && len(docs) != 0:
					t.Fatalf("%d rows after a rollback, want 0", len(docs))
				case !tc.committed && !errors.Is(statErr, model.ErrNotFound):
					t.Fatalf("the object of a rolled-back upload is still there (stat: %v)", statErr)
				}
				if tc.committed {
					// The resident can read what was stored.
					apitest.Want(t, env.Get("/api/v1/applications/"+appID+"/documents/"+docs[0].ID+"/content", token), http.StatusOK)
				}
			})
		})
	}
}
