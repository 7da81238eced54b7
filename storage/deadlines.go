package storage

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/jiuzhu/jiuzhu/model"
)

// RunningStatuses are the statuses in which a case's clocks run.
var RunningStatuses = []model.Status{model.StatusAccepted, model.StatusInvestigating, model.StatusPublicizing}

// UpsertCalendarYear creates or replaces a year of the working-day calendar.
func (db *DB) UpsertCalendarYear(ctx context.Context, y model.CalendarYear) error {
	err := db.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "year"}},
		DoUpdates: clause.AssignmentColumns([]string{"holidays", "workdays", "updated_at", "updated_by"}),
	}).Create(&y).Error
	return translate("upsert calendar year", err)
}

// CalendarYears returns every year of the calendar.
func (db *DB) CalendarYears(ctx context.Context) ([]model.CalendarYear, error) {
	var out []model.CalendarYear
	err := db.conn(ctx).Order("year").Find(&out).Error
	return out, translate("list calendar years", err)
}

// RunningCases lists the cases in a region subtree whose clocks run
// (accepted, investigating, publicizing), oldest first.
func (db *DB) RunningCases(ctx context.Context, regionPrefix string) ([]model.Application, error) {
	var out []model.Application
	err := db.conn(ctx).Where("region_code LIKE ? AND status IN ?", regionPrefix+"%", RunningStatuses).Order("id").Find(&out).Error
	return out, translate("list running cases", err)
}

// LastNoticeEnd is when the latest public notice of an application ends
// (nil when it never had one).
func (db *DB) LastNoticeEnd(ctx context.Context, applicationID string) (*time.Time, error) {
	var n []model.Notice
	err := db.conn(ctx).Where("application_id = ?", applicationID).Order("id DESC").Limit(1).Find(&n).Error
	if err != nil || len(n) == 0 {
		return nil, translate("last notice", err)
	}
	return &n[0].EndsAt, nil
}

// ExtendCase records the county's extension of a running case to 45
// working days; model.Conflict when the case is not running or already
// extended.
func (db *DB) ExtendCase(ctx context.Context, id, by, reason string, at time.Time) error {
	res := db.conn(ctx).Model(&model.Application{}).
		Where("id = ? AND status IN ? AND extended_at IS NULL", id, RunningStatuses).
		Updates(map[string]any{"extended_at": at, "extended_by": by, "extension_reason": reason, "updated_at": at})
	if res.Error != nil {
		return translate("extend case", res.Error)
	}
	if res.RowsAffected == 0 {
		return model.Conflict("not_extendable", "只有正在办理且尚未延期的案件可以延期")
	}
	return nil
}

// CreateReminderIfAbsent stores a deadline reminder unless the same one
// (case, clock, kind, due time) exists; it reports whether it stored it.
func (db *DB) CreateReminderIfAbsent(ctx context.Context, r *model.DeadlineReminder) (bool, error) {
	return db.createIfAbsent(ctx, "create reminder", r)
}

// Reminders pages through the deadline reminders addressed to a region
// subtree, newest first.
func (db *DB) Reminders(ctx context.Context, regionPrefix string, req model.PageRequest) ([]model.DeadlineReminder, error) {
	q := db.conn(ctx).Model(&model.DeadlineReminder{}).Where("region_code LIKE ?", regionPrefix+"%")
	var out []model.DeadlineReminder
	return out, translate("list reminders", paginate(q, "id", req).Find(&out).Error)
}

// ClockInputs is what the clocks of a page of cases are counted from:
// their timelines (oldest first) and the end of each one's latest notice.
type ClockInputs struct {
	Events     map[string][]model.ApplicationEvent
	NoticeEnds map[string]time.Time
}

// ClockInputsOf reads the timelines and latest notice ends of the
// applications ids in two queries (the queue's page, not one per case).
func (db *DB) ClockInputsOf(ctx context.Context, ids []string) (ClockInputs, error) {
	out := ClockInputs{Events: map[string][]model.ApplicationEvent{}, NoticeEnds: map[string]time.Time{}}
	if len(ids) == 0 {
		return out, nil
	}
	var events []model.ApplicationEvent
	if err := db.conn(ctx).Where("application_id IN ?", ids).Order("at, id").Find(&events).Error; err != nil {
		return out, translate("list application events", err)
	}
	for _, e := range events {
		out.Events[e.ApplicationID] = append(out.Events[e.ApplicationID], e)
	}
	var notices []model.Notice
	if err := db.conn(ctx).Select("id", "application_id", "ends_at").Where("application_id IN ?", ids).Order("id").Find(&notices).Error; err != nil {
		return out, translate("list notice ends", err)
	}
	for _, n := range notices {
		out.NoticeEnds[n.ApplicationID] = n.EndsAt // ordered by id: the latest stays
	}
	return out, nil
}
