package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
)

// defaultContentType is stored when a Put names no content type, so both
// backends report the same thing for such objects.
const defaultContentType = "application/octet-stream"

// maxBlobKeyLen is S3's limit on object key length, applied to every
// backend so a key that works locally also works on S3.
const maxBlobKeyLen = 1024

// LocalBlobs keeps blobs as files in a directory: the object for key
// "a/b.pdf" lives at <dir>/a/b.pdf and its content type in the hidden
// sidecar <dir>/a/.b.pdf.meta. Uploads go to a hidden temporary file in the
// same directory and are renamed into place once complete and synced, so a
// reader never sees a partial object. Keys may not have path segments that
// start with a dot, which keeps object names apart from sidecars and
// temporary files.
type LocalBlobs struct {
	dir string
}

var _ Blobs = (*LocalBlobs)(nil)

// localBlobMeta is the sidecar written next to every object.
type localBlobMeta struct {
	ContentType string `json:"content_type"`
}

// NewLocalBlobs stores blobs under dir, creating it when missing. It fails
// when dir cannot be created or is not a directory.
func NewLocalBlobs(dir string) (*LocalBlobs, error) {
	if dir == "" {
		return nil, errors.New("local blobs: directory is empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("local blobs: resolve %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("local blobs: create %q: %w", abs, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("local blobs: stat %q: %w", abs, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("local blobs: %q is not a directory", abs)
	}
	return &LocalBlobs{dir: abs}, nil
}

// Put streams r into a temporary file, checking MaxSize and the declared
// Size as it goes, then syncs it and renames it over key. When it fails
// nothing is stored and a previous object under key is kept, unless the
// failure comes after the object's rename (renaming its sidecar or syncing
// the directory): then the new object may be in place.
//
// It returns a model.ErrInvalid-kind error for a bad key or a stream whose
// length differs from a known Size, a model.ErrTooLarge-kind error when the
// stream or the declared Size exceeds MaxSize, the reader's own error if
// reading fails, and ctx's error if ctx ends before the rename.
//
// A disk that refuses the write (full, over quota, read-only, failing) is a
// model.ErrUnavailable-kind error: the blob store is down, not the request.
func (b *LocalBlobs) Put(ctx context.Context, key string, r io.Reader, opts PutOptions) (BlobInfo, error) {
	info, err := b.put(ctx, key, r, opts)
	if err != nil && model.KindOf(err) == model.KindInternal && diskUnusable(err) {
		return BlobInfo{}, model.Unavailable("blob store", err)
	}
	return info, err
}

func (b *LocalBlobs) put(ctx context.Context, key string, r io.Reader, opts PutOptions) (BlobInfo, error) {
	if err := validateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := checkDeclaredSize(key, opts); err != nil {
		return BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: %w", key, err)
	}
	contentType := opts.ContentType
	if contentType == "" {
		contentType = defaultContentType
	}

	path := b.path(key)
	dir, base := filepath.Split(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: create directory: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: create temporary file: %w", key, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()

	ur := newUploadReader(r, opts)
	if _, err := io.Copy(tmp, ur); err != nil {
		if ur.err != nil {
			return BlobInfo{}, fmt.Errorf("put blob %q: %w", key, ur.err)
		}
		return BlobInfo{}, fmt.Errorf("put blob %q: write: %w", key, err)
	}
	if err := tmp.Sync(); err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: sync: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: close: %w", key, err)
	}

	metaPath := sidecarPath(path)
	metaTmp, err := writeTempMeta(metaPath, localBlobMeta{ContentType: contentType})
	if err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: %w", key, err)
	}
	metaRenamed := false
	defer func() {
		if !metaRenamed {
			_ = os.Remove(metaTmp)
		}
	}()
	if err := ctx.Err(); err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: %w", key, err)
	}
	// The object's rename is the commit point; until then a previous object
	// under key keeps its bytes and its sidecar. A crash between the two
	// renames leaves the new bytes with the old content type.
	if err := os.Rename(tmp.Name(), path); err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: rename into place: %w", key, err)
	}
	committed = true
	if err := os.Rename(metaTmp, metaPath); err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: rename metadata into place: %w", key, err)
	}
	metaRenamed = true
	if err := syncDir(dir); err != nil {
		return BlobInfo{}, fmt.Errorf("put blob %q: %w", key, err)
	}

	info := BlobInfo{Key: key, Size: ur.n, ContentType: contentType, SHA256: ur.sum()}
	if fi, err := os.Stat(path); err == nil {
		info.ModTime = fi.ModTime()
	}
	return info, nil
}

