package service_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"github.com/jiuzhu/jiuzhu/storage"
)

// failingDeletes is a blob store whose deletes fail.
type failingDeletes struct{ storage.Blobs }

func (failingDeletes) Delete(context.Context, string) error {
	return errors.New("injected: blob store unreachable")
}

// TestDeleteLeavesObjectToSweepWhenBlobDeleteFails: a resident's delete
// whose object cannot be deleted after the commit still answers 204 (the
// row is gone), logs the key, and the orphan sweep removes the object once
// its grace period has passed.
func TestDeleteLeavesObjectToSweepWhenBlobDeleteFails(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		token, appID := docDraft(t, env)
		r := docUpload(t, env, token, appID)
		apitest.Want(t, r, http.StatusCreated)
		id := r.Map(t)["id"].(string)
		doc, err := env.Backends.DB.Document(ctx, id)
		if err != nil {
			t.Fatal(err)
		}

		service.SetDocumentsBlobs(env.App.Documents, failingDeletes{env.Backends.Blobs})
		r = env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/applications/" + appID + "/documents/" + id, Token: token})
		service.SetDocumentsBlobs(env.App.Documents, env.Backends.Blobs)
		apitest.Want(t, r, http.StatusNoContent)
		if _, err := env.Backends.DB.Document(ctx, id); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("row after the delete: %v", err)
		}
		if _, err := env.Backends.Blobs.Stat(ctx, doc.BlobKey); err != nil {
			t.Fatalf("object gone although its delete failed: %v", err)
		}
		if !strings.Contains(env.Logs.String(), doc.BlobKey) {
			t.Fatal("the object left behind is not logged")
		}

		env.Clock.Advance(25 * time.Hour)
		res, err := env.App.Documents.Sweep(ctx, time.Hour)
		if err != nil || res.Orphans != 1 {
			t.Fatalf("sweep: %+v, %v; want the one orphan", res, err)
		}
		if _, err := env.Backends.Blobs.Stat(ctx, doc.BlobKey); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("object after the sweep: %v", err)
		}
	})
}
