package storage

import (
	"context"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// CreateNotice opens a 公示 entry.
func (db *DB) CreateNotice(ctx context.Context, n *model.Notice) error {
	return translate("create notice", db.conn(ctx).Create(n).Error)
}

// OpenNoticeOf returns the open notice of an application
// (model.ErrNotFound when there is none).
func (db *DB) OpenNoticeOf(ctx context.Context, applicationID string) (model.Notice, error) {
	var n model.Notice
	err := db.conn(ctx).Where("application_id = ? AND status = ?", applicationID, model.NoticeOpen).Order("id DESC").Take(&n).Error
	return n, translate("get notice", err)
}

// CloseNotices closes every open notice of an application.
func (db *DB) CloseNotices(ctx context.Context, applicationID string) error {
	err := db.conn(ctx).Table("notices").Where("application_id = ? AND status = ?", applicationID, model.NoticeOpen).
		Update("status", model.NoticeClosed).Error
	return translate("close notices", err)
}

// PublicNotice returns a notice the public may see: open, its application
// still publicized, and its period running at now (model.ErrNotFound
// otherwise).
func (db *DB) PublicNotice(ctx context.Context, id string, now time.Time) (model.Notice, error) {
	var n model.Notice
	err := db.conn(ctx).Table("notices").Select("notices.*").
		Joins("JOIN applications ON applications.id = notices.application_id").
		Where("notices.id = ? AND notices.status = ? AND applications.status = ? AND notices.starts_at <= ? AND notices.ends_at > ?",
			id, model.NoticeOpen, model.StatusPublicizing, now, now).
		Take(&n).Error
	return n, translate("get notice", err)
}

// PublicNotices lists the notices of a region subtree (all regions when
// regionPrefix is empty) whose period runs at now, newest first.
func (db *DB) PublicNotices(ctx context.Context, regionPrefix string, now time.Time, req model.PageRequest) ([]model.Notice, error) {
	q := db.conn(ctx).Table("notices").Select("notices.*").
		Joins("JOIN applications ON applications.id = notices.application_id").
		Where("notices.status = ? AND applications.status = ? AND notices.starts_at <= ? AND notices.ends_at > ?",
			model.NoticeOpen, model.StatusPublicizing, now, now)
	if regionPrefix != "" {
		q = q.Where("notices.region_code LIKE ?", regionPrefix+"%")
	}
	var out []model.Notice
	return out, translate("list notices", paginate(q, "notices.id", req).Find(&out).Error)
}

// CreateObjection stores an objection.
func (db *DB) CreateObjection(ctx context.Context, o *model.Objection) error {
	return translate("create objection", db.conn(ctx).Create(o).Error)
}

// ObjectionFilter narrows the staff list of objections.
type ObjectionFilter struct {
	RegionPrefix  string
	Status        string
	ApplicationID string
}

// Objections lists objections in a region subtree, newest first.
func (db *DB) Objections(ctx context.Context, f ObjectionFilter, req model.PageRequest) ([]model.Objection, error) {
	q := db.conn(ctx).Model(&model.Objection{}).Where("region_code LIKE ?", f.RegionPrefix+"%")
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.ApplicationID != "" {
		q = q.Where("application_id = ?", f.ApplicationID)
	}
	var out []model.Objection
	return out, translate("list objections", paginate(q, "id", req).Find(&out).Error)
}

// ObjectionInRegion returns an objection only when it lies in the region
// subtree (model.ErrNotFound otherwise).
func (db *DB) ObjectionInRegion(ctx context.Context, id, regionPrefix string) (model.Objection, error) {
	var o model.Objection
	err := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, regionPrefix+"%").Take(&o).Error
	return o, translate("get objection", err)
}

// ResolveObjection records the resolution only while the objection is
// open; otherwise it returns a model.KindConflict error.
func (db *DB) ResolveObjection(ctx context.Context, id, resolution string, upheld bool, by string, at time.Time) error {
	res := db.conn(ctx).Table("objections").Where("id = ? AND status = ?", id, model.ObjectionOpen).Updates(map[string]any{
		"status": model.ObjectionResolved, "resolution": resolution, "upheld": upheld, "resolved_by": by, "resolved_at": at,
	})
	if res.Error != nil {
		return translate("resolve objection", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("objection_resolved", "the objection is already resolved")
	}
	return nil
}

// CountOpenObjections counts the unresolved objections to an application.
func (db *DB) CountOpenObjections(ctx context.Context, applicationID string) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&model.Objection{}).Where("application_id = ? AND status = ?", applicationID, model.ObjectionOpen).Count(&n).Error
	return n, translate("count objections", err)
}
