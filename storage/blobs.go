package storage

import (
	"context"
	"io"
	"time"
)

// Blobs stores uploaded documents. Implementations: LocalBlobs (a directory
// under the data dir) and S3Blobs (minio-go). Errors are model errors:
// model.ErrNotFound for an absent key, model.ErrTooLarge when a Put exceeds
// its MaxSize (nothing is stored then), model.ErrUnavailable when the
// backend does not answer.
type Blobs interface {
	// Put stores r under key, streaming it; it never holds the whole object
	// in memory. It returns the stored size and the SHA-256 of the bytes.
	Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (BlobInfo, error)
	// Get opens the object for reading; the caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)
	// Stat describes the object without reading it.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// Delete removes the object; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn with the Key, Size and ModTime of every object whose
	// key starts with prefix ("" or ending in "/"), in no set order. It
	// stops at fn's first error and returns it. Objects stored or deleted
	// while it runs may or may not be seen.
	List(ctx context.Context, prefix string, fn func(BlobInfo) error) error
	// Ping checks that the backend answers (for /readyz).
	Ping(ctx context.Context) error
}

// PutOptions describe an upload.
type PutOptions struct {
	ContentType string
	// Size is the exact length when known, or -1.
	Size int64
	// MaxSize caps the stored length; 0 means no cap.
	MaxSize int64
	// SHA256 is the lower-case hex SHA-256 of the content when the caller
	// has computed it already (only with a known Size). A store whose other
	// end checks the body against it uses it instead of hashing again
	// (S3: it is the signed x-amz-content-sha256, which the server
	// verifies); the local store hashes anyway and compares. Either way a
	// body that does not match fails the Put with a model.ErrInvalid-kind
	// error and stores nothing.
	SHA256 string
}

// BlobInfo describes a stored object. SHA256 (lower-case hex) is set by Put.
type BlobInfo struct {
	Key         string
	Size        int64
	ContentType string
	SHA256      string
	ModTime     time.Time
}
