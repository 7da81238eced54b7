package storage

import (
	"context"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// VolunteerOfResident returns the volunteer profile of a resident
// (model.ErrNotFound when they have not registered).
func (db *DB) VolunteerOfResident(ctx context.Context, residentID string) (model.Volunteer, error) {
	var v model.Volunteer
	err := db.conn(ctx).Where("resident_id = ?", residentID).Take(&v).Error
	return v, translate("get volunteer", err)
}

// CreateVolunteer inserts a volunteer profile (model.KindConflict when the
// resident already has one).
func (db *DB) CreateVolunteer(ctx context.Context, v *model.Volunteer) error {
	return translate("create volunteer", db.conn(ctx).Create(v).Error)
}

// UpdateVolunteer writes the editable fields of a volunteer profile.
func (db *DB) UpdateVolunteer(ctx context.Context, v model.Volunteer) error {
	err := db.conn(ctx).Table("volunteers").Where("id = ?", v.ID).Updates(map[string]any{
		"name_sealed": v.NameSealed, "name_masked": v.NameMasked, "region_code": v.RegionCode,
		"skills": v.Skills, "availability": v.Availability, "updated_at": v.UpdatedAt,
	}).Error
	return translate("update volunteer", err)
}

// CreateActivity inserts a volunteer activity.
func (db *DB) CreateActivity(ctx context.Context, a *model.VolunteerActivity) error {
	return translate("create activity", db.conn(ctx).Create(a).Error)
}

// Activity returns one activity inside the region subtree of prefix ("" is
// everywhere); model.ErrNotFound when absent or elsewhere. lock holds the
// row for the rest of the transaction.
func (db *DB) Activity(ctx context.Context, id, prefix string, lock bool) (model.VolunteerActivity, error) {
	if lock {
		if _, err := db.lockRow(ctx, "volunteer_activities", "id", id); err != nil {
			return model.VolunteerActivity{}, translate("lock activity", err)
		}
	}
	var a model.VolunteerActivity
	err := db.conn(ctx).Where("id = ? AND region_code LIKE ?", id, prefix+"%").Take(&a).Error
	return a, translate("get activity", err)
}

// ActivityRow is an activity with how many signed up and, for a volunteer,
// whether they did.
type ActivityRow struct {
	model.VolunteerActivity
	SignedUp int64
	Mine     bool
}

// ActivityFilter selects activities: a region subtree, those not ended by
// EndsAfter (zero: all), and Volunteer to mark their own sign-ups.
type ActivityFilter struct {
	Prefix    string
	EndsAfter time.Time
	Volunteer string
}

// Activities lists activities newest first, one page.
func (db *DB) Activities(ctx context.Context, f ActivityFilter, req model.PageRequest) ([]ActivityRow, error) {
	q := db.conn(ctx).Table("volunteer_activities a").
		Select(`a.*, (SELECT COUNT(*) FROM volunteer_signups s WHERE s.activity_id = a.id) AS signed_up,
			EXISTS (SELECT 1 FROM volunteer_signups s WHERE s.activity_id = a.id AND s.volunteer_id = ?) AS mine`, f.Volunteer).
		Where("a.region_code LIKE ?", f.Prefix+"%")
	if !f.EndsAfter.IsZero() {
		q = q.Where("a.ends_at > ?", f.EndsAfter)
	}
	var out []ActivityRow
	err := paginate(q, "a.id", req).Scan(&out).Error
	return out, translate("list activities", err)
}

// CountSignups counts the sign-ups of an activity.
func (db *DB) CountSignups(ctx context.Context, activityID string) (int64, error) {
	var n int64
	err := db.conn(ctx).Model(&model.VolunteerSignup{}).Where("activity_id = ?", activityID).Count(&n).Error
	return n, translate("count signups", err)
}

// CreateSignup inserts a sign-up (model.KindConflict when there is one).
func (db *DB) CreateSignup(ctx context.Context, s *model.VolunteerSignup) error {
	return translate("create signup", db.conn(ctx).Create(s).Error)
}

// SignupRow is a volunteer signed up for an activity, as its community
// worker sees them: masked name and phone, and the hours logged if any.
type SignupRow struct {
	VolunteerID string
	NameMasked  string
	PhoneMasked string
	SignedUpAt  time.Time
	Minutes     *int64
}

// Signups lists the volunteers signed up for an activity, in sign-up order.
func (db *DB) Signups(ctx context.Context, activityID string) ([]SignupRow, error) {
	var out []SignupRow
	err := db.conn(ctx).Raw(`SELECT s.volunteer_id, v.name_masked, r.phone_masked, s.created_at AS signed_up_at, h.minutes
		FROM volunteer_signups s JOIN volunteers v ON v.id = s.volunteer_id JOIN residents r ON r.id = v.resident_id
		LEFT JOIN volunteer_hours h ON h.activity_id = s.activity_id AND h.volunteer_id = s.volunteer_id
		WHERE s.activity_id = ? ORDER BY s.created_at, s.volunteer_id`, activityID).Scan(&out).Error
	return out, translate("list signups", err)
}

// SignedUp reports whether a volunteer signed up for an activity.
func (db *DB) SignedUp(ctx context.Context, activityID, volunteerID string) (bool, error) {
	var n int64
	err := db.conn(ctx).Model(&model.VolunteerSignup{}).Where("activity_id = ? AND volunteer_id = ?", activityID, volunteerID).Count(&n).Error
	return n > 0, translate("find signup", err)
}

// CreateHours inserts logged hours (model.KindConflict when hours for the
// volunteer and activity are already logged).
func (db *DB) CreateHours(ctx context.Context, h *model.VolunteerHours) error {
	return translate("log hours", db.conn(ctx).Create(h).Error)
}

// HoursRow is one activity a volunteer's hours were logged for.
type HoursRow struct {
	ActivityID string
	Title      string
	Kind       string
	RegionCode string
	StartsAt   time.Time
	Minutes    int64
}

// HoursOfVolunteer lists a volunteer's logged hours by activity date.
func (db *DB) HoursOfVolunteer(ctx context.Context, volunteerID string) ([]HoursRow, error) {
	var out []HoursRow
	err := db.conn(ctx).Raw(`SELECT a.id AS activity_id, a.title, a.kind, a.region_code, a.starts_at, h.minutes
		FROM volunteer_hours h JOIN volunteer_activities a ON a.id = h.activity_id
		WHERE h.volunteer_id = ? ORDER BY a.starts_at, a.id`, volunteerID).Scan(&out).Error
	return out, translate("list hours", err)
}
