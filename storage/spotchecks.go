package storage

import (
	"context"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// ApprovedInMonth lists the cases of a county subtree approved (decided,
// and approved at some point: approved, suspended or ended now) between
// from and to, in id order.
func (db *DB) ApprovedInMonth(ctx context.Context, regionPrefix string, from, to time.Time) ([]model.Application, error) {
	var out []model.Application
	err := db.conn(ctx).Select("id", "number", "program", "region_code").
		Where("region_code LIKE ? AND decided_at >= ? AND decided_at < ? AND status IN ?", regionPrefix+"%", from.UTC(), to.UTC(),
			[]model.Status{model.StatusApproved, model.StatusSuspended, model.StatusEnded}).
		Order("id").Find(&out).Error
	return out, translate("cases approved in the month", err)
}

// CreateSpotCheckDraw stores a draw and its drawn cases; a second draw of
// the county and month is model.KindConflict.
func (db *DB) CreateSpotCheckDraw(ctx context.Context, d *model.SpotCheckDraw, checks []model.SpotCheck) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.conn(ctx).Create(d).Error; err != nil {
			return translate("create spot-check draw", err)
		}
		if len(checks) == 0 {
			return nil
		}
		return translate("create spot checks", db.conn(ctx).CreateInBatches(checks, 200).Error)
	})
}

// SpotChecks pages through the drawn cases of a region subtree, newest
// first; period narrows to one month when set.
func (db *DB) SpotChecks(ctx context.Context, regionPrefix, period string, req model.PageRequest) ([]model.SpotCheck, error) {
	q := db.conn(ctx).Model(&model.SpotCheck{}).Where("region_code LIKE ?", regionPrefix+"%")
	if period != "" {
		q = q.Where("period = ?", period)
	}
	var out []model.SpotCheck
	return out, translate("list spot checks", paginate(q, "id", req).Find(&out).Error)
}

// SpotCheckInRegion returns a drawn case in a region subtree.
func (db *DB) SpotCheckInRegion(ctx context.Context, id, regionPrefix string) (model.SpotCheck, error) {
	var out model.SpotCheck
	err := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, regionPrefix+"%").Take(&out).Error
	return out, translate("spot check", err)
}

// DecideSpotCheck records a drawn case's outcome once (model.KindConflict
// when it has one).
func (db *DB) DecideSpotCheck(ctx context.Context, id, outcome, note, by string, at time.Time) error {
	res := db.conn(ctx).Model(&model.SpotCheck{}).Where("id = ? AND outcome IS NULL", id).
		Updates(map[string]any{"outcome": outcome, "note": note, "decided_by": by, "decided_at": at.UTC()})
	if res.Error != nil {
		return translate("decide spot check", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("spot_check_decided", "这一抽查已记录结果，不能再改")
	}
	return nil
}

// CreateReviewMeeting stores a 民主评议 record.
func (db *DB) CreateReviewMeeting(ctx context.Context, m *model.ReviewMeeting) error {
	return translate("create review meeting", db.conn(ctx).Create(m).Error)
}

// ReviewMeetings lists a case's 民主评议 records, oldest first.
func (db *DB) ReviewMeetings(ctx context.Context, applicationID string) ([]model.ReviewMeeting, error) {
	var out []model.ReviewMeeting
	err := db.conn(ctx).Where("application_id = ?", applicationID).Order("id").Find(&out).Error
	return out, translate("review meetings", err)
}
