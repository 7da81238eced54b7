package storage

import (
	"context"

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

// CreateDuplicateHit records a hit unless an open one of the same kind
// already stands between the same two applications.
func (db *DB) CreateDuplicateHit(ctx context.Context, h *model.DuplicateHit) error {
	var n int64
	q := db.conn(ctx).Model(&model.DuplicateHit{}).Where("application_id = ? AND kind = ? AND status = ?", h.ApplicationID, h.Kind, model.HitOpen)
	if h.OtherApplicationID != nil {
		q = q.Where("other_application_id = ?", *h.OtherApplicationID)
	}
	if err := q.Count(&n).Error; err != nil {
		return translate("find duplicate hit", err)
	}
	if n > 0 {
		return nil
	}
	return translate("create duplicate hit", db.conn(ctx).Create(h).Error)
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
