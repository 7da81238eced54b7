package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// DocumentContent is a document to send: either a short-lived URL to
// redirect to, or a stream the caller closes.
type DocumentContent struct {
	URL         string
	Body        io.ReadCloser
	Size        int64
	ContentType string
	Filename    string
}

// Content opens a document of an application in the staff member's
// subtree, after writing an audit entry. With a blob backend that signs
// URLs it returns a link valid for DocumentURLTTL instead of the bytes.
// Out of region is model.KindNotFound.
func (w *Workflow) Content(ctx context.Context, id string) (DocumentContent, error) {
	p, err := staffIn(ctx, model.ActDocumentsRead)
	if err != nil {
		return DocumentContent{}, err
	}
	d, a, err := w.d.DB.DocumentInRegion(ctx, id, scopeOf(p))
	if err != nil {
		return DocumentContent{}, notFoundAs(err, "document")
	}
	if err := w.audit.RecordAlone(ctx, Event{Action: "document.download", TargetType: "document", TargetID: d.ID, RegionCode: a.RegionCode}); err != nil {
		return DocumentContent{}, err
	}
	name := d.Kind + "-" + d.ID + FileExtension(d.ContentType)
	url, err := w.d.Blobs.SignedURL(ctx, d.BlobKey, DocumentURLTTL, name)
	if err == nil {
		return DocumentContent{URL: url, Filename: name}, nil
	}
	if !errors.Is(err, storage.ErrNoSignedURL) {
		return DocumentContent{}, fmt.Errorf("sign document url: %w", err)
	}
	body, info, err := w.d.Blobs.Get(ctx, d.BlobKey)
	if err != nil {
		return DocumentContent{}, fmt.Errorf("open document: %w", err)
	}
	return DocumentContent{Body: body, Size: info.Size, ContentType: d.ContentType, Filename: name}, nil
}

// reviewable are the statuses in which documents can be reviewed.
var reviewable = []string{model.StatusSubmitted, model.StatusAccepted, model.StatusInvestigating}

// Review records a decision on a document of an application in review in
// the staff member's subtree. A rejection needs a reason; the decision can
// change until the case is publicized. Out of region is
// model.KindNotFound; a bad decision model.KindInvalid; a case not in
// review or a replaced document model.KindConflict.
func (w *Workflow) Review(ctx context.Context, id, decision, reason string) (model.Document, error) {
	p, err := staffIn(ctx, model.ActDocumentsReview)
	if err != nil {
		return model.Document{}, err
	}
	var out model.Document
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		d, a, err := w.d.DB.DocumentInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "document")
		}
		if err := w.noConflict(ctx, p, a); err != nil {
			return err
		}
		reason = strings.TrimSpace(reason)
		switch decision {
		case model.DocumentAccepted:
		case model.DocumentRejected:
			if reason == "" {
				return model.Invalid("reason", "say why the document is rejected")
			}
		default:
			return model.Invalid("decision", "accepted or rejected")
		}
		if err := checkText("reason", reason, false); err != nil {
			return err
		}
		now := w.d.Clock.Now()
		// Lock the case while it is in review, so publicize sees either
		// the old or the new decision, never half of it.
		if err := w.d.DB.LockApplicationIn(ctx, a.ID, reviewable); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("not_in_review", "documents can be reviewed only while the case is in review")
			}
			return err
		}
		var why *string
		if reason != "" {
			why = &reason
		}
		set := map[string]any{"review_reason": why, "reviewed_by": p.ID, "reviewed_at": now}
		if err := w.d.DB.UpdateDocumentStatus(ctx, d.ID, []string{model.DocumentPending, model.DocumentAccepted, model.DocumentRejected}, decision, set); err != nil {
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "document.review", TargetType: "document", TargetID: d.ID, RegionCode: a.RegionCode, Detail: decision}); err != nil {
			return err
		}
		out, err = w.d.DB.Document(ctx, d.ID)
		return err
	})
	return out, err
}
