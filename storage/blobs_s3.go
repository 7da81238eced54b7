package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/jiuzhu/jiuzhu/model"
)

const (
	// s3UnknownSizePart is the part size for uploads of unknown length.
	// minio-go buffers one part per upload, and its default for an unknown
	// length is over 500 MiB; 5 MiB is S3's smallest allowed part.
	s3UnknownSizePart = 5 << 20
	// s3MaxSinglePut is S3's limit for one PUT. Uploads of known size up to
	// it stream in a single request with no buffering.
	s3MaxSinglePut = 5 << 30
)

// S3Config says where the S3-compatible store is and which bucket to use.
// Endpoint is host[:port] without a scheme; UseSSL selects https. An empty
// Region lets the client discover the bucket's region.
type S3Config struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	Region    string
	UseSSL    bool
}

// S3Blobs keeps blobs in one bucket of an S3-compatible store (MinIO, AWS,
// versitygw, …) through minio-go.
type S3Blobs struct {
	client    *minio.Client
	bucket    string
	region    string
	transport *s3Transport
}

var _ Blobs = (*S3Blobs)(nil)

// NewS3Blobs connects to the store and creates the bucket when it is
// missing. It returns a model.ErrUnavailable-kind error when the store does
// not answer, and a plain error for a bad configuration or a refused
// request (wrong credentials, say).
func NewS3Blobs(ctx context.Context, cfg S3Config) (*S3Blobs, error) {
	b, err := newS3Blobs(cfg)
	if err != nil {
		return nil, err
	}
	if err := b.ensureBucket(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

// newS3Blobs builds the client without talking to the store.
func newS3Blobs(cfg S3Config) (*S3Blobs, error) {
	if cfg.Endpoint == "" {
		return nil, errors.New("s3 blobs: endpoint is empty")
	}
	if cfg.Bucket == "" {
		return nil, errors.New("s3 blobs: bucket is empty")
	}
	base, err := minio.DefaultTransport(cfg.UseSSL)
	if err != nil {
		return nil, fmt.Errorf("s3 blobs: transport: %w", err)
	}
	tr := &s3Transport{base: base, bucket: cfg.Bucket}
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.UseSSL,
		Region:    cfg.Region,
		Transport: tr,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 blobs: client for %q: %w", cfg.Endpoint, err)
	}
	return &S3Blobs{client: client, bucket: cfg.Bucket, region: cfg.Region, transport: tr}, nil
}

// ensureBucket creates the bucket unless it exists; a concurrent creator
// winning the race is fine.
func (b *S3Blobs) ensureBucket(ctx context.Context) error {
	ok, err := b.client.BucketExists(ctx, b.bucket)
	if err != nil {
		return s3Err("check bucket", b.bucket, err)
	}
	if ok {
		return nil
	}
	err = b.client.MakeBucket(ctx, b.bucket, minio.MakeBucketOptions{Region: b.region})
	if err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && (resp.Code == "BucketAlreadyOwnedByYou" || resp.Code == "BucketAlreadyExists") {
			return nil
		}
		return s3Err("create bucket", b.bucket, err)
	}
	return nil
}

// Put streams r to the store while hashing it. A known Size up to 5 GiB goes
// out as one streaming PUT with nothing buffered; an unknown Size (-1) goes
// as a multipart upload in 5 MiB parts, one part buffered at a time, and a
// larger known Size as a multipart upload in minio-go's parts. A stream
// that breaks MaxSize or its declared Size fails the upload before it
// completes, so nothing is stored and an object already under key is kept;
// minio-go aborts a failed multipart upload (with ctx, so a cancelled one
// may linger until a bucket lifecycle rule removes it).
//
// It returns a model.ErrInvalid-kind error for a bad key or a stream whose
// length differs from a known Size, a model.ErrTooLarge-kind error when the
// declared Size or the stream exceeds MaxSize, the reader's own error if
// reading fails, a model.ErrUnavailable-kind error when the store does not
// answer, and model.ErrNotFound when the bucket is gone. The returned
// ModTime is zero when the store does not report one.
func (b *S3Blobs) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (BlobInfo, error) {
	if err := validateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := checkDeclaredSize(key, opts); err != nil {
		return BlobInfo{}, err
	}
	contentType := opts.ContentType
	if contentType == "" {
		contentType = defaultContentType
	}
	ur := newUploadReader(r, opts)
	if ur.size == 0 {
		// minio-go sends an empty object without reading r, so make sure
		// here that there is nothing to read.
		if err := ur.finish(); err != io.EOF {
			return BlobInfo{}, fmt.Errorf("put blob %q: %w", key, err)
		}
	}
	po := minio.PutObjectOptions{ContentType: contentType}
	switch {
	case ur.size < 0:
		po.PartSize = s3UnknownSizePart
	case ur.size <= s3MaxSinglePut:
		po.DisableMultipart = true
	}
	var up minio.UploadInfo
	var err error
	if opts.SHA256 != "" && ur.size <= s3MaxSinglePut {
		// The caller hashed the bytes already: sign that digest rather than
		// hash every chunk again for a streaming signature (over plain
		// HTTP) or send no digest at all (over TLS); the server checks the
		// body against it.
		ur.trustDigest()
		po.DisableContentSha256 = true
		up, err = minio.Core{Client: b.client}.PutObject(ctx, b.bucket, key, ur, ur.size, "", opts.SHA256, po)
	} else {
		up, err = b.client.PutObject(ctx, b.bucket, key, ur, ur.size, po)
	}
	if err != nil {
		// The source's own failure, the cap or a length mismatch explains
		// the upload's failure better than the transport error it caused.
		if ur.err != nil {
			return BlobInfo{}, fmt.Errorf("put blob %q: %w", key, ur.err)
		}
		return BlobInfo{}, s3Err("put", key, err)
	}
	return BlobInfo{
		Key:         key,
		Size:        ur.n,
		ContentType: contentType,
		SHA256:      ur.sum(),
		ModTime:     up.LastModified,
	}, nil
}

