package storage

import (
	"context"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// CreateApplication inserts an application. A second open application of
// the same household and program (the unique open_slot) is a
// model.KindConflict error.
func (db *DB) CreateApplication(ctx context.Context, a *model.Application) error {
	return translate("create application", db.conn(ctx).Create(a).Error)
}

// CreateApplications inserts applications in batches of 500, in one
// transaction (test and bench fixtures of many rows).
func (db *DB) CreateApplications(ctx context.Context, as []model.Application) error {
	if len(as) == 0 {
		return nil
	}
	return db.InTx(ctx, func(ctx context.Context) error {
		return translate("create applications", db.conn(ctx).CreateInBatches(as, 500).Error)
	})
}

// Application returns one application by id (model.ErrNotFound when absent).
func (db *DB) Application(ctx context.Context, id string) (model.Application, error) {
	var a model.Application
	err := db.conn(ctx).Where("id = ?", id).Take(&a).Error
	return a, translate("get application", err)
}

// ApplicationOfResident returns an application only when it belongs to the
// resident; any other is model.ErrNotFound, so nobody learns that another
// resident's id exists.
func (db *DB) ApplicationOfResident(ctx context.Context, id, residentID string) (model.Application, error) {
	var a model.Application
	err := db.conn(ctx).Where("id = ? AND resident_id = ?", id, residentID).Take(&a).Error
	return a, translate("get application", err)
}

// ApplicationsOfResident lists a resident's applications, newest first.
func (db *DB) ApplicationsOfResident(ctx context.Context, residentID string, req model.PageRequest) ([]model.Application, error) {
	var out []model.Application
	q := paginate(db.conn(ctx).Where("resident_id = ?", residentID), "id", req)
	return out, translate("list applications", q.Find(&out).Error)
}

// StatusChange is what a step writes beside the new status. Nil fields
// are left as they are; ClearReviewDue empties review_due_at.
type StatusChange struct {
	At             time.Time
	SubmittedAt    *time.Time
	AcceptedBy     *string
	InvestigatedBy *string
	PublicizedBy   *string
	DecidedBy      *string
	DecidedAt      *time.Time
	ReviewDueAt    *time.Time
	ClearReviewDue bool
	RecheckedAt    *time.Time
	EndedAt        *time.Time
	// ReturnDueAt is the 补正 deadline of a return.
	ReturnDueAt *time.Time
	// ClearChangeReport closes the case's change report (the re-check
	// decided).
	ClearChangeReport bool
}

func (c StatusChange) columns(to model.Status) map[string]any {
	cols := map[string]any{"status": to, "updated_at": c.At}
	put := func(name string, v any, set bool) {
		if set {
			cols[name] = v
		}
	}
	put("submitted_at", c.SubmittedAt, c.SubmittedAt != nil)
	put("accepted_by", c.AcceptedBy, c.AcceptedBy != nil)
	put("investigated_by", c.InvestigatedBy, c.InvestigatedBy != nil)
	put("publicized_by", c.PublicizedBy, c.PublicizedBy != nil)
	put("decided_by", c.DecidedBy, c.DecidedBy != nil)
	put("decided_at", c.DecidedAt, c.DecidedAt != nil)
	put("review_due_at", c.ReviewDueAt, c.ReviewDueAt != nil || c.ClearReviewDue)
	put("rechecked_at", c.RecheckedAt, c.RecheckedAt != nil)
	put("ended_at", c.EndedAt, c.EndedAt != nil)
	put("return_due_at", c.ReturnDueAt, c.ReturnDueAt != nil)
	put("change_reported_at", nil, c.ClearChangeReport)
	put("change_summary", nil, c.ClearChangeReport)
	if !model.IsOpen(to) {
		cols["open_slot"] = nil
	}
	return cols
}

// UpdateApplicationStatus moves an application to status to, only when it
// is in one of from (a conditional update, so a step happens once under
// any concurrency), writing the change's columns. Leaving the open
// statuses (model.IsOpen) clears open_slot, so the household may apply for
// the program again. When no row matched it returns a model.KindConflict
// error with code "status_changed".
func (db *DB) UpdateApplicationStatus(ctx context.Context, id string, from []model.Status, to model.Status, change StatusChange) error {
	res := db.conn(ctx).Table("applications").Where("id = ? AND status IN ?", id, from).Updates(change.columns(to))
	if res.Error != nil {
		return translate("update application status", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("status_changed", "the application is no longer in a state that allows this")
	}
	return nil
}

// HeldBenefits lists the household's approved or suspended applications
// other than exceptID (the benefits it holds).
func (db *DB) HeldBenefits(ctx context.Context, householdID, exceptID string) ([]model.Application, error) {
	var out []model.Application
	err := db.conn(ctx).Where("household_id = ? AND id <> ? AND status IN ?", householdID, exceptID,
		[]model.Status{model.StatusApproved, model.StatusSuspended}).Order("id").Find(&out).Error
	return out, translate("held benefits", err)
}

// OneOffPaidSince sums the one-off amounts of the household's approved
// applications of program decided at or after since.
func (db *DB) OneOffPaidSince(ctx context.Context, householdID string, program model.ProgramCode, since time.Time) (int64, error) {
	var n int64
	err := db.conn(ctx).Raw(`SELECT COALESCE(SUM(amount), 0) FROM applications
		WHERE household_id = ? AND program = ? AND status IN ? AND decided_at >= ?`,
		householdID, program, []model.Status{model.StatusApproved, model.StatusSuspended, model.StatusEnded}, since).Scan(&n).Error
	return n, translate("one-off paid", err)
}

// LockApplicationIn locks an application's row for the rest of the
// transaction (so a concurrent status change waits) and checks that it is
// in one of statuses; otherwise it returns a model.KindConflict error with
// code "status_changed" (model.ErrNotFound when there is no such row).
func (db *DB) LockApplicationIn(ctx context.Context, id string, statuses []model.Status) error {
	status, err := db.lockRow(ctx, "applications", "status", id)
	if err != nil {
		return translate("lock application", err)
	}
	for _, st := range statuses {
		if model.Status(status) == st {
			return nil
		}
	}
	return model.Conflict("status_changed", "the application is no longer in a state that allows this")
}

// TouchApplicationIn bumps updated_at only while the application is in one
// of statuses, locking its row for the rest of the transaction (so a
// concurrent status change waits). It returns a model.KindConflict error
// with code "status_changed" when the application is in another status.
func (db *DB) TouchApplicationIn(ctx context.Context, id string, statuses []model.Status, at time.Time) error {
	res := db.conn(ctx).Table("applications").Where("id = ? AND status IN ?", id, statuses).Update("updated_at", at)
	if res.Error != nil {
		return translate("touch application", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("status_changed", "the application is no longer in a state that allows this")
	}
	return nil
}

// AppendApplicationEvent adds one timeline entry.
func (db *DB) AppendApplicationEvent(ctx context.Context, e *model.ApplicationEvent) error {
	return translate("append application event", db.conn(ctx).Create(e).Error)
}

// ApplicationEvents returns an application's timeline, oldest first.
func (db *DB) ApplicationEvents(ctx context.Context, applicationID string) ([]model.ApplicationEvent, error) {
	var out []model.ApplicationEvent
	err := db.conn(ctx).Where("application_id = ?", applicationID).Order("at, id").Find(&out).Error
	return out, translate("list application events", err)
}

// CreateDocument inserts a document row.
func (db *DB) CreateDocument(ctx context.Context, d *model.Document) error {
	return translate("create document", db.conn(ctx).Create(d).Error)
}

// Documents returns an application's documents, oldest first.
func (db *DB) Documents(ctx context.Context, applicationID string) ([]model.Document, error) {
	var out []model.Document
	err := db.conn(ctx).Where("application_id = ?", applicationID).Order("id").Find(&out).Error
	return out, translate("list documents", err)
}

// CountDocuments counts an application's documents.
func (db *DB) CountDocuments(ctx context.Context, applicationID string) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&model.Document{}).Where("application_id = ?", applicationID).Count(&n).Error
	return n, translate("count documents", err)
}

// Document returns one document by id (model.ErrNotFound when absent).
func (db *DB) Document(ctx context.Context, id string) (model.Document, error) {
	var d model.Document
	err := db.conn(ctx).Where("id = ?", id).Take(&d).Error
	return d, translate("get document", err)
}

// DocumentOf returns a document only when it belongs to the application
// (model.ErrNotFound otherwise).
func (db *DB) DocumentOf(ctx context.Context, applicationID, id string) (model.Document, error) {
	var d model.Document
	err := db.conn(ctx).Where("id = ? AND application_id = ?", id, applicationID).Take(&d).Error
	return d, translate("get document", err)
}

// ReplaceRejectedDocuments marks the rejected documents of a kind as
// replaced once a new one of that kind arrives.
func (db *DB) ReplaceRejectedDocuments(ctx context.Context, applicationID, kind, exceptID string) error {
	err := db.conn(ctx).Table("documents").
		Where("application_id = ? AND kind = ? AND status = ? AND id <> ?", applicationID, kind, model.DocumentRejected, exceptID).
		Update("status", model.DocumentReplaced).Error
	return translate("replace documents", err)
}

// DocumentReview is a reviewer's decision on a document.
type DocumentReview struct {
	Reason     *string
	ReviewedBy string
	ReviewedAt time.Time
}

// UpdateDocumentStatus sets a document's review outcome only while it is in
// one of from; otherwise it returns a model.KindConflict error with code
// "status_changed".
func (db *DB) UpdateDocumentStatus(ctx context.Context, id string, from []string, to string, r DocumentReview) error {
	cols := map[string]any{"status": to, "review_reason": r.Reason, "reviewed_by": r.ReviewedBy, "reviewed_at": r.ReviewedAt}
	res := db.conn(ctx).Table("documents").Where("id = ? AND status IN ?", id, from).Updates(cols)
	if res.Error != nil {
		return translate("update document status", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("status_changed", "the document is no longer in a state that allows this")
	}
	return nil
}

// CreateMessage stores a message to a resident.
func (db *DB) CreateMessage(ctx context.Context, m *model.Message) error {
	return translate("create message", db.conn(ctx).Create(m).Error)
}

// MessagesOfResident lists a resident's messages, newest first.
func (db *DB) MessagesOfResident(ctx context.Context, residentID string, req model.PageRequest) ([]model.Message, error) {
	var out []model.Message
	q := paginate(db.conn(ctx).Where("resident_id = ?", residentID), "id", req)
	return out, translate("list messages", q.Find(&out).Error)
}

// MarkMessagesRead sets read_at on a resident's unread messages up to and
// including upTo (a message id; ids sort by time) and returns how many it
// marked. Other residents' messages are never touched.
func (db *DB) MarkMessagesRead(ctx context.Context, residentID, upTo string, at time.Time) (int64, error) {
	res := db.conn(ctx).Model(&model.Message{}).
		Where("resident_id = ? AND id <= ? AND read_at IS NULL", residentID, upTo).
		Update("read_at", at)
	return res.RowsAffected, translate("mark messages read", res.Error)
}

// UnreadMessages counts a resident's unread messages.
func (db *DB) UnreadMessages(ctx context.Context, residentID string) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&model.Message{}).Where("resident_id = ? AND read_at IS NULL", residentID).Count(&n).Error
	return n, translate("count unread messages", err)
}

