package api_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// sweepKeys returns the blob keys of an application's document rows.
func sweepKeys(t *testing.T, env *apitest.Env, appID string) []string {
	t.Helper()
	docs, err := env.Backends.DB.Documents(context.Background(), appID)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range docs {
		keys = append(keys, d.BlobKey)
	}
	return keys
}

// sweepExists reports whether the blob store holds key.
func sweepExists(t *testing.T, env *apitest.Env, key string) bool {
	t.Helper()
	_, err := env.Backends.Blobs.Stat(context.Background(), key)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("stat %s: %v", key, err)
	}
	return err == nil
}

// TestDocumentSweep: the scheduled sweep deletes the documents (row and
// object, audited as a system action) of withdrawn and rejected cases
// decided longer ago than the retention period, keeps those of open and of
// recently closed cases, deletes old objects no row refers to, removes the
// spool files of killed uploads, and runs its shared part once per period.
func TestDocumentSweep(t *testing.T) {
	t.Parallel()
	spool := t.TempDir()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		// Closed long ago: withdrawn by the resident, rejected by the street.
		withdrawnTok, _ := resident(t, env)
		withdrawn := createApp(t, env, withdrawnTok, "dibao")
		uploadRequired(t, env, withdrawnTok, withdrawn)
		apitest.Want(t, env.Post("/api/v1/applications/"+withdrawn+"/withdraw", withdrawnTok, nil), http.StatusOK)
		rejected := wfSubmitted(t, env, "330502001001", 1)
		wfAct(t, env, wfDemo(t, env, "street").Token, rejected.ID, "reject", "材料不实", http.StatusOK)
		// Open: a draft.
		openTok, _ := resident(t, env)
		open := createApp(t, env, openTok, "dibao")
		uploadRequired(t, env, openTok, open)
		// An object without a row, and spool files (one of a killed upload).
		orphan := "documents/" + withdrawn + "x/0123456789abcdef"
		if _, err := env.Backends.Blobs.Put(ctx, orphan, bytes.NewReader([]byte("lost")), storage.PutOptions{Size: 4}); err != nil {
			t.Fatal(err)
		}
		killed := filepath.Join(spool, "jiuzhu-upload-12345")
		unrelated := filepath.Join(spool, "someone-else")
		for _, f := range []string{killed, unrelated} {
			if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}

		env.Clock.Advance(181 * 24 * time.Hour)
		// Closed just now: kept.
		recentTok, _ := resident(t, env)
		recent := createApp(t, env, recentTok, "dibao")
		uploadRequired(t, env, recentTok, recent)
		apitest.Want(t, env.Post("/api/v1/applications/"+recent+"/withdraw", recentTok, nil), http.StatusOK)

		purged := append(sweepKeys(t, env, withdrawn), sweepKeys(t, env, rejected.ID)...)
		kept := append(sweepKeys(t, env, open), sweepKeys(t, env, recent)...)
		if len(purged) != 8 || len(kept) != 8 {
			t.Fatalf("%d and %d documents before the sweep", len(purged), len(kept))
		}

		res, err := env.App.Documents.Sweep(ctx, time.Hour)
		if err != nil {
			t.Fatalf("sweep: %v", err)
		}
		if res.Skipped || res.Purged != 8 || res.Orphans != 1 || res.SpoolFiles != 1 {
			t.Fatalf("sweep: %+v", res)
		}
		if n := len(sweepKeys(t, env, withdrawn)) + len(sweepKeys(t, env, rejected.ID)); n != 0 {
			t.Fatalf("%d rows of closed cases left", n)
		}
		for _, k := range append(purged, orphan) {
			if sweepExists(t, env, k) {
				t.Errorf("object %s left behind", k)
			}
		}
		for _, k := range kept {
			if !sweepExists(t, env, k) {
				t.Errorf("object %s of a kept document deleted", k)
			}
		}
		if _, err := os.Stat(killed); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("spool file of a killed upload left: %v", err)
		}
		if _, err := os.Stat(unrelated); err != nil {
			t.Errorf("unrelated file removed: %v", err)
		}

		// Audited as a system action, in the case's region.
		r := env.Get("/api/v1/staff/audit?action=document.purge&limit=100", wfDemo(t, env, "auditor").Token)
		apitest.Want(t, r, http.StatusOK)
		var audit struct {
			Items []struct {
				ActorRole  string `json:"actor_role"`
				RegionCode string `json:"region_code"`
			} `json:"items"`
		}
		r.JSON(t, &audit)
		if len(audit.Items) != 8 || audit.Items[0].ActorRole != "system" || audit.Items[0].RegionCode != "330502001001" {
			t.Fatalf("purge audit: %+v", audit.Items)
		}

		// Once per period across instances.
		res, err = env.App.Documents.Sweep(ctx, time.Hour)
		if err != nil || !res.Skipped {
			t.Fatalf("second sweep in the period: %+v, %v", res, err)
		}
	}, apitest.WithEnv("JIUZHU_UPLOAD_SPOOL_DIR", spool))
}
