package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

// UpsertPolicyFigures creates or replaces a county's figures for a year.
func (db *DB) UpsertPolicyFigures(ctx context.Context, f model.PolicyFigures) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "region_code"}, {Name: "year"}},
		DoUpdates: clause.AssignmentColumns([]string{"figures", "updated_at", "updated_by"}),
	}).Create(&f).Error
	return translate("upsert policy figures", err)
}

// PolicyFigures returns a county's figures for a year (model.ErrNotFound
// when the county keeps none of its own).
func (db *DB) PolicyFigures(ctx context.Context, regionCode string, year int) (model.PolicyFigures, error) {
	var f model.PolicyFigures
	err := db.conn(ctx).Where("region_code = ? AND year = ?", regionCode, year).Take(&f).Error
	return f, translate("get policy figures", err)
}

// CreateDuplicateHit records an open hit unless an open one of the same
// kind already stands between the same two applications (the unique
// open_key, so concurrent scans record it once); it reports whether it
// recorded it.
func (db *DB) CreateDuplicateHit(ctx context.Context, h *model.DuplicateHit) (bool, error) {
	key := model.HitKey(h.ApplicationID, h.Kind, h.OtherApplicationID)
	h.OpenKey = &key
	return db.createIfAbsent(ctx, "create duplicate hit", h)
}

// HitOverridden reports whether the county overrode a hit of this kind
// between the same two applications (the finding is not raised again).
func (db *DB) HitOverridden(ctx context.Context, applicationID, kind string, other *string) (bool, error) {
	var n int64
	q := db.conn(ctx).Model(&model.DuplicateHit{}).Where("application_id = ? AND kind = ? AND status = ?", applicationID, kind, model.HitOverridden)
	if other != nil {
		q = q.Where("other_application_id = ?", *other)
	} else {
		q = q.Where("other_application_id IS NULL")
	}
	err := q.Count(&n).Error
	return n > 0, translate("find overridden hit", err)
}

// DuplicateHitInRegion returns a hit of a region subtree (model.ErrNotFound
// otherwise).
func (db *DB) DuplicateHitInRegion(ctx context.Context, id, regionPrefix string) (model.DuplicateHit, error) {
	var h model.DuplicateHit
	err := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, regionPrefix+"%").Take(&h).Error
	return h, translate("get duplicate hit", err)
}

// ResolveDuplicateHit closes an open hit (overridden or resolved) with the
// resolution and reason; model.Conflict when it is no longer open.
func (db *DB) ResolveDuplicateHit(ctx context.Context, id, status, resolution, reason, by string, at time.Time) error {
	res := db.conn(ctx).Model(&model.DuplicateHit{}).Where("id = ? AND status = ?", id, model.HitOpen).
		Updates(map[string]any{"status": status, "resolution": resolution, "resolution_reason": reason, "resolved_by": by, "resolved_at": at, "open_key": nil})
	if res.Error != nil {
		return translate("resolve duplicate hit", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("hit_not_open", "这条重复享受提示已经处理过了")
	}
	return nil
}

// RecordBenefitPersons keeps the persons an approved benefit covers (the
// household's members at approval).
func (db *DB) RecordBenefitPersons(ctx context.Context, applicationID, householdID string) error {
	err := db.conn(ctx).Exec(`INSERT INTO benefit_persons (application_id, id_index)
		SELECT ?, id_index FROM members WHERE household_id = ?`, applicationID, householdID).Error
	return translate("record benefit persons", err)
}

// CoveringBenefits lists the active benefits (approved or suspended) other
// than exceptID that cover a person of the household: by the person's
// membership now or by the persons recorded at their approval.
func (db *DB) CoveringBenefits(ctx context.Context, householdID, exceptID string) ([]model.HeldBenefit, error) {
	var out []model.HeldBenefit
	err := db.conn(ctx).Raw(`SELECT DISTINCT a.id AS application_id, a.number, a.program, a.household_id, a.region_code FROM applications a
		WHERE a.status IN ? AND a.id <> ? AND (
		  a.household_id IN (SELECT m.household_id FROM members m WHERE m.id_index IN (SELECT id_index FROM members WHERE household_id = ?))
		  OR a.id IN (SELECT p.application_id FROM benefit_persons p WHERE p.id_index IN (SELECT id_index FROM members WHERE household_id = ?)))
		ORDER BY a.id`, []model.Status{model.StatusApproved, model.StatusSuspended}, exceptID, householdID, householdID).Scan(&out).Error
	return out, translate("covering benefits", err)
}

// ActiveBenefits lists every approved or suspended application, oldest
// first (the nightly duplicate scan).
func (db *DB) ActiveBenefits(ctx context.Context) ([]model.Application, error) {
	var out []model.Application
	err := db.conn(ctx).Where("status IN ?", []model.Status{model.StatusApproved, model.StatusSuspended}).Order("id").Find(&out).Error
	return out, translate("active benefits", err)
}

// CountOpenHits counts the open duplicate hits against an application.
func (db *DB) CountOpenHits(ctx context.Context, applicationID string) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&model.DuplicateHit{}).Where("application_id = ? AND status = ?", applicationID, model.HitOpen).Count(&n).Error
	return n, translate("count open hits", err)
}

// DuplicateHits pages through the hits in a region subtree, optionally of
// one status, newest first.
func (db *DB) DuplicateHits(ctx context.Context, regionPrefix, status string, req model.PageRequest) ([]model.DuplicateHit, error) {
	q := db.conn(ctx).Model(&model.DuplicateHit{}).Where("region_code LIKE ?", regionPrefix+"%")
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var out []model.DuplicateHit
	err := paginate(q, "id", req).Find(&out).Error
	return out, translate("list duplicate hits", err)
}
