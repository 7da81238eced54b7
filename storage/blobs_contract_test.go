package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

const mib = 1 << 20

// testBlobs is the contract every Blobs backend must meet. newBlobs returns
// a store for one subtest; stores from different calls may share their
// contents (one S3 bucket), so every subtest writes under its own keys.
func testBlobs(t *testing.T, newBlobs func(t *testing.T) Blobs) {
	t.Helper()

	t.Run("round trip", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		tests := []struct {
			name        string
			key         string
			body        []byte
			contentType string
			unknownSize bool
			wantType    string
		}{
			{name: "text", key: "note.txt", body: []byte("救助申请"), contentType: "text/plain; charset=utf-8", wantType: "text/plain; charset=utf-8"},
			{name: "empty", key: "empty.bin", body: []byte{}, contentType: "application/pdf", wantType: "application/pdf"},
			{name: "no content type", key: "raw", body: []byte("raw bytes"), wantType: defaultContentType},
			{name: "nested key", key: "applications/42/documents/id-card.jpg", body: patterned(3000), contentType: "image/jpeg", wantType: "image/jpeg"},
			{name: "non-ASCII key", key: "申请/户口本 扫描.pdf", body: patterned(100), contentType: "application/pdf", wantType: "application/pdf"},
			{name: "unknown size", key: "stream.bin", body: patterned(70_000), contentType: "application/octet-stream", unknownSize: true, wantType: "application/octet-stream"},
			{name: "unknown size empty", key: "stream-empty.bin", body: []byte{}, unknownSize: true, wantType: defaultContentType},
			{name: "unknown size over one part", key: "big-stream.bin", body: patterned(6 * mib), unknownSize: true, wantType: defaultContentType},
			{name: "known size over one part", key: "big.bin", body: patterned(6 * mib), contentType: "application/zip", wantType: "application/zip"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				key := blobKey(t, tt.key)
				size := int64(len(tt.body))
				if tt.unknownSize {
					size = -1
				}
				info, err := b.Put(ctx, key, onlyReader(tt.body), PutOptions{ContentType: tt.contentType, Size: size, MaxSize: 10 * mib})
				if err != nil {
					t.Fatalf("Put: %v", err)
				}
				want := BlobInfo{Key: key, Size: int64(len(tt.body)), ContentType: tt.wantType, SHA256: sha256Hex(tt.body)}
				info.ModTime = time.Time{}
				if info != want {
					t.Errorf("Put info = %+v, want %+v", info, want)
				}

				st, err := b.Stat(ctx, key)
				if err != nil {
					t.Fatalf("Stat: %v", err)
				}
				checkInfo(t, "Stat", st, key, tt.body, tt.wantType)

				got, gi := getBytes(t, b, key)
				checkInfo(t, "Get", gi, key, tt.body, tt.wantType)
				if !bytes.Equal(got, tt.body) {
					t.Errorf("Get returned %d bytes (sha256 %s), want %d bytes (sha256 %s)", len(got), sha256Hex(got), len(tt.body), sha256Hex(tt.body))
				}
			})
		}
	})

	t.Run("list", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		ctx := t.Context()
		base := blobKey(t, "")
		stored := map[string]int{"a/1": 3, "a/b/2": 5, "ab": 7, "c": 0}
		for k, n := range stored {
			putBytes(t, b, base+k, patterned(n), "application/pdf")
		}
		list := func(prefix string) map[string]int {
			t.Helper()
			got := map[string]int{}
			err := b.List(ctx, base+prefix, func(info BlobInfo) error {
				if info.ModTime.IsZero() {
					t.Errorf("List(%q): %s has no ModTime", prefix, info.Key)
				}
				got[strings.TrimPrefix(info.Key, base)] = int(info.Size)
				return nil
			})
			if err != nil {
				t.Fatalf("List(%q): %v", prefix, err)
			}
			return got
		}
		for _, tt := range []struct {
			prefix string
			want   []string
		}{{"", []string{"a/1", "a/b/2", "ab", "c"}}, {"a/", []string{"a/1", "a/b/2"}}, {"a/b/", []string{"a/b/2"}}, {"none/", nil}} {
			got := list(tt.prefix)
			want := map[string]int{}
			for _, k := range tt.want {
				want[k] = stored[k]
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("List(%q) = %v, want %v", tt.prefix, got, want)
			}
		}
		if err := b.List(ctx, base+"a", func(BlobInfo) error { return nil }); !errors.Is(err, model.ErrInvalid) {
			t.Errorf("List of a prefix without a slash: error = %v, want model.ErrInvalid", err)
		}
		stop := errors.New("stop")
		calls := 0
		err := b.List(ctx, base, func(BlobInfo) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("List stopping at the first error: %v after %d calls", err, calls)
		}
	})

	t.Run("too large stores nothing", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		tests := []struct {
			name    string
			body    []byte
			size    int64
			maxSize int64
			// readable is false when the store must refuse before reading.
			readable bool
		}{
			{name: "declared size over max", body: patterned(101), size: 101, maxSize: 100},
			{name: "unknown size over max", body: patterned(101), size: -1, maxSize: 100, readable: true},
			{name: "unknown size far over max", body: patterned(mib), size: -1, maxSize: 1000, readable: true},
			{name: "unknown size over max after one part", body: patterned(6 * mib), size: -1, maxSize: 5*mib + 1000, readable: true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				key := blobKey(t, "doc.pdf")
				var r io.Reader = onlyReader(tt.body)
				if !tt.readable {
					r = unreadable{t}
				}
				_, err := b.Put(ctx, key, r, PutOptions{ContentType: "application/pdf", Size: tt.size, MaxSize: tt.maxSize})
				if !errors.Is(err, model.ErrTooLarge) {
					t.Fatalf("Put error = %v, want model.ErrTooLarge", err)
				}
				if _, err := b.Stat(ctx, key); !errors.Is(err, model.ErrNotFound) {
					t.Errorf("Stat after rejected Put: error = %v, want model.ErrNotFound", err)
				}
			})
		}
	})

	t.Run("exactly max size is accepted", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		for _, size := range []int64{100, -1} {
			key := blobKey(t, fmt.Sprintf("size%d", size))
			body := patterned(100)
			info, err := b.Put(t.Context(), key, onlyReader(body), PutOptions{Size: size, MaxSize: 100})
			if err != nil {
				t.Fatalf("Put with Size %d: %v", size, err)
			}
			if info.Size != 100 || info.SHA256 != sha256Hex(body) {
				t.Errorf("Put with Size %d: info = %+v, want 100 bytes with sha256 %s", size, info, sha256Hex(body))
			}
		}
	})

	t.Run("length differs from declared size", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		tests := []struct {
			name string
			body []byte
			size int64
		}{
			{name: "shorter", body: patterned(50), size: 100},
			{name: "longer", body: patterned(150), size: 100},
			{name: "empty but declared", body: []byte{}, size: 10},
			{name: "declared empty", body: patterned(5), size: 0},
			{name: "one byte over, at a chunk boundary", body: patterned(64<<10 + 1), size: 64 << 10},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := t.Context()
				key := blobKey(t, "doc")
				_, err := b.Put(ctx, key, onlyReader(tt.body), PutOptions{Size: tt.size, MaxSize: mib})
				if !errors.Is(err, model.ErrInvalid) {
					t.Fatalf("Put error = %v, want model.ErrInvalid", err)
				}
				if _, err := b.Stat(ctx, key); !errors.Is(err, model.ErrNotFound) {
					t.Errorf("Stat after rejected Put: error = %v, want model.ErrNotFound", err)
				}
			})
		}
	})

	t.Run("declared digest", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		body := patterned(200 << 10)
		ctx := t.Context()
		key := blobKey(t, "digest-ok")
		info, err := b.Put(ctx, key, onlyReader(body), PutOptions{ContentType: "application/octet-stream", Size: int64(len(body)), MaxSize: mib, SHA256: sha256Hex(body)})
		if err != nil {
			t.Fatalf("Put with its digest: %v", err)
		}
		info.ModTime = time.Time{} // a store may not report it on Put
		if want := (BlobInfo{Key: key, Size: int64(len(body)), ContentType: "application/octet-stream", SHA256: sha256Hex(body)}); info != want {
			t.Errorf("Put info = %+v, want %+v", info, want)
		}
		if got, _ := getBytes(t, b, key); !bytes.Equal(got, body) {
			t.Errorf("Get returned %d bytes, not the %d put", len(got), len(body))
		}
		tests := []struct {
			name   string
			digest string
			size   int64
		}{
			{name: "another body's digest", digest: sha256Hex(patterned(10)), size: int64(len(body))},
			{name: "not hex", digest: strings.Repeat("z", 64), size: int64(len(body))},
			{name: "upper case", digest: strings.ToUpper(sha256Hex(body)), size: int64(len(body))},
			{name: "without a size", digest: sha256Hex(body), size: -1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				key := blobKey(t, "digest-bad")
				_, err := b.Put(ctx, key, onlyReader(body), PutOptions{Size: tt.size, MaxSize: mib, SHA256: tt.digest})
				if !errors.Is(err, model.ErrInvalid) {
					t.Fatalf("Put error = %v, want model.ErrInvalid", err)
				}
				if _, err := b.Stat(ctx, key); !errors.Is(err, model.ErrNotFound) {
					t.Errorf("Stat after rejected Put: error = %v, want model.ErrNotFound", err)
				}
			})
		}
	})

	t.Run("failed overwrite keeps the previous object", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		tests := []struct {
			name    string
			body    io.Reader
			opts    PutOptions
			wantErr error
		}{
			{name: "longer than declared", body: onlyReader(patterned(300)), opts: PutOptions{Size: 200}, wantErr: model.ErrInvalid},
			{name: "shorter than declared", body: onlyReader(patterned(100)), opts: PutOptions{Size: 200}, wantErr: model.ErrInvalid},
			{name: "over max, unknown size", body: onlyReader(patterned(300)), opts: PutOptions{Size: -1, MaxSize: 200}, wantErr: model.ErrTooLarge},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				key := blobKey(t, "kept")
				old := []byte("the previous version")
				putBytes(t, b, key, old, "text/plain")
				if _, err := b.Put(t.Context(), key, tt.body, tt.opts); !errors.Is(err, tt.wantErr) {
					t.Fatalf("Put error = %v, want %v", err, tt.wantErr)
				}
				got, info := getBytes(t, b, key)
				if !bytes.Equal(got, old) {
					t.Errorf("after the failed Put, Get = %q, want %q", got, old)
				}
				checkInfo(t, "Get", info, key, old, "text/plain")
			})
		}
	})

	t.Run("reader failure stores nothing", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		for _, size := range []int64{2000, -1} {
			ctx := t.Context()
			key := blobKey(t, fmt.Sprintf("broken%d", size))
			errBroken := errors.New("client went away")
			r := io.MultiReader(onlyReader(patterned(1000)), failingReader{errBroken})
			_, err := b.Put(ctx, key, r, PutOptions{Size: size})
			if !errors.Is(err, errBroken) {
				t.Fatalf("Put with Size %d: error = %v, want the reader's error", size, err)
			}
			if _, err := b.Stat(ctx, key); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("Stat after failed Put: error = %v, want model.ErrNotFound", err)
			}
		}
	})

	t.Run("absent key", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		ctx := t.Context()
		for _, name := range []string{"never-stored", "no/such/dir/file"} {
			key := blobKey(t, name)
			if rc, _, err := b.Get(ctx, key); !errors.Is(err, model.ErrNotFound) {
				if rc != nil {
					_ = rc.Close()
				}
				t.Errorf("Get(%q) error = %v, want model.ErrNotFound", key, err)
			}
			if _, err := b.Stat(ctx, key); !errors.Is(err, model.ErrNotFound) {
				t.Errorf("Stat(%q) error = %v, want model.ErrNotFound", key, err)
			}
			if err := b.Delete(ctx, key); err != nil {
				t.Errorf("Delete(%q) of an absent key = %v, want nil", key, err)
			}
		}
	})

	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		ctx := t.Context()
		key := blobKey(t, "a/b/c.pdf")
		putBytes(t, b, key, []byte("to be deleted"), "application/pdf")
		if err := b.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if rc, _, err := b.Get(ctx, key); !errors.Is(err, model.ErrNotFound) {
			if rc != nil {
				_ = rc.Close()
			}
			t.Errorf("Get after Delete: error = %v, want model.ErrNotFound", err)
		}
		if _, err := b.Stat(ctx, key); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Stat after Delete: error = %v, want model.ErrNotFound", err)
		}
		if err := b.Delete(ctx, key); err != nil {
			t.Errorf("second Delete = %v, want nil", err)
		}
	})

	t.Run("overwrite", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		key := blobKey(t, "photo")
		putBytes(t, b, key, patterned(5000), "image/png")
		second := []byte("a shorter replacement")
		putBytes(t, b, key, second, "text/plain")
		got, info := getBytes(t, b, key)
		if !bytes.Equal(got, second) {
			t.Errorf("Get after overwrite = %q, want %q", got, second)
		}
		checkInfo(t, "Get", info, key, second, "text/plain")
	})

	t.Run("concurrent puts", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		const n = 16
		bodies := make([][]byte, n)
		for i := range bodies {
			bodies[i] = patterned(1000 + i*997)
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				size := int64(len(bodies[i]))
				if i%2 == 1 {
					size = -1
				}
				_, errs[i] = b.Put(t.Context(), blobKey(t, fmt.Sprintf("item/%02d", i)), onlyReader(bodies[i]), PutOptions{Size: size})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Put %d: %v", i, err)
			}
		}
		for i, want := range bodies {
			key := blobKey(t, fmt.Sprintf("item/%02d", i))
			if got, _ := getBytes(t, b, key); !bytes.Equal(got, want) {
				t.Errorf("Get(%q): %d bytes, want %d with sha256 %s", key, len(got), len(want), sha256Hex(want))
			}
		}
	})

	t.Run("invalid keys", func(t *testing.T) {
		t.Parallel()
		b := newBlobs(t)
		ctx := t.Context()
		keys := []string{
			"",
			"/etc/passwd",
			"../outside",
			"a/../../outside",
			"a/./b",
			"a//b",
			"trailing/",
			".hidden",
			"dir/.meta",
			`back\slash`,
			"nul\x00byte",
			"new\nline",
			strings.Repeat("k", maxBlobKeyLen+1),
		}
		for _, key := range keys {
			if _, err := b.Put(ctx, key, unreadable{t}, PutOptions{Size: -1}); !errors.Is(err, model.ErrInvalid) {
				t.Errorf("Put(%q) error = %v, want model.ErrInvalid", key, err)
			}
			if _, _, err := b.Get(ctx, key); !errors.Is(err, model.ErrInvalid) {
				t.Errorf("Get(%q) error = %v, want model.ErrInvalid", key, err)
			}
			if _, err := b.Stat(ctx, key); !errors.Is(err, model.ErrInvalid) {
				t.Errorf("Stat(%q) error = %v, want model.ErrInvalid", key, err)
			}
			if err := b.Delete(ctx, key); !errors.Is(err, model.ErrInvalid) {
				t.Errorf("Delete(%q) error = %v, want model.ErrInvalid", key, err)
			}
		}
	})

	t.Run("ping", func(t *testing.T) {
		t.Parallel()
		if err := newBlobs(t).Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

func TestLocalBlobs(t *testing.T) {
	t.Parallel()
	newLocal := func(t *testing.T) Blobs {
		t.Helper()
		b, err := NewLocalBlobs(t.TempDir())
		if err != nil {
			t.Fatalf("NewLocalBlobs: %v", err)
		}
		return b
	}
	testBlobs(t, newLocal)

	t.Run("failed puts leave no files", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		b, err := NewLocalBlobs(dir)
		if err != nil {
			t.Fatalf("NewLocalBlobs: %v", err)
		}
		ctx := t.Context()
		_, err = b.Put(ctx, "a/big", onlyReader(patterned(5000)), PutOptions{Size: -1, MaxSize: 1000})
		if !errors.Is(err, model.ErrTooLarge) {
			t.Fatalf("Put over MaxSize: error = %v, want model.ErrTooLarge", err)
		}
		_, err = b.Put(ctx, "a/short", onlyReader(patterned(10)), PutOptions{Size: 20})
		if !errors.Is(err, model.ErrInvalid) {
			t.Fatalf("Put shorter than Size: error = %v, want model.ErrInvalid", err)
		}
		putBytes(t, b, "a/kept", []byte("kept"), "text/plain")
		if err := b.Delete(ctx, "a/kept"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		var left []string
		err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				left = append(left, path)
			}
			return err
		})
		if err != nil {
			t.Fatalf("walk %s: %v", dir, err)
		}
		if len(left) > 0 {
			t.Errorf("files left behind: %q", left)
		}
	})

	t.Run("ping fails without the directory", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "blobs")
		b, err := NewLocalBlobs(dir)
		if err != nil {
			t.Fatalf("NewLocalBlobs: %v", err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Fatalf("remove %s: %v", dir, err)
		}
		if err := b.Ping(t.Context()); !errors.Is(err, model.ErrUnavailable) {
			t.Errorf("Ping error = %v, want model.ErrUnavailable", err)
		}
	})

	t.Run("not a directory", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "file")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := NewLocalBlobs(file); err == nil {
			t.Error("NewLocalBlobs on a file succeeded, want an error")
		}
	})
}

