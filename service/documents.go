package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/minio/sio"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// maxDocumentsPerApplication bounds what one application can store.
const maxDocumentsPerApplication = 50

// statusesAcceptingDocuments are the statuses in which a resident may add
// documents: a draft, and an application returned for more.
var statusesAcceptingDocuments = []model.Status{model.StatusDraft, model.StatusReturned}

// Documents takes and serves a resident's proof documents. An upload is
// sniffed from its first bytes (JPEG, PNG, PDF, HEIC), spooled to a
// temporary file while it is counted (never held in memory), stored under a
// random key, and only then recorded in the database; the object is deleted
// again only when the row is known not to have been written.
type Documents struct {
	d     DocumentsDeps
	apps  *Applications
	audit *Audit
	// inTx runs an upload's transaction; nil means d.DB.InTx. Tests set it
	// to lose the answer of a commit.
	inTx func(ctx context.Context, fn func(ctx context.Context) error) error
}

// transaction runs fn in the upload's transaction.
func (d *Documents) transaction(ctx context.Context, fn func(ctx context.Context) error) error {
	if d.inTx != nil {
		return d.inTx(ctx, fn)
	}
	return d.d.DB.InTx(ctx, fn)
}

// sniffLen is how many leading bytes decide the type.
const sniffLen = 16

// SniffContentType names the type of a file from its first bytes: JPEG,
// PNG, PDF or HEIC; "" for anything else.
func SniffContentType(head []byte) string {
	switch {
	case len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF:
		return "image/jpeg"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf"
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		switch string(head[8:12]) {
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1":
			return "image/heic"
		}
	}
	return ""
}

// spooled is an upload encrypted into a temporary file: the file holds the
// DARE ciphertext under dataKey, never the plaintext.
type spooled struct {
	file   *os.File
	size   int64  // of the plaintext
	stored int64  // of the ciphertext in file
	sha256 string // of the plaintext
	// storedSHA256 is the hex SHA-256 of the ciphertext, hashed as it was
	// written, so the blob store need not hash it again.
	storedSHA256 string
	contentType  string
	dataKey      []byte
}

func (s *spooled) close() {
	if s == nil || s.file == nil {
		return
	}
	name := s.file.Name()
	_ = s.file.Close()
	_ = os.Remove(name)
}

// spoolPattern names the temporary files of uploads in progress, so the
// sweep can find those a killed process left behind.
const spoolPattern = "jiuzhu-upload-*"

// dataKeyLen is the length of a document's DARE data key.
const dataKeyLen = 32

// dareConfig is the DARE 2.0 (AES-256-GCM) configuration under a document's
// data key.
func dareConfig(key []byte, random io.Reader) sio.Config {
	return sio.Config{MinVersion: sio.Version20, MaxVersion: sio.Version20, CipherSuites: []byte{sio.AES_256_GCM}, Key: key, Rand: random}
}

// onlyWriter hides the file's Close from the DARE writer, whose Close would
// close it.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

var errTooManyDocuments = model.Conflict("too_many_documents", "an application holds at most %d documents", maxDocumentsPerApplication)

var errNotAllowedType = model.NewError(model.KindUnsupported, "unsupported_file_type",
	"only JPEG, PNG, HEIC photos and PDF files are accepted")

