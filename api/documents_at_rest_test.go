package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// atRestStored reads an object as the blob store holds it.
func atRestStored(t *testing.T, env *apitest.Env, key string) []byte {
	t.Helper()
	rc, _, err := env.Backends.Blobs.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b
}

// atRestRow returns the row of a document.
func atRestRow(t *testing.T, env *apitest.Env, id string) model.Document {
	t.Helper()
	d, err := env.Backends.DB.Document(context.Background(), id)
	if err != nil {
		t.Fatalf("document %s: %v", id, err)
	}
	return d
}

// TestDocumentsEncryptedAtRest: the blob store (local disk and S3) holds
// only ciphertext, the recorded sha256 is that of the plaintext, the
// resident and staff get the plaintext streamed through the API (never a
// link to the store), altered ciphertext never reads as a document, and a
// document stored in clear before encryption still reads.
func TestDocumentsEncryptedAtRest(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		c := wfSubmitted(t, env, "330502001001", 1)
		cw := wfDemo(t, env, "community").Token
		plain := jpegFile
		sum := sha256.Sum256(plain)

		row := atRestRow(t, env, c.Docs[0])
		if row.SealedKey == "" || row.SHA256 != hex.EncodeToString(sum[:]) || row.Size != int64(len(plain)) {
			t.Fatalf("row: sealed %q, sha256 %s, size %d", row.SealedKey, row.SHA256, row.Size)
		}
		stored := atRestStored(t, env, row.BlobKey)
		if bytes.Contains(stored, plain[:16]) || bytes.Contains(stored, plain[len(plain)-64:]) {
			t.Fatal("the blob store holds the document in clear")
		}

		read := func(token, path string) *apitest.Response {
			t.Helper()
			r := env.Get(path, token)
			apitest.Want(t, r, http.StatusOK)
			return r
		}
		residentPath := "/api/v1/applications/" + c.ID + "/documents/" + c.Docs[0] + "/content"
		staffPath := "/api/v1/staff/documents/" + c.Docs[0] + "/content"
		for _, r := range []*apitest.Response{read(c.Resident, residentPath), read(cw, staffPath)} {
			if !bytes.Equal(r.Body, plain) || r.Header.Get("Content-Type") != "image/jpeg" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("read %d bytes (%v), want the plaintext", len(r.Body), r.Header)
			}
		}

		// Altered ciphertext does not read as the document.
		tampered := bytes.Clone(stored)
		tampered[len(tampered)/2] ^= 0x01
		if _, err := env.Backends.Blobs.Put(ctx, row.BlobKey, bytes.NewReader(tampered), storage.PutOptions{Size: int64(len(tampered))}); err != nil {
			t.Fatal(err)
		}
		if r := env.Get(staffPath, cw); r.Status == http.StatusOK && len(r.Body) == len(plain) {
			t.Fatal("altered ciphertext was served as a whole document")
		}

		// A document stored in clear before encryption (a row without a
		// sealed key) reads as stored.
		legacy := atRestRow(t, env, c.Docs[1])
		legacy.ID, legacy.BlobKey, legacy.SealedKey, legacy.Kind = legacy.ID[:20]+"LEGACY", legacy.BlobKey+"-legacy", "", model.DocOther
		if _, err := env.Backends.Blobs.Put(ctx, legacy.BlobKey, bytes.NewReader(plain), storage.PutOptions{Size: int64(len(plain))}); err != nil {
			t.Fatal(err)
		}
		if err := env.Backends.DB.CreateDocument(ctx, &legacy); err != nil {
			t.Fatal(err)
		}
		legacyPath := "/api/v1/applications/" + c.ID + "/documents/" + legacy.ID + "/content"
		for _, r := range []*apitest.Response{read(c.Resident, legacyPath), read(cw, "/api/v1/staff/documents/"+legacy.ID+"/content")} {
			if !bytes.Equal(r.Body, plain) {
				t.Fatalf("clear document read as %d bytes", len(r.Body))
			}
		}
	})
}