func TestS3Blobs(t *testing.T) {
	t.Parallel()
	cfg := newTestBucket(t)
	newS3 := func(t *testing.T) Blobs {
		t.Helper()
		b, err := NewS3Blobs(t.Context(), cfg)
		if err != nil {
			t.Fatalf("NewS3Blobs: %v", err)
		}
		return b
	}
	testBlobs(t, newS3)

	t.Run("oversized stream leaves no multipart upload", func(t *testing.T) {
		t.Parallel()
		b := newS3(t).(*S3Blobs)
		ctx := t.Context()
		key := blobKey(t, "big")
		_, err := b.Put(ctx, key, onlyReader(patterned(6*mib)), PutOptions{Size: -1, MaxSize: 5*mib + 1})
		if !errors.Is(err, model.ErrTooLarge) {
			t.Fatalf("Put error = %v, want model.ErrTooLarge", err)
		}
		for up := range b.client.ListIncompleteUploads(ctx, cfg.Bucket, key, true) {
			if up.Err != nil {
				t.Fatalf("list incomplete uploads: %v", up.Err)
			}
			t.Errorf("incomplete upload left behind: %+v", up)
		}
	})

	t.Run("missing bucket", func(t *testing.T) {
		t.Parallel()
		missing := cfg
		missing.Bucket = cfg.Bucket + "-missing"
		b, err := newS3Blobs(missing)
		if err != nil {
			t.Fatalf("newS3Blobs: %v", err)
		}
		if _, err := b.Stat(t.Context(), "x"); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("Stat in a missing bucket: error = %v, want model.ErrNotFound", err)
		}
		if err := b.Ping(t.Context()); !errors.Is(err, model.ErrUnavailable) {
			t.Errorf("Ping of a missing bucket: error = %v, want model.ErrUnavailable", err)
		}
	})
}