// Get opens the object at key; the caller closes the reader. It returns a
// model.ErrInvalid-kind error for a bad key, a model.ErrNotFound-kind error
// when there is no such object (or bucket), and a model.ErrUnavailable-kind
// error when the store does not answer.
func (b *S3Blobs) Get(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error) {
	if err := validateBlobKey(key); err != nil {
		return nil, BlobInfo{}, err
	}
	obj, err := b.client.GetObject(ctx, b.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, BlobInfo{}, s3Err("get", key, err)
	}
	// Stat sends the GET and reads the response headers; the body is then
	// streamed by obj's Read.
	oi, err := obj.Stat()
	if err != nil {
		_ = obj.Close()
		return nil, BlobInfo{}, s3Err("get", key, err)
	}
	return obj, s3Info(key, oi), nil
}

// Stat describes the object at key. It returns a model.ErrInvalid-kind
// error for a bad key, a model.ErrNotFound-kind error when there is no such
// object (or bucket), and a model.ErrUnavailable-kind error when the store
// does not answer.
func (b *S3Blobs) Stat(ctx context.Context, key string) (BlobInfo, error) {
	if err := validateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	oi, err := b.client.StatObject(ctx, b.bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return BlobInfo{}, s3Err("stat", key, err)
	}
	return s3Info(key, oi), nil
}

// Delete removes the object at key; an absent key is not an error. It
// returns a model.ErrInvalid-kind error for a bad key and a
// model.ErrUnavailable-kind error when the store does not answer.
func (b *S3Blobs) Delete(ctx context.Context, key string) error {
	if err := validateBlobKey(key); err != nil {
		return err
	}
	err := b.client.RemoveObject(ctx, b.bucket, key, minio.RemoveObjectOptions{})
	var resp minio.ErrorResponse
	if errors.As(err, &resp) && resp.Code == minio.NoSuchKey {
		return nil
	}
	return s3Err("delete", key, err)
}

// List lists the bucket under prefix. It returns a model.ErrInvalid-kind
// error for a bad prefix, model.ErrNotFound when the bucket is gone and a
// model.ErrUnavailable-kind error when the store does not answer.
func (b *S3Blobs) List(ctx context.Context, prefix string, fn func(BlobInfo) error) error {
	if err := validateBlobPrefix(prefix); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing when fn fails
	for obj := range b.client.ListObjects(ctx, b.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if obj.Err != nil {
			return s3Err("list", prefix, obj.Err)
		}
		if err := fn(BlobInfo{Key: obj.Key, Size: obj.Size, ModTime: obj.LastModified}); err != nil {
			return err
		}
	}
	return nil
}

// Ping checks that the store answers and the bucket exists. It returns a
// model.ErrUnavailable-kind error otherwise.
func (b *S3Blobs) Ping(ctx context.Context) error {
	ok, err := b.client.BucketExists(ctx, b.bucket)
	if err != nil {
		return s3Err("ping bucket", b.bucket, err)
	}
	if !ok {
		return model.Unavailable("blob store", fmt.Errorf("bucket %q does not exist", b.bucket))
	}
	return nil
}

// s3Info converts minio's description of an object.
func s3Info(key string, oi minio.ObjectInfo) BlobInfo {
	ct := oi.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	return BlobInfo{Key: key, Size: oi.Size, ContentType: ct, ModTime: oi.LastModified}
}

// s3Err translates a minio-go error about name (a key or a bucket):
// NoSuchKey and NoSuchBucket become model.ErrNotFound; connection failures,
// timeouts and 5xx answers become model.ErrUnavailable; the caller's
// cancellation and everything else (access denied, bad requests) keep
// their cause, wrapped with the operation.
func s3Err(op, name string, err error) error {
	if err == nil {
		return nil
	}
	wrapped := fmt.Errorf("s3 %s %q: %w", op, name, err)
	if errors.Is(err, context.Canceled) {
		return wrapped
	}
	var resp minio.ErrorResponse
	if errors.As(err, &resp) {
		switch {
		case resp.Code == minio.NoSuchKey || resp.Code == minio.NoSuchBucket:
			return fmt.Errorf("s3 %s %q: %w", op, name, model.ErrNotFound.Wrap(err))
		case resp.Code == "XAmzContentSHA256Mismatch" || resp.Code == "BadDigest":
			return fmt.Errorf("s3 %s %q: %w", op, name, errDigestMismatch())
		case resp.StatusCode >= http.StatusInternalServerError,
			resp.Code == "SlowDown", resp.Code == "RequestTimeout":
			return model.Unavailable("blob store", wrapped)
		}
		return wrapped
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return model.Unavailable("blob store", wrapped)
	}
	return wrapped
}