// spool sniffs the type of r and encrypts it, at most max bytes
// (model.KindTooLarge beyond), into a temporary file under a fresh data key,
// hashing the plaintext (the document's digest) and the ciphertext (the
// blob store signs it instead of hashing the file again) on the way: nothing of the upload reaches a disk or
// the blob store in clear, and nothing of it is held whole in memory.
func (d *Documents) spool(r io.Reader, max int64) (*spooled, error) {
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, readError(err)
	}
	head = head[:n]
	if n == 0 {
		return nil, model.Invalid("file", "the file is empty")
	}
	ct := SniffContentType(head)
	if ct == "" {
		return nil, errNotAllowedType
	}
	key, err := model.RandomToken(d.d.Random, dataKeyLen)
	if err != nil {
		return nil, fmt.Errorf("document data key: %w", err)
	}
	f, err := os.CreateTemp(d.spoolDir(), spoolPattern)
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	sp := &spooled{file: f, contentType: ct, dataKey: key}
	hc := sha256.New()
	enc, err := sio.EncryptWriter(onlyWriter{io.MultiWriter(f, hc)}, dareConfig(key, d.d.Random))
	if err != nil {
		sp.close()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	h := sha256.New()
	written, err := io.Copy(io.MultiWriter(enc, h), io.LimitReader(io.MultiReader(bytes.NewReader(head), r), max+1))
	if err != nil {
		sp.close()
		return nil, readError(err)
	}
	if written > max {
		sp.close()
		return nil, model.NewError(model.KindTooLarge, "file_too_large", "文件超过 %d MiB，请压缩或分开上传。", max>>20)
	}
	if err := enc.Close(); err != nil {
		sp.close()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	stored, err := f.Seek(0, io.SeekCurrent)
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		sp.close()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	sp.size, sp.stored, sp.sha256, sp.storedSHA256 = written, stored, hex.EncodeToString(h.Sum(nil)), hex.EncodeToString(hc.Sum(nil))
	return sp, nil
}

// spoolDir is where uploads are spooled: the configured directory, or the
// system's temporary directory.
func (d *Documents) spoolDir() string {
	if d.d.Settings.UploadSpoolDir != "" {
		return d.d.Settings.UploadSpoolDir
	}
	return os.TempDir()
}

// readError keeps model errors (the HTTP layer's size cap) and calls any
// other failure to read the upload malformed.
func readError(err error) error {
	var me *model.Error
	if errors.As(err, &me) {
		return err
	}
	return model.NewError(model.KindMalformed, "malformed_upload", "the upload could not be read").Wrap(err)
}

// Upload reads a multipart upload (a "kind" field and one "file" part, in
// either order) and stores the file as a document of the resident's
// application. It returns model.KindNotFound for an application that is not
// the resident's, a model.KindConflict error unless the application is a
// draft or returned, or once it holds 50 documents (both checked before the
// body is read, and again when the row is written), model.KindTooLarge over the upload limit,
// model.KindUnsupported for a file that is not JPEG, PNG, HEIC or PDF by
// its content, a model.KindInvalid error for a missing file or an unknown
// kind, and model.KindMalformed for a broken multipart body.
func (d *Documents) Upload(ctx context.Context, applicationID string, form *multipart.Reader) (model.Document, error) {
	app, err := d.apps.mine(ctx, applicationID)
	if err != nil {
		return model.Document{}, err
	}
	if !model.CanTransition(model.ActionSubmit, app.Status) {
		return model.Document{}, model.Conflict("documents_closed", "documents can be added only to a draft or a returned application")
	}
	return d.store(ctx, app, statusesAcceptingDocuments, form)
}

// statusesAcceptingStaffDocuments are the statuses in which the community
// may add a document it was handed on paper (an assisted case, a signed
// consent): from submission until the investigation ends.
var statusesAcceptingStaffDocuments = []model.Status{model.StatusSubmitted, model.StatusAccepted, model.StatusInvestigating}

// StaffUpload is the community worker's upload of a document it was handed
// (a case applied for on someone's behalf, the signed consent to the
// checks): the case in the worker's region, not one with a declared
// relative (403 conflict_of_interest), submitted and not yet publicized.
// The rest is the resident's upload: sniffed, encrypted, counted on the
// resident's quota, audited under the worker's name.
func (d *Documents) StaffUpload(ctx context.Context, applicationID string, form *multipart.Reader) (model.Document, error) {
	pr, err := staffIn(ctx, model.ActDocumentsUpload)
	if err != nil {
		return model.Document{}, err
	}
	app, err := d.d.DB.ApplicationInRegion(ctx, applicationID, scopeOf(pr))
	if err != nil {
		return model.Document{}, notFoundAs(err, "application")
	}
	if err := noConflict(ctx, d.d.DB, pr, app); err != nil {
		return model.Document{}, err
	}
	if !slices.Contains(statusesAcceptingStaffDocuments, app.Status) {
		return model.Document{}, model.Conflict("documents_closed", "只有已提交、尚未公示的申请可以由社区补充材料")
	}
	return d.store(ctx, app, statusesAcceptingStaffDocuments, form)
}

// store reads the upload form and keeps its file as a document of app,
// which must still be in one of statuses when the row is written.
func (d *Documents) store(ctx context.Context, app model.Application, statuses []model.Status, form *multipart.Reader) (model.Document, error) {
	n, err := d.d.DB.CountDocuments(ctx, app.ID)
	if err != nil {
		return model.Document{}, err
	}
	if n >= maxDocumentsPerApplication {
		return model.Document{}, errTooManyDocuments
	}
	if err := d.admit(ctx, app.ResidentID); err != nil {
		return model.Document{}, err
	}
	max := d.d.Settings.MaxUploadBytes
	var kind string
	var file *spooled
	defer func() { file.close() }()
	for {
		part, err := form.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return model.Document{}, readError(err)
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 65))
			if err != nil {
				return model.Document{}, readError(err)
			}
			kind = strings.TrimSpace(string(b))
		case "file":
			if file != nil {
				return model.Document{}, model.NewError(model.KindMalformed, "one_file", "send one file per upload")
			}
			if file, err = d.spool(part, max); err != nil {
				return model.Document{}, err
			}
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return model.Document{}, readError(err)
			}
		}
		_ = part.Close()
	}
	if file == nil {
		return model.Document{}, model.Invalid("file", "attach the file as the multipart part \"file\"")
	}
	if !model.IsDocumentKind(kind) {
		return model.Document{}, model.Invalid("kind", "unknown document kind; see required_documents in GET /api/v1/programs")
	}
	raw, err := model.RandomToken(d.d.Random, 16)
	if err != nil {
		return model.Document{}, err
	}
	key := "documents/" + app.ID + "/" + hex.EncodeToString(raw)
	sealed, err := d.d.Keys.SealDataKey(file.dataKey, key)
	if err != nil {
		return model.Document{}, fmt.Errorf("seal document key: %w", err)
	}
	if _, err := d.d.Blobs.Put(ctx, key, file.file, storage.PutOptions{ContentType: sealedContentType, Size: file.stored, MaxSize: file.stored, SHA256: file.storedSHA256}); err != nil {
		return model.Document{}, fmt.Errorf("store document: %w", err)
	}
	doc := model.Document{ID: d.d.IDs.New(), ApplicationID: app.ID, Kind: kind, BlobKey: key, SealedKey: sealed, Size: file.size, SHA256: file.sha256,
		ContentType: file.contentType, Status: model.DocumentPending, CreatedAt: d.d.Clock.Now()}
	err = d.transaction(ctx, func(ctx context.Context) error {
		if err := d.d.DB.LockApplicationIn(ctx, app.ID, statuses); err != nil {
			if model.KindOf(err) != model.KindConflict {
				return err
			}
			return model.Conflict("documents_closed", "documents can be added only to a draft or a returned application").Wrap(err)
		}
		// Count again under the lock: concurrent uploads passed the early
		// check together.
		n, err := d.d.DB.CountDocuments(ctx, app.ID)
		if err != nil {
			return err
		}
		if n >= maxDocumentsPerApplication {
			return errTooManyDocuments
		}
		// The quota is the resident's, across applications: count it under
		// the resident's lock, with this file.
		if err := d.d.DB.LockResident(ctx, app.ResidentID); err != nil {
			return err
		}
		usage, err := d.d.DB.ResidentDocumentUsage(ctx, app.ResidentID)
		if err != nil {
			return err
		}
		if err := d.checkQuota(usage, doc.Size); err != nil {
			return err
		}
		if err := d.d.DB.CreateDocument(ctx, &doc); err != nil {
			return err
		}
		if err := d.d.DB.ReplaceRejectedDocuments(ctx, app.ID, kind, doc.ID); err != nil {
			return err
		}
		return d.audit.Record(ctx, Event{Action: "document.upload", TargetType: "document", TargetID: doc.ID, RegionCode: app.RegionCode,
			Detail: "kind=" + kind})
	})
	if err != nil {
		return d.settle(ctx, doc, err)
	}
	return doc, nil
}