// BenchmarkS3BlobsPutMemory measures what 20 concurrent 10 MiB puts
// allocate (make bench): streaming PUTs allocate only per 64 KiB signing
// chunk (about 30 MiB in all), where a copy of each upload would be 200 MiB
// more; multipart uploads of unknown size buffer one 5 MiB part each, where
// minio-go's default part size for an unknown length would allocate about
// 10 GiB. It fails above the targets.
func BenchmarkS3BlobsPutMemory(b *testing.B) {
	cfg := newTestBucket(b)
	store, err := NewS3Blobs(b.Context(), cfg)
	if err != nil {
		b.Fatalf("NewS3Blobs: %v", err)
	}
	const (
		uploads = 20
		size    = 10 * mib
	)
	cases := []struct {
		name     string
		size     int64
		maxAlloc uint64
	}{
		{name: "known size", size: size, maxAlloc: 64 * mib},
		{name: "unknown size", size: -1, maxAlloc: uploads*s3UnknownSizePart + 80*mib},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			want := sha256Hex(patterned(size))
			for n := 0; n < b.N; n++ {
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				var wg sync.WaitGroup
				infos := make([]BlobInfo, uploads)
				errs := make([]error, uploads)
				for i := range uploads {
					wg.Go(func() {
						key := blobKey(b, fmt.Sprintf("u%02d-%d", i, n))
						infos[i], errs[i] = store.Put(b.Context(), key, &patternReader{left: size}, PutOptions{Size: tc.size, MaxSize: size})
					})
				}
				wg.Wait()
				runtime.ReadMemStats(&after)
				for i := range uploads {
					if errs[i] != nil {
						b.Fatalf("Put %d: %v", i, errs[i])
					}
					if infos[i].Size != size || infos[i].SHA256 != want {
						b.Errorf("Put %d: info = %+v, want %d bytes with sha256 %s", i, infos[i], size, want)
					}
				}
				alloc := after.TotalAlloc - before.TotalAlloc
				b.ReportMetric(float64(alloc)/mib, "MiB-alloc/20-puts")
				if alloc > tc.maxAlloc {
					b.Errorf("allocated %.1f MiB, want at most %.1f MiB", float64(alloc)/mib, float64(tc.maxAlloc)/mib)
				}
			}
		})
	}
}