// Get opens the object at key. The caller closes the returned reader. It
// returns a model.ErrInvalid-kind error for a bad key and a
// model.ErrNotFound-kind error when there is no such object.
func (b *LocalBlobs) Get(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error) {
	if err := validateBlobKey(key); err != nil {
		return nil, BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, BlobInfo{}, fmt.Errorf("get blob %q: %w", key, err)
	}
	path := b.path(key)
	f, err := os.Open(path)
	if err != nil {
		return nil, BlobInfo{}, localErr("get", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, BlobInfo{}, fmt.Errorf("get blob %q: stat: %w", key, err)
	}
	if fi.IsDir() {
		_ = f.Close()
		return nil, BlobInfo{}, fmt.Errorf("get blob %q: %w", key, model.ErrNotFound)
	}
	info, err := b.info(key, path, fi)
	if err != nil {
		_ = f.Close()
		return nil, BlobInfo{}, err
	}
	return f, info, nil
}

// Stat describes the object at key. It returns a model.ErrInvalid-kind error
// for a bad key and a model.ErrNotFound-kind error when there is no such
// object.
func (b *LocalBlobs) Stat(ctx context.Context, key string) (BlobInfo, error) {
	if err := validateBlobKey(key); err != nil {
		return BlobInfo{}, err
	}
	if err := ctx.Err(); err != nil {
		return BlobInfo{}, fmt.Errorf("stat blob %q: %w", key, err)
	}
	path := b.path(key)
	fi, err := os.Stat(path)
	if err != nil {
		return BlobInfo{}, localErr("stat", key, err)
	}
	if fi.IsDir() {
		return BlobInfo{}, fmt.Errorf("stat blob %q: %w", key, model.ErrNotFound)
	}
	return b.info(key, path, fi)
}

// Delete removes the object at key and its sidecar; an absent key is not an
// error. It returns a model.ErrInvalid-kind error for a bad key.
func (b *LocalBlobs) Delete(ctx context.Context, key string) error {
	if err := validateBlobKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("delete blob %q: %w", key, err)
	}
	path := b.path(key)
	// The object goes first: without it the sidecar means nothing.
	for _, p := range []string{path, sidecarPath(path)} {
		if err := os.Remove(p); err != nil && !isNotExist(err) {
			return fmt.Errorf("delete blob %q: %w", key, err)
		}
	}
	return nil
}

// List walks the directory of prefix, skipping the hidden sidecars and
// temporary files. It returns a model.ErrInvalid-kind error for a bad
// prefix; a prefix with no objects is not an error.
func (b *LocalBlobs) List(ctx context.Context, prefix string, fn func(BlobInfo) error) error {
	if err := validateBlobPrefix(prefix); err != nil {
		return err
	}
	root := b.dir
	if prefix != "" {
		root = b.path(strings.TrimSuffix(prefix, "/"))
	}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if isNotExist(err) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && path != root {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if isNotExist(err) {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(b.dir, path)
		if err != nil {
			return err
		}
		return fn(BlobInfo{Key: filepath.ToSlash(rel), Size: fi.Size(), ModTime: fi.ModTime()})
	})
	if err != nil {
		return fmt.Errorf("list blobs %q: %w", prefix, err)
	}
	return nil
}

// Ping checks that the directory still exists and is writable by creating
// and removing a temporary file. It returns a model.ErrUnavailable-kind
// error when it is not.
func (b *LocalBlobs) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ping blob store: %w", err)
	}
	f, err := os.CreateTemp(b.dir, ".ping-*")
	if err != nil {
		return model.Unavailable("blob store", err)
	}
	name := f.Name()
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(cerr, rerr); err != nil {
		return model.Unavailable("blob store", err)
	}
	return nil
}

// path maps a validated key to its file.
func (b *LocalBlobs) path(key string) string {
	return filepath.Join(b.dir, filepath.FromSlash(key))
}