// settle decides an upload whose transaction reported txErr. A failed
// commit is ambiguous: its answer may be lost while the row was written. So
// the row is read again by id: when it is there the upload stands (the
// document is returned); only when it is known absent is the stored object
// deleted; when it cannot be read the object stays for the orphan sweep.
func (d *Documents) settle(ctx context.Context, doc model.Document, txErr error) (model.Document, error) {
	ctx = context.WithoutCancel(ctx)
	_, err := d.d.DB.Document(ctx, doc.ID)
	switch {
	case err == nil:
		d.d.Logger.Warn("document committed although its commit reported an error", "document", doc.ID, "error", txErr.Error())
		return doc, nil
	case errors.Is(err, model.ErrNotFound):
		if derr := d.d.Blobs.Delete(ctx, doc.BlobKey); derr != nil {
			d.d.Logger.Warn("object of a refused upload not deleted; the orphan sweep will", "key", doc.BlobKey, "error", derr.Error())
		}
	default:
		d.d.Logger.Warn("upload outcome unknown; its object is left for the orphan sweep", "key", doc.BlobKey, "error", err.Error())
	}
	return model.Document{}, txErr
}

// admit checks, before an upload's body is read, the resident's upload
// rate (model.KindRateLimited with the wait) and that the quota has room
// for another document.
func (d *Documents) admit(ctx context.Context, residentID string) error {
	per := d.d.Settings.DocumentUploadsPerHour
	res, err := d.d.Limiter.Allow(ctx, "documents:upload:"+residentID, storage.Limit{Rate: per, Period: time.Hour, Burst: per})
	if err != nil {
		return fmt.Errorf("upload rate: %w", err)
	}
	if !res.Allowed {
		e := model.RateLimited(res.RetryAfter)
		e.Code, e.Message = "upload_rate_limited", "上传太频繁了，请稍等一会儿再上传。"
		return e
	}
	usage, err := d.d.DB.ResidentDocumentUsage(ctx, residentID)
	if err != nil {
		return err
	}
	return d.checkQuota(usage, 0)
}

