package service

import (
	"context"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// reviewable are the statuses in which documents can be reviewed.
var reviewable = []model.Status{model.StatusSubmitted, model.StatusAccepted, model.StatusInvestigating}

// Review records a decision on a document of an application in review in
// the staff member's subtree. A rejection needs a reason; the decision can
// change until the case is publicized. Out of region is
// model.KindNotFound; a bad decision model.KindInvalid; a case not in
// review or a replaced document model.KindConflict.
func (w *Workflow) Review(ctx context.Context, id, decision, reason string) (model.Document, error) {
	p, err := staffOrStandIn(ctx, model.ActDocumentsReview)
	if err != nil {
		return model.Document{}, err
	}
	var out model.Document
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		d, a, err := w.d.DB.DocumentInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "document")
		}
		if err := w.mayAct(ctx, p, a, model.ActDocumentsReview); err != nil {
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
		// Microseconds, as the databases keep them: the answer below is
		// built from these values, not read back.
		now := w.d.Clock.Now().Truncate(time.Microsecond)
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
		review := storage.DocumentReview{Reason: why, ReviewedBy: p.ID, ReviewedAt: now}
		if err := w.d.DB.UpdateDocumentStatus(ctx, d.ID, []string{model.DocumentPending, model.DocumentAccepted, model.DocumentRejected}, decision, review); err != nil {
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "document.review", TargetType: "document", TargetID: d.ID, RegionCode: a.RegionCode, Detail: decision}); err != nil {
			return err
		}
		// The row is known: what was loaded with the update applied.
		d.Status, d.ReviewReason, d.ReviewedBy, d.ReviewedAt = decision, why, &review.ReviewedBy, &review.ReviewedAt
		out = d
		return nil
	})
	return out, err
}