// TestS3BlobsUnreachable points a store at a closed port: every call must
// fail fast as model.ErrUnavailable.
func TestS3BlobsUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	cfg := S3Config{Endpoint: addr, AccessKey: "key", SecretKey: "secret", Bucket: "jiuzhu", Region: "us-east-1"}
	b, err := newS3Blobs(cfg)
	if err != nil {
		t.Fatalf("newS3Blobs: %v", err)
	}
	tests := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{name: "NewS3Blobs", call: func(ctx context.Context) error { _, err := NewS3Blobs(ctx, cfg); return err }},
		{name: "Ping", call: b.Ping},
		{name: "Put known size", call: func(ctx context.Context) error {
			_, err := b.Put(ctx, "k", onlyReader([]byte("hello")), PutOptions{Size: 5})
			return err
		}},
		{name: "Put unknown size", call: func(ctx context.Context) error {
			_, err := b.Put(ctx, "k", onlyReader([]byte("hello")), PutOptions{Size: -1})
			return err
		}},
		{name: "Stat", call: func(ctx context.Context) error { _, err := b.Stat(ctx, "k"); return err }},
		{name: "Get", call: func(ctx context.Context) error { _, _, err := b.Get(ctx, "k"); return err }},
		{name: "Delete", call: func(ctx context.Context) error { return b.Delete(ctx, "k") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			if err := tt.call(ctx); !errors.Is(err, model.ErrUnavailable) {
				t.Errorf("error = %v, want model.ErrUnavailable", err)
			}
		})
	}
}