// CountApplicationsOfHousehold counts a household's applications in the
// given statuses.
func (db *DB) CountApplicationsOfHousehold(ctx context.Context, householdID string, statuses []model.Status) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&model.Application{}).Where("household_id = ? AND status IN ?", householdID, statuses).Count(&n).Error
	return n, translate("count applications", err)
}

// LastApplicationEventAt returns the time of an application's latest
// timeline entry (the zero time when there is none).
func (db *DB) LastApplicationEventAt(ctx context.Context, applicationID string) (time.Time, error) {
	var evs []model.ApplicationEvent
	err := db.conn(ctx).Where("application_id = ?", applicationID).Order("at DESC").Limit(1).Find(&evs).Error
	if err != nil || len(evs) == 0 {
		return time.Time{}, translate("last application event", err)
	}
	return evs[0].At, nil
}

// WaitingListPosition is the place of an approved case on its county's
// 廉租住房 waiting list: the approved waiting-list cases decided before it,
// and itself, in decision order.
func (db *DB) WaitingListPosition(ctx context.Context, county, applicationID string) (int64, error) {
	var n int64
	err := db.conn(ctx).Raw(`SELECT COUNT(*) FROM applications a JOIN applications me ON me.id = ?
		WHERE a.housing_mode = ? AND a.status = ? AND a.region_code LIKE ?
		AND (a.decided_at < me.decided_at OR (a.decided_at = me.decided_at AND a.id <= me.id))`,
		applicationID, model.HousingWaitingList, model.StatusApproved, county+"%").Scan(&n).Error
	return n, translate("waiting list position", err)
}

// ReportChange records a change report on an application: when and what
// changed (a later report adds to the summary of one still open).
func (db *DB) ReportChange(ctx context.Context, id string, at time.Time, summary string) error {
	var a model.Application
	if err := db.conn(ctx).Select("change_summary").Where("id = ?", id).Take(&a).Error; err != nil {
		return translate("change report", err)
	}
	if a.ChangeSummary != nil && *a.ChangeSummary != "" {
		summary = *a.ChangeSummary + "\n" + summary
	}
	err := db.conn(ctx).Table("applications").Where("id = ?", id).
		Updates(map[string]any{"change_reported_at": at, "change_summary": summary, "updated_at": at}).Error
	return translate("change report", err)
}