// info builds the BlobInfo of the object at path; a missing or unreadable
// sidecar yields the default content type rather than an error, because the
// object itself is intact.
func (b *LocalBlobs) info(key, path string, fi fs.FileInfo) (BlobInfo, error) {
	info := BlobInfo{Key: key, Size: fi.Size(), ContentType: defaultContentType, ModTime: fi.ModTime()}
	raw, err := os.ReadFile(sidecarPath(path))
	switch {
	case err == nil:
		var m localBlobMeta
		if json.Unmarshal(raw, &m) == nil && m.ContentType != "" {
			info.ContentType = m.ContentType
		}
	case !isNotExist(err):
		return BlobInfo{}, fmt.Errorf("blob %q: read metadata: %w", key, err)
	}
	return info, nil
}

// sidecarPath names the metadata file of the object at path. Its name starts
// with a dot, which no key segment may, so it never collides with an object.
func sidecarPath(path string) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, "."+base+".meta")
}

// writeTempMeta writes m, synced, to a temporary file next to path and
// returns that file's name for the caller to rename over path. The file is
// removed again when writing fails.
func writeTempMeta(path string, m localBlobMeta) (string, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode metadata: %w", err)
	}
	dir, base := filepath.Split(path)
	tmp, err := os.CreateTemp(dir, base+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("create metadata file: %w", err)
	}
	_, werr := tmp.Write(raw)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write metadata: %w", err)
	}
	return tmp.Name(), nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory for sync: %w", err)
	}
	serr := d.Sync()
	cerr := d.Close()
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("sync directory: %w", err)
	}
	return nil
}

// isNotExist also treats ENOTDIR as absence: for key "a/b" it means "a" is
// an object, so there is no "a/b".
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// localErr translates a file-system error on key.
func localErr(op, key string, err error) error {
	if isNotExist(err) {
		return fmt.Errorf("%s blob %q: %w", op, key, model.ErrNotFound.Wrap(err))
	}
	return fmt.Errorf("%s blob %q: %w", op, key, err)
}

// validateBlobKey enforces the key rules every backend shares: non-empty,
// at most 1024 bytes of UTF-8, '/'-separated segments that are neither
// empty nor start with a dot (so no "..", no absolute paths, no hidden
// files), and no backslashes or control characters. It returns a
// model.ErrInvalid-kind error naming the field "key".
func validateBlobKey(key string) error {
	why := ""
	switch {
	case key == "":
		why = "is empty"
	case len(key) > maxBlobKeyLen:
		why = fmt.Sprintf("is longer than %d bytes", maxBlobKeyLen)
	case !utf8.ValidString(key):
		why = "is not valid UTF-8"
	case strings.ContainsAny(key, "\\"):
		why = "contains a backslash"
	case strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		why = "contains a control character"
	default:
		for seg := range strings.SplitSeq(key, "/") {
			if seg == "" {
				why = "has an empty path segment or a leading or trailing slash"
				break
			}
			if seg[0] == '.' {
				why = "has a path segment starting with a dot"
				break
			}
		}
	}
	if why != "" {
		return fmt.Errorf("blob key %q: %w", key, model.Invalid("key", why))
	}
	return nil
}

// validateBlobPrefix accepts "" and the keys of the key rules followed by a
// slash, the only prefixes every backend can list alike.
func validateBlobPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if !strings.HasSuffix(prefix, "/") {
		return fmt.Errorf("blob prefix %q: %w", prefix, model.Invalid("prefix", "must end with a slash"))
	}
	return validateBlobKey(strings.TrimSuffix(prefix, "/"))
}

// checkDeclaredSize rejects an upload whose declared Size already exceeds
// MaxSize, before any byte is read.
func checkDeclaredSize(key string, opts PutOptions) error {
	if opts.MaxSize > 0 && opts.Size > opts.MaxSize {
		return fmt.Errorf("put blob %q: %w", key, tooLarge(opts.MaxSize))
	}
	if opts.SHA256 != "" {
		if _, err := hex.DecodeString(opts.SHA256); err != nil || len(opts.SHA256) != sha256.Size*2 || strings.ToLower(opts.SHA256) != opts.SHA256 {
			return fmt.Errorf("put blob %q: %w", key, model.Invalid("sha256", "want 64 lower-case hex digits"))
		}
		if opts.Size < 0 {
			return fmt.Errorf("put blob %q: %w", key, model.Invalid("sha256", "a declared digest needs a declared size"))
		}
	}
	return nil
}