// newTestBucket creates a fresh bucket on the test S3 server and removes it,
// with everything in it, when the test ends.
func newTestBucket(t testing.TB) S3Config {
	t.Helper()
	env := storagetest.S3(t)
	var rnd [6]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		t.Fatalf("random bucket name: %v", err)
	}
	cfg := S3Config{
		Endpoint:  env.Endpoint,
		AccessKey: env.AccessKey,
		SecretKey: env.SecretKey,
		UseSSL:    env.UseSSL,
		Bucket:    "jiuzhu-test-" + hex.EncodeToString(rnd[:]),
	}
	b, err := NewS3Blobs(t.Context(), cfg)
	if err != nil {
		t.Fatalf("create bucket %s: %v", cfg.Bucket, err)
	}
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for up := range b.client.ListIncompleteUploads(ctx, cfg.Bucket, "", true) {
			if up.Err == nil {
				_ = b.client.RemoveIncompleteUpload(ctx, cfg.Bucket, up.Key)
			}
		}
		for obj := range b.client.ListObjects(ctx, cfg.Bucket, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err != nil {
				t.Errorf("list bucket %s: %v", cfg.Bucket, obj.Err)
				break
			}
			if err := b.client.RemoveObject(ctx, cfg.Bucket, obj.Key, minio.RemoveObjectOptions{}); err != nil {
				t.Errorf("remove %s/%s: %v", cfg.Bucket, obj.Key, err)
			}
		}
		if err := b.client.RemoveBucket(ctx, cfg.Bucket); err != nil {
			t.Errorf("remove bucket %s: %v", cfg.Bucket, err)
		}
	})
	return cfg
}