// checkQuota says whether a file of size bytes (0: any file at all) fits in
// the resident's quota on top of usage: model.KindConflict
// (document_quota_count) past the number of documents, model.KindTooLarge
// (document_quota_bytes) past the bytes. The documents of every
// application count, closed ones too until the retention job removes them,
// so withdrawing and starting again does not make room.
func (d *Documents) checkQuota(usage storage.DocumentUsage, size int64) error {
	s := d.d.Settings
	if usage.Count >= s.DocumentQuotaCount {
		return model.Conflict("document_quota_count",
			"您的申请材料已达 %d 份的上限，不能再上传。如需补充材料，请联系社区工作人员。", s.DocumentQuotaCount)
	}
	if usage.Bytes+max(size, 1) > s.DocumentQuotaBytes {
		return model.NewError(model.KindTooLarge, "document_quota_bytes",
			"您的申请材料已用 %.1f MiB，上限 %.1f MiB，放不下这份文件。请压缩照片后重试，或联系社区工作人员。",
			float64(usage.Bytes)/(1<<20), float64(s.DocumentQuotaBytes)/(1<<20))
	}
	return nil
}

// Get returns a document of the resident's application (model.KindNotFound
// for anyone else's).
func (d *Documents) Get(ctx context.Context, applicationID, documentID string) (model.Document, error) {
	app, err := d.apps.mine(ctx, applicationID)
	if err != nil {
		return model.Document{}, err
	}
	doc, err := d.d.DB.DocumentOf(ctx, app.ID, documentID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Document{}, model.NotFound("document")
	}
	return doc, err
}

// errDocumentsLocked is the refusal to delete a document once the case is
// submitted or decided.
var errDocumentsLocked = model.Conflict("document_delete_closed", "documents can be deleted only from a draft or a returned application")

// errDocumentAccepted is the refusal to delete a document the community
// accepted.
var errDocumentAccepted = model.Conflict("document_accepted", "an accepted document cannot be deleted")

// errDocumentReplaced is the refusal to delete a rejected page a newer
// upload of its kind replaced: it stays as the case's history.
var errDocumentReplaced = model.Conflict("document_replaced", "a replaced document cannot be deleted")

