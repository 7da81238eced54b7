package api_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// gapObjects lists the stored objects of an application's documents, by
// looking into the blob store itself (the local directory or the bucket).
func gapObjects(t *testing.T, env *apitest.Env, appID string) []string {
	t.Helper()
	prefix := "documents/" + appID + "/"
	var keys []string
	if env.Config.S3Endpoint == "" {
		dir := filepath.Join(env.Config.BlobDir(), filepath.FromSlash(prefix))
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !strings.HasPrefix(d.Name(), ".") { // sidecars and temp files start with a dot
				keys = append(keys, prefix+d.Name())
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("list %s: %v", dir, err)
		}
		return keys
	}
	client, err := minio.New(env.Config.S3Endpoint, &minio.Options{
		Creds:  credentials.NewStaticV4(env.Config.S3AccessKey, env.Config.S3SecretKey, ""),
		Secure: env.Config.S3UseSSL, Region: env.Config.S3Region,
	})
	if err != nil {
		t.Fatalf("s3 client: %v", err)
	}
	for obj := range client.ListObjects(context.Background(), env.Config.S3Bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			t.Fatalf("list bucket: %v", obj.Err)
		}
		keys = append(keys, obj.Key)
	}
	return keys
}

// gapDocumentCount counts the documents the resident sees on an
// application.
func gapDocumentCount(t *testing.T, env *apitest.Env, token, appID string) int {
	t.Helper()
	var app struct {
		Documents []struct{} `json:"documents"`
	}
	r := env.Get("/api/v1/applications/"+appID, token)
	apitest.Want(t, r, http.StatusOK)
	r.JSON(t, &app)
	return len(app.Documents)
}

// gapSlowUpload starts an upload of a JPEG whose body arrives in two
// parts. It returns once the server has begun reading the file (so the
// upload is past every check made before the body is read); finish sends
// the rest and returns the response.
func gapSlowUpload(t *testing.T, env *apitest.Env, token, appID, kind string) (finish func() *apitest.Response) {
	t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan *apitest.Response, 1)
	go func() {
		done <- env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + appID + "/documents", Token: token,
			Body: pr, Header: map[string]string{"Content-Type": mw.FormDataContentType()}})
	}()
	if err := mw.WriteField("kind", kind); err != nil {
		t.Fatalf("write kind: %v", err)
	}
	part, err := mw.CreateFormFile("file", "slow.jpg")
	if err != nil {
		t.Fatalf("create file part: %v", err)
	}
	// A pipe write returns only once the server has read it.
	if _, err := part.Write(jpegFile[:1000]); err != nil {
		t.Fatalf("write head: %v", err)
	}
	return func() *apitest.Response {
		t.Helper()
		go func() {
			_, err := part.Write(jpegFile[1000:])
			if err == nil {
				err = mw.Close()
			}
			_ = pw.CloseWithError(err)
		}()
		return <-done
	}
}

// TestUploadObjectDeletedWhenRowNotWritten: when the document row cannot be
// written after the file is stored — the application was submitted, or
// filled up, while the file was arriving — the upload is refused and the
// stored object is deleted again.
func TestUploadObjectDeletedWhenRowNotWritten(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// meanwhile runs while the upload's file is arriving.
		meanwhile func(t *testing.T, env *apitest.Env, token, appID string)
		code      string
	}{
		{"submitted meanwhile", func(t *testing.T, env *apitest.Env, token, appID string) {
			apitest.Want(t, env.Post("/api/v1/applications/"+appID+"/submit", token, nil), http.StatusOK)
		}, "documents_closed"},
		{"limit reached meanwhile", func(t *testing.T, env *apitest.Env, token, appID string) {
			apitest.Want(t, upload(t, env, token, appID, "other", "last.png", pngFile), http.StatusCreated)
		}, "too_many_documents"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			apitest.Run(t, func(t *testing.T, env *apitest.Env) {
				token, _ := resident(t, env)
				appID := createApp(t, env, token, "dibao")
				uploadRequired(t, env, token, appID)
				want := 4 // the required documents
				if tc.code == "too_many_documents" {
					// One short of the limit of 50 documents.
					for ; want < 49; want++ {
						apitest.Want(t, upload(t, env, token, appID, "other", "o.jpg", jpegFile), http.StatusCreated)
					}
					want++ // the upload made meanwhile
				}

				// The listing sees the stored objects (or this test could not fail).
				if objs := gapObjects(t, env, appID); len(objs) != gapDocumentCount(t, env, token, appID) {
					t.Fatalf("listed %v before the slow upload", objs)
				}
				finish := gapSlowUpload(t, env, token, appID, "other")
				tc.meanwhile(t, env, token, appID)
				r := finish()
				apitest.Want(t, r, http.StatusConflict)
				if r.ErrorCode() != tc.code {
					t.Fatalf("code %q, want %q", r.ErrorCode(), tc.code)
				}

				if n := gapDocumentCount(t, env, token, appID); n != want {
					t.Fatalf("%d document rows, want %d", n, want)
				}
				if objs := gapObjects(t, env, appID); len(objs) != want {
					t.Fatalf("%d objects in the blob store for %d document rows: the refused upload left its object behind", len(objs), want)
				}
			})
		})
	}
}