// blobKey makes a key unique to the running (sub)test, since S3 subtests
// share one bucket.
func blobKey(t testing.TB, name string) string {
	t.Helper()
	prefix := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '/', r == '-', r == '_':
			return r
		}
		return '-'
	}, t.Name())
	return prefix + "/" + name
}

// putBytes stores body under key with its size known, failing the test on
// error.
func putBytes(t *testing.T, b Blobs, key string, body []byte, contentType string) {
	t.Helper()
	if _, err := b.Put(t.Context(), key, onlyReader(body), PutOptions{ContentType: contentType, Size: int64(len(body))}); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// getBytes reads the object at key, failing the test on error.
func getBytes(t *testing.T, b Blobs, key string) ([]byte, BlobInfo) {
	t.Helper()
	rc, info, err := b.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	return got, info
}

// checkInfo compares what Stat or Get reported with what was stored.
func checkInfo(t *testing.T, op string, got BlobInfo, key string, body []byte, contentType string) {
	t.Helper()
	if got.Key != key || got.Size != int64(len(body)) || got.ContentType != contentType {
		t.Errorf("%s info = %+v, want key %q, size %d, content type %q", op, got, key, len(body), contentType)
	}
	if got.ModTime.IsZero() {
		t.Errorf("%s info has no ModTime", op)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// patterned returns n deterministic, non-repeating-looking bytes.
func patterned(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

// patternReader yields the same bytes as patterned(left) without holding
// them, so memory tests measure only the store.
type patternReader struct {
	off, left int64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	for j := range p {
		i := int(r.off) + j
		p[j] = byte(i*7 + i>>8)
	}
	r.off += int64(len(p))
	r.left -= int64(len(p))
	return len(p), nil
}

// onlyReader hides everything but Read (seeking, ReaderAt, WriterTo), like
// a request body.
func onlyReader(b []byte) io.Reader {
	return struct{ io.Reader }{bytes.NewReader(b)}
}

// unreadable fails the test when read: the store should have refused first.
type unreadable struct{ t *testing.T }

func (u unreadable) Read([]byte) (int, error) {
	u.t.Error("the store read a body it should have refused unread")
	return 0, errors.New("unreadable")
}

// failingReader fails every read with err.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }
