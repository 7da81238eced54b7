package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

// QueueFilter narrows the staff queue. RegionPrefix is required: every
// staff query is scoped to a region subtree in SQL.
type QueueFilter struct {
	RegionPrefix string
	Status       model.Status
	Program      model.ProgramCode
	// ReviewDueBy, when set, keeps only approved cases whose re-check
	// (复核) is due at or before it.
	ReviewDueBy *time.Time
	// Changed keeps only cases with an open change report.
	Changed bool
}

// StaffQueue lists the applications in a region subtree, newest first.
// Drafts are the resident's own and never appear.
func (db *DB) StaffQueue(ctx context.Context, f QueueFilter, req model.PageRequest) ([]model.Application, error) {
	q := db.read(ctx).Model(&model.Application{}).
		Where("region_code LIKE ? AND status <> ?", f.RegionPrefix+"%", model.StatusDraft)
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
		if db.dialect == "mysql" && f.ReviewDueBy == nil {
			// Walk the status's rows newest first: the optimizer would walk
			// the primary key when the status is common overall, passing
			// every newer row of other statuses (it cannot know that the
			// newest rows are mostly in other statuses).
			q = q.Table("applications FORCE INDEX (idx_applications_queue)")
		}
	}
	if f.Program != "" {
		q = q.Where("program = ?", f.Program)
	}
	if f.ReviewDueBy != nil {
		q = q.Where("status = ? AND review_due_at IS NOT NULL AND review_due_at <= ?", model.StatusApproved, *f.ReviewDueBy)
	}
	if f.Changed {
		q = q.Where("change_reported_at IS NOT NULL")
	}
	var out []model.Application
	return out, translate("staff queue", paginate(q, "id", req).Find(&out).Error)
}

// ApplicationInRegion returns a submitted (non-draft) application only when
// it lies in the region subtree; any other id is model.ErrNotFound.
func (db *DB) ApplicationInRegion(ctx context.Context, id, regionPrefix string) (model.Application, error) {
	var a model.Application
	err := db.conn(ctx).Where("id = ? AND region_code LIKE ? AND status <> ?", id, regionPrefix+"%", model.StatusDraft).Take(&a).Error
	return a, translate("get application", err)
}

// LockApplicationInRegion is ApplicationInRegion that also locks the row
// for the rest of the transaction (SQLite's immediate transactions already
// hold the write lock), so a step decides on the latest committed values —
// an assessment saved a moment earlier — and nobody changes them before it
// commits.
func (db *DB) LockApplicationInRegion(ctx context.Context, id, regionPrefix string) (model.Application, error) {
	var a model.Application
	q := db.conn(ctx).Where("id = ? AND region_code LIKE ? AND status <> ?", id, regionPrefix+"%", model.StatusDraft)
	if db.dialect == "mysql" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return a, translate("lock application", q.Take(&a).Error)
}

// DocumentInRegion returns a document only when its application lies in
// the region subtree (model.ErrNotFound otherwise), with that application.
func (db *DB) DocumentInRegion(ctx context.Context, id, regionPrefix string) (model.Document, model.Application, error) {
	var d model.Document
	err := db.conn(ctx).Table("documents").Select("documents.*").
		Joins("JOIN applications ON applications.id = documents.application_id").
		Where("documents.id = ? AND applications.region_code LIKE ? AND applications.status <> ?", id, regionPrefix+"%", model.StatusDraft).
		Take(&d).Error
	if err != nil {
		return d, model.Application{}, translate("get document", err)
	}
	a, err := db.Application(ctx, d.ApplicationID)
	return d, a, err
}

// Assessment is what a community worker records about a case: the home
// visit and the program's decision (model.Policy.Decide).
type Assessment struct {
	Decision         model.Decision
	IncomeReason     *string
	AmountReason     *string
	IneligibleReason *string
	BillsTotal       *int64
	InsurancePaid    *int64
	Standard         int64
	HomeVisitDate    string
	HomeVisitNote    string
	AssessedBy       string
	AssessedAt       time.Time
}

// SetAssessment writes the assessment only while the application is in
// one of statuses (a conditional update); otherwise it returns a
// model.KindConflict error with code "status_changed". A monthly benefit's
// amount goes to monthly_amount, a one-off's to amount; the other is
// cleared.
func (db *DB) SetAssessment(ctx context.Context, id string, statuses []model.Status, as Assessment) error {
	d := as.Decision
	var monthly, oneOff *int64
	switch {
	case d.Kind.IsMonthly():
		monthly = &d.Amount
	case d.Kind.IsOneOff():
		oneOff = &d.Amount
	}
	kind := d.Kind
	res := db.conn(ctx).Table("applications").Where("id = ? AND status IN ?", id, statuses).Updates(map[string]any{
		"per_capita_income": d.PerCapitaIncome, "declared_income": d.DeclaredPerCapita, "income_reason": as.IncomeReason,
		"monthly_amount": monthly, "amount": oneOff, "computed_amount": d.Computed, "amount_reason": as.AmountReason,
		"benefit_kind": &kind, "eligible": d.Eligible, "ineligible_reason": as.IneligibleReason, "persons_covered": d.PersonsCovered,
		"support_mode": d.SupportMode, "care_level": d.CareLevel, "housing_mode": d.Mode, "urgent": d.Urgent,
		"bills_total": as.BillsTotal, "insurance_paid": as.InsurancePaid, "standard_amount": as.Standard,
		"home_visit_date": as.HomeVisitDate, "home_visit_note": as.HomeVisitNote,
		"assessed_by": as.AssessedBy, "assessed_at": as.AssessedAt, "updated_at": as.AssessedAt,
	})
	if res.Error != nil {
		return translate("set assessment", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("status_changed", "the application is no longer in a state that allows an assessment")
	}
	return nil
}

// ReviewsDueUntold lists the approved cases whose re-check is due by t and
// whose resident has not been told since it fell due, oldest due first.
func (db *DB) ReviewsDueUntold(ctx context.Context, t time.Time, limit int) ([]model.Application, error) {
	var out []model.Application
	err := db.conn(ctx).Where("status = ? AND review_due_at IS NOT NULL AND review_due_at <= ? AND (review_notified_at IS NULL OR review_notified_at < review_due_at)",
		model.StatusApproved, t).Order("review_due_at, id").Limit(limit).Find(&out).Error
	return out, translate("reviews due", err)
}

// MarkReviewNotified records that the resident was told of the due
// re-check, once: false when another run did it first.
func (db *DB) MarkReviewNotified(ctx context.Context, id string, at time.Time) (bool, error) {
	res := db.conn(ctx).Table("applications").
		Where("id = ? AND review_due_at IS NOT NULL AND (review_notified_at IS NULL OR review_notified_at < review_due_at)", id).
		Update("review_notified_at", at)
	return res.RowsAffected == 1, translate("mark review notified", res.Error)
}