// Delete removes one page the resident uploaded to their application: while
// the application is a draft or returned, and the page is pending or
// rejected (model.ResidentMayDeleteDocument). The row goes in a transaction
// that locks the application (a submit waits) and is audited
// (document.delete); the encrypted object is deleted after the commit, and
// one that cannot be deleted then is left to the orphan sweep. It returns
// model.KindNotFound for an application or document that is not the
// resident's, a model.KindConflict error "document_delete_closed" once the
// case is submitted, "document_accepted" for a page the community
// accepted (also when the review lands first) and "document_replaced" for a
// rejected page a newer upload replaced.
func (d *Documents) Delete(ctx context.Context, applicationID, documentID string) error {
	app, err := d.apps.mine(ctx, applicationID)
	if err != nil {
		return err
	}
	var doc model.Document
	err = d.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := d.d.DB.LockApplicationIn(ctx, app.ID, statusesAcceptingDocuments); err != nil {
			if model.KindOf(err) != model.KindConflict {
				return err
			}
			return errDocumentsLocked.Wrap(err)
		}
		var err error
		if doc, err = d.d.DB.DocumentOf(ctx, app.ID, documentID); err != nil {
			return notFoundAs(err, "document")
		}
		switch {
		case doc.Status == model.DocumentReplaced:
			return errDocumentReplaced
		case !slices.Contains(model.DocumentDeletableStatuses, doc.Status):
			return errDocumentAccepted
		}
		if err := d.d.DB.DeleteDocumentIn(ctx, app.ID, doc.ID, model.DocumentDeletableStatuses); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return errDocumentAccepted.Wrap(err)
			}
			return notFoundAs(err, "document")
		}
		return d.audit.Record(ctx, Event{Action: "document.delete", TargetType: "document", TargetID: doc.ID, RegionCode: app.RegionCode,
			Detail: "kind=" + doc.Kind})
	})
	if err != nil {
		return err
	}
	// The row is gone: an object that cannot be deleted now is an orphan the
	// sweep removes after its grace period.
	if err := d.d.Blobs.Delete(context.WithoutCancel(ctx), doc.BlobKey); err != nil {
		d.d.Logger.Warn("deleted document's object not deleted; the orphan sweep will", "key", doc.BlobKey, "error", err.Error())
	}
	return nil
}

// Open streams a document of the resident's application; the caller
// closes the reader. It returns model.KindNotFound for anyone else's
// document and the blob store's errors.
func (d *Documents) Open(ctx context.Context, applicationID, documentID string) (io.ReadCloser, model.Document, error) {
	doc, err := d.Get(ctx, applicationID, documentID)
	if err != nil {
		return nil, model.Document{}, err
	}
	rc, err := d.open(ctx, doc)
	if err != nil {
		return nil, model.Document{}, err
	}
	return rc, doc, nil
}

// StaffContent streams a document of an application in the staff member's
// subtree, after writing an audit entry; the caller closes the reader.
// Documents are only ever served through the API, decrypted as they stream:
// the blob store never hands out links. Out of region is
// model.KindNotFound.
func (d *Documents) StaffContent(ctx context.Context, id string) (io.ReadCloser, model.Document, error) {
	p, err := staffIn(ctx, model.ActDocumentsRead)
	if err != nil {
		return nil, model.Document{}, err
	}
	doc, a, err := d.d.DB.DocumentInRegion(ctx, id, scopeOf(p))
	if err != nil {
		return nil, model.Document{}, notFoundAs(err, "document")
	}
	if err := d.audit.RecordAlone(ctx, Event{Action: "document.download", TargetType: "document", TargetID: doc.ID, RegionCode: a.RegionCode}); err != nil {
		return nil, model.Document{}, err
	}
	rc, err := d.open(ctx, doc)
	if err != nil {
		return nil, model.Document{}, err
	}
	return rc, doc, nil
}

// sealedContentType is what the blob store is told an encrypted object is.
const sealedContentType = "application/octet-stream"

// decrypted is a document's plaintext stream over its stored object.
type decrypted struct {
	io.Reader
	io.Closer
}

// open streams a document's plaintext: decrypted as it is read when the row
// holds a sealed data key, as stored for a document kept in clear before
// encryption. A stream whose ciphertext was altered fails its read.
func (d *Documents) open(ctx context.Context, doc model.Document) (io.ReadCloser, error) {
	rc, _, err := d.d.Blobs.Get(ctx, doc.BlobKey)
	if err != nil {
		return nil, fmt.Errorf("open document: %w", err)
	}
	if doc.SealedKey == "" {
		return rc, nil
	}
	key, err := d.d.Keys.OpenDataKey(doc.SealedKey, doc.BlobKey)
	if err != nil {
		_ = rc.Close()
		return nil, fmt.Errorf("open document %s: %w", doc.ID, err)
	}
	plain, err := sio.DecryptReader(rc, dareConfig(key, nil))
	if err != nil {
		_ = rc.Close()
		return nil, fmt.Errorf("open document %s: %w", doc.ID, err)
	}
	return decrypted{Reader: plain, Closer: rc}, nil
}

// FileExtension is the usual extension of a stored content type.
func FileExtension(contentType string) string {
	switch contentType {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "application/pdf":
		return ".pdf"
	case "image/heic":
		return ".heic"
	}
	return ""
}