// errDigestMismatch fails an upload whose body is not what its declared
// SHA-256 says.
func errDigestMismatch() error {
	return model.Invalid("body", "does not match its declared SHA-256")
}

// tooLarge is the error for an upload over max bytes.
func tooLarge(max int64) error {
	return model.NewError(model.KindTooLarge, "blob_too_large", "the upload is larger than %d bytes", max)
}

// uploadReader hashes and counts the bytes of an upload as its store reads
// them, and turns a stream that breaks the upload's terms into a read error,
// so the store abandons the upload before it completes: more than max bytes
// (max > 0), or, for a declared size, fewer or more bytes than declared. It
// checks for a surplus by reading one byte ahead before it hands out the
// last declared bytes. It keeps the first error, the source's own included,
// because a client library usually reports it as some transport error.
type uploadReader struct {
	r    io.Reader
	h    hash.Hash // nil when the declared digest is trusted (checked by the store's other end)
	want string    // the declared SHA-256, or ""
	size int64     // the declared length, or -1
	max  int64
	n    int64
	done bool // the stream is known to end at n
	err  error
}

func newUploadReader(r io.Reader, opts PutOptions) *uploadReader {
	size := opts.Size
	if size < 0 {
		size = -1
	}
	return &uploadReader{r: r, h: sha256.New(), want: opts.SHA256, size: size, max: opts.MaxSize}
}

// trustDigest stops hashing: the declared SHA-256 is checked against the
// body by the store's other end (an S3 server verifies the signed payload
// digest), so hashing here again would only spend CPU. It does nothing
// without a declared digest.
func (u *uploadReader) trustDigest() {
	if u.want != "" {
		u.h = nil
	}
}

// Read implements io.Reader. It returns no bytes along with an error, so a
// reader filling a buffer cannot mistake a failed read for a full one.
func (u *uploadReader) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	if u.done {
		return 0, io.EOF
	}
	if u.size >= 0 {
		if u.n == u.size {
			// Only a declared size of zero gets here unprobed.
			return 0, u.finish()
		}
		if left := u.size - u.n; int64(len(p)) > left {
			p = p[:left]
		}
	} else if u.max > 0 {
		if left := u.max - u.n + 1; int64(len(p)) > left {
			p = p[:left]
		}
	}
	n, err := u.r.Read(p)
	if u.h != nil {
		u.h.Write(p[:n])
	}
	u.n += int64(n)
	switch {
	case u.max > 0 && u.n > u.max:
		u.err = tooLarge(u.max)
		return 0, u.err
	case err == io.EOF:
		u.done = true
		if u.size >= 0 && u.n < u.size {
			u.err = lengthMismatch("is shorter than its declared size", u.n, u.size)
			return 0, u.err
		}
		return n, io.EOF
	case err != nil:
		u.err = err
		return 0, err
	case u.size >= 0 && u.n == u.size:
		if err := u.finish(); err != io.EOF {
			return 0, err
		}
	}
	return n, nil
}

// finish checks that the source has nothing past the declared size. It
// returns io.EOF when it has not, and otherwise records and returns the
// error that fails the upload.
func (u *uploadReader) finish() error {
	var one [1]byte
	for {
		n, err := u.r.Read(one[:])
		if n > 0 {
			u.err = lengthMismatch("is longer than its declared size", u.n+int64(n), u.size)
			return u.err
		}
		if err == io.EOF {
			u.done = true
			if u.want != "" && u.h != nil && u.sum() != u.want {
				u.err = errDigestMismatch()
				return u.err
			}
			return io.EOF
		}
		if err != nil {
			u.err = err
			return err
		}
	}
}

// sum returns the lower-case hex SHA-256 of the bytes read so far (the
// declared one when it is trusted).
func (u *uploadReader) sum() string {
	if u.h == nil {
		return u.want
	}
	return hex.EncodeToString(u.h.Sum(nil))
}

// lengthMismatch is the error for a body whose length is not the declared
// one; read counts what was read before the mismatch showed.
func lengthMismatch(why string, read, declared int64) error {
	return fmt.Errorf("read %d bytes, declared %d: %w", read, declared, model.Invalid("body", why))
}
