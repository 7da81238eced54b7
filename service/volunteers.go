package service

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// VolunteersDeps are what Volunteers uses.
type VolunteersDeps struct {
	DB    *storage.DB
	Keys  *Keys
	Clock model.Clock
	IDs   *model.IDs
}

func (d Deps) volunteers() VolunteersDeps {
	return VolunteersDeps{DB: d.DB, Keys: d.Keys, Clock: d.Clock, IDs: d.IDs}
}

// Volunteers is the volunteer side of society's part: a resident (logged in
// with the residents' own SMS login) registers a volunteer profile, signs up
// for the activities community workers post, and reads the hours the
// worker logged and a certificate of them. Activities name a place in
// words and a region, never a recipient.
type Volunteers struct {
	d     VolunteersDeps
	audit *Audit
}

// NewVolunteers builds the volunteer use cases.
func NewVolunteers(d VolunteersDeps, audit *Audit) *Volunteers {
	return &Volunteers{d: d, audit: audit}
}

var (
	errNotVolunteer = model.NewError(model.KindNotFound, "volunteer_not_found", "您还没有登记为志愿者，请先填写志愿者登记。")
	errActivityFull = model.Conflict("activity_full", "这个活动的名额已经报满了，请看看其他活动。")
	errActivityOver = model.Conflict("activity_closed", "这个活动已经开始或结束，不能再报名了。")
	errSignedUp     = model.Conflict("already_signed_up", "您已经报名了这个活动，不用重复报名。")
	errHoursLogged  = model.Conflict("hours_logged", "这名志愿者在这个活动的服务时长已经登记过了，每人每个活动只登记一次。")
	errNotStarted   = model.Conflict("activity_not_started", "活动还没有开始，开始后才能登记服务时长。")
)

// VolunteerInput is a volunteer's registration or profile edit.
type VolunteerInput struct {
	Name         string   `json:"name"`
	RegionCode   string   `json:"region_code"`
	Skills       []string `json:"skills"`
	Availability string   `json:"availability"`
}

// VolunteerView is the volunteer's own profile.
type VolunteerView struct {
	ID           string    `json:"id"`
	NameMasked   string    `json:"name_masked"`
	PhoneMasked  string    `json:"phone_masked"`
	RegionCode   string    `json:"region_code"`
	Skills       []string  `json:"skills"`
	Availability string    `json:"availability"`
	CreatedAt    time.Time `json:"created_at"`
}

func (v *Volunteers) view(ctx context.Context, vol model.Volunteer) (VolunteerView, error) {
	res, err := v.d.DB.Resident(ctx, vol.ResidentID)
	if err != nil {
		return VolunteerView{}, err
	}
	return VolunteerView{ID: vol.ID, NameMasked: vol.NameMasked, PhoneMasked: res.PhoneMasked, RegionCode: vol.RegionCode,
		Skills: vol.SkillList(), Availability: vol.Availability, CreatedAt: vol.CreatedAt}, nil
}

// volunteerOf returns the caller's volunteer profile: model.KindUnauthenticated
// without a resident session, 404 volunteer_not_found before registration.
func (v *Volunteers) volunteerOf(ctx context.Context) (model.Volunteer, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return model.Volunteer{}, err
	}
	vol, err := v.d.DB.VolunteerOfResident(ctx, p.ID)
	if errors.Is(err, model.ErrNotFound) {
		return vol, errNotVolunteer
	}
	return vol, err
}

// Profile returns the caller's volunteer profile (404 before registration).
func (v *Volunteers) Profile(ctx context.Context) (VolunteerView, error) {
	vol, err := v.volunteerOf(ctx)
	if err != nil {
		return VolunteerView{}, err
	}
	return v.view(ctx, vol)
}

// SaveProfile registers the caller as a volunteer or edits their profile,
// and reports whether it registered them. The name is sealed and shown
// masked. Errors: 422 for a missing name, an unknown region or skill, or
// availability over 200 characters.
func (v *Volunteers) SaveProfile(ctx context.Context, in VolunteerInput) (VolunteerView, bool, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return VolunteerView{}, false, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 30 {
		return VolunteerView{}, false, model.Invalid("name", "请填写您的姓名（不超过 30 个字）")
	}
	if _, err := v.d.DB.Region(ctx, in.RegionCode); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return VolunteerView{}, false, model.Invalid("region_code", "请选择您所在的社区或区县")
		}
		return VolunteerView{}, false, err
	}
	skills := make([]string, 0, len(in.Skills))
	seen := map[string]bool{}
	for _, s := range in.Skills {
		if _, ok := model.VolunteerSkills[s]; !ok {
			return VolunteerView{}, false, model.Invalid("skills", "请从列表中选择特长")
		}
		if !seen[s] {
			seen[s] = true
			skills = append(skills, s)
		}
	}
	sort.Strings(skills)
	avail := strings.TrimSpace(in.Availability)
	if utf8.RuneCountInString(avail) > 200 {
		return VolunteerView{}, false, model.Invalid("availability", "空闲时间不能超过 200 个字")
	}
	sealed, err := v.d.Keys.Seal(name)
	if err != nil {
		return VolunteerView{}, false, fmt.Errorf("seal volunteer name: %w", err)
	}
	now := v.d.Clock.Now()
	var vol model.Volunteer
	created := false
	err = v.d.DB.InTx(ctx, func(ctx context.Context) error {
		vol, err = v.d.DB.VolunteerOfResident(ctx, p.ID)
		switch {
		case errors.Is(err, model.ErrNotFound):
			created = true
			vol = model.Volunteer{ID: v.d.IDs.New(), ResidentID: p.ID, CreatedAt: now}
		case err != nil:
			return err
		}
		vol.NameSealed, vol.NameMasked, vol.RegionCode = sealed, model.MaskName(name), in.RegionCode
		vol.Skills, vol.Availability, vol.UpdatedAt = strings.Join(skills, ","), avail, now
		if created {
			err = v.d.DB.CreateVolunteer(ctx, &vol)
		} else {
			err = v.d.DB.UpdateVolunteer(ctx, vol)
		}
		if err != nil {
			return err
		}
		action := "volunteer.update"
		if created {
			action = "volunteer.register"
		}
		return v.audit.Record(ctx, Event{Action: action, TargetType: "volunteer", TargetID: vol.ID, RegionCode: vol.RegionCode})
	})
	if err != nil {
		return VolunteerView{}, false, err
	}
	out, err := v.view(ctx, vol)
	return out, created, err
}

// ActivityInput is an activity a community worker posts.
type ActivityInput struct {
	RegionCode  string    `json:"region_code"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Place       string    `json:"place"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Slots       int       `json:"slots"`
}

// ActivityView is an activity as volunteers and staff see it: no recipient
// is named, because the activity has nothing that points to one.
type ActivityView struct {
	ID          string    `json:"id"`
	RegionCode  string    `json:"region_code"`
	Kind        string    `json:"kind"`
	KindName    string    `json:"kind_name"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Place       string    `json:"place"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	Hours       float64   `json:"hours"`
	Slots       int       `json:"slots"`
	SlotsLeft   int       `json:"slots_left"`
	SignedUp    bool      `json:"signed_up"`
}

func activityView(a model.VolunteerActivity, signed int64, mine bool) ActivityView {
	left := a.Slots - int(signed)
	if left < 0 {
		left = 0
	}
	return ActivityView{ID: a.ID, RegionCode: a.RegionCode, Kind: a.Kind, KindName: model.ActivityKinds[a.Kind], Title: a.Title,
		Description: a.Description, Place: a.Place, StartsAt: a.StartsAt, EndsAt: a.EndsAt, Hours: model.HoursOf(a.Minutes()),
		Slots: a.Slots, SlotsLeft: left, SignedUp: mine}
}

func pageOf(rows []storage.ActivityRow, req model.PageRequest) model.Page[ActivityView] {
	pg := model.NewPage(rows, req, func(r storage.ActivityRow) string { return r.ID })
	out := model.Page[ActivityView]{Items: make([]ActivityView, 0, len(pg.Items)), NextCursor: pg.NextCursor}
	for _, r := range pg.Items {
		out.Items = append(out.Items, activityView(r.VolunteerActivity, r.SignedUp, r.Mine))
	}
	return out
}

// maxActivityLength bounds an activity: one day of service.
const maxActivityLength = 24 * time.Hour

// PostActivity posts an activity in the community worker's subtree
// (audited). Errors: 422 for a region outside it, an unknown kind, a
// missing title or place, an end not after the start or more than a day
// later, or slots outside 1–200.
func (v *Volunteers) PostActivity(ctx context.Context, in ActivityInput) (ActivityView, error) {
	p, err := staffIn(ctx, model.ActVolunteerActivitiesManage)
	if err != nil {
		return ActivityView{}, err
	}
	if !strings.HasPrefix(in.RegionCode, scopeOf(p)) {
		return ActivityView{}, model.Invalid("region_code", "只能在您负责的区域内发布活动")
	}
	if _, err := v.d.DB.Region(ctx, in.RegionCode); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return ActivityView{}, model.Invalid("region_code", "请选择活动所在的社区")
		}
		return ActivityView{}, err
	}
	if _, ok := model.ActivityKinds[in.Kind]; !ok {
		return ActivityView{}, model.Invalid("kind", "请选择活动类别：visit_elderly（探访老人）、form_help（帮助填表办事）或 other")
	}
	title, place, desc := strings.TrimSpace(in.Title), strings.TrimSpace(in.Place), strings.TrimSpace(in.Description)
	if title == "" || utf8.RuneCountInString(title) > 60 {
		return ActivityView{}, model.Invalid("title", "请填写活动名称（不超过 60 个字）")
	}
	if place == "" || utf8.RuneCountInString(place) > 100 {
		return ActivityView{}, model.Invalid("place", "请用文字写明集合地点（不超过 100 个字），不要写受助人的姓名或门牌号")
	}
	if err := checkText("description", desc, false); err != nil {
		return ActivityView{}, err
	}
	if in.StartsAt.IsZero() || !in.EndsAt.After(in.StartsAt) || in.EndsAt.Sub(in.StartsAt) > maxActivityLength {
		return ActivityView{}, model.Invalid("ends_at", "结束时间要晚于开始时间，且一次活动不超过 24 小时")
	}
	if in.Slots < 1 || in.Slots > 200 {
		return ActivityView{}, model.Invalid("slots", "名额要在 1 到 200 人之间")
	}
	a := model.VolunteerActivity{ID: v.d.IDs.New(), RegionCode: in.RegionCode, Kind: in.Kind, Title: title, Description: desc,
		Place: place, StartsAt: in.StartsAt.UTC(), EndsAt: in.EndsAt.UTC(), Slots: in.Slots, CreatedBy: p.ID, CreatedAt: v.d.Clock.Now()}
	err = v.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := v.d.DB.CreateActivity(ctx, &a); err != nil {
			return err
		}
		return v.audit.Record(ctx, Event{Action: "volunteer_activity.post", TargetType: "volunteer_activity", TargetID: a.ID, RegionCode: a.RegionCode})
	})
	if err != nil {
		return ActivityView{}, err
	}
	return activityView(a, 0, false), nil
}

// StaffActivities lists the activities in the staff member's subtree,
// newest first.
func (v *Volunteers) StaffActivities(ctx context.Context, req model.PageRequest) (model.Page[ActivityView], error) {
	p, err := staffIn(ctx, model.ActVolunteerActivitiesRead)
	if err != nil {
		return model.Page[ActivityView]{}, err
	}
	rows, err := v.d.DB.Activities(ctx, storage.ActivityFilter{Prefix: scopeOf(p)}, req)
	if err != nil {
		return model.Page[ActivityView]{}, err
	}
	return pageOf(rows, req), nil
}

// SignupView is a volunteer signed up for an activity, as staff see them.
type SignupView struct {
	VolunteerID string    `json:"volunteer_id"`
	NameMasked  string    `json:"name_masked"`
	PhoneMasked string    `json:"phone_masked"`
	SignedUpAt  time.Time `json:"signed_up_at"`
	Hours       *float64  `json:"hours"`
}

// StaffActivityView is an activity with its sign-ups.
type StaffActivityView struct {
	ActivityView
	Signups []SignupView `json:"signups"`
}

// StaffActivity returns an activity in the staff member's subtree with its
// sign-ups (404 elsewhere).
func (v *Volunteers) StaffActivity(ctx context.Context, id string) (StaffActivityView, error) {
	p, err := staffIn(ctx, model.ActVolunteerActivitiesRead)
	if err != nil {
		return StaffActivityView{}, err
	}
	a, err := v.d.DB.Activity(ctx, id, scopeOf(p), false)
	if err != nil {
		return StaffActivityView{}, notFoundAs(err, "activity")
	}
	rows, err := v.d.DB.Signups(ctx, id)
	if err != nil {
		return StaffActivityView{}, err
	}
	out := StaffActivityView{ActivityView: activityView(a, int64(len(rows)), false), Signups: make([]SignupView, 0, len(rows))}
	for _, r := range rows {
		s := SignupView{VolunteerID: r.VolunteerID, NameMasked: r.NameMasked, PhoneMasked: r.PhoneMasked, SignedUpAt: r.SignedUpAt}
		if r.Minutes != nil {
			h := model.HoursOf(*r.Minutes)
			s.Hours = &h
		}
		out.Signups = append(out.Signups, s)
	}
	return out, nil
}

// HoursInput is the time a community worker logs for a volunteer.
type HoursInput struct {
	VolunteerID string  `json:"volunteer_id"`
	Hours       float64 `json:"hours"`
}

// LoggedHours is logged time as the API shows it.
type LoggedHours struct {
	ActivityID  string    `json:"activity_id"`
	VolunteerID string    `json:"volunteer_id"`
	Hours       float64   `json:"hours"`
	LoggedAt    time.Time `json:"logged_at"`
}

// LogHours records the hours a signed-up volunteer served on an activity
// in the worker's subtree, once per volunteer and activity (audited), in
// quarter hours.
// Errors: 404 for an activity elsewhere or a volunteer not signed up, 409
// before the activity starts or when hours are already logged, 422 for
// hours not above zero or longer than the activity.
func (v *Volunteers) LogHours(ctx context.Context, activityID string, in HoursInput) (LoggedHours, error) {
	p, err := staffIn(ctx, model.ActVolunteerActivitiesManage)
	if err != nil {
		return LoggedHours{}, err
	}
	// Quarter hours: every line is exact in hours with two decimals, so
	// a volunteer's total is the sum of the lines as shown.
	quarters := in.Hours * 4
	if math.IsNaN(in.Hours) || in.Hours <= 0 || math.Abs(quarters-math.Round(quarters)) > 1e-9 {
		return LoggedHours{}, model.Invalid("hours", "服务时长要大于 0，按 0.25 小时（15 分钟）为单位登记")
	}
	minutes := int64(math.Round(quarters)) * 15
	now := v.d.Clock.Now()
	h := model.VolunteerHours{ActivityID: activityID, VolunteerID: in.VolunteerID, Minutes: minutes, LoggedBy: p.ID, LoggedAt: now}
	err = v.d.DB.InTx(ctx, func(ctx context.Context) error {
		a, err := v.d.DB.Activity(ctx, activityID, scopeOf(p), false)
		if err != nil {
			return notFoundAs(err, "activity")
		}
		if now.Before(a.StartsAt) {
			return errNotStarted
		}
		if minutes > a.Minutes() {
			return model.Invalid("hours", fmt.Sprintf("服务时长不能超过活动时长 %.2f 小时", model.HoursOf(a.Minutes())))
		}
		ok, err := v.d.DB.SignedUp(ctx, activityID, in.VolunteerID)
		if err != nil {
			return err
		}
		if !ok {
			return model.NotFound("signup")
		}
		if err := v.d.DB.CreateHours(ctx, &h); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return errHoursLogged
			}
			return err
		}
		return v.audit.Record(ctx, Event{Action: "volunteer_hours.log", TargetType: "volunteer_activity", TargetID: activityID,
			RegionCode: a.RegionCode, Detail: fmt.Sprintf("volunteer %s: %d minutes", in.VolunteerID, minutes)})
	})
	if err != nil {
		return LoggedHours{}, err
	}
	return LoggedHours{ActivityID: activityID, VolunteerID: in.VolunteerID, Hours: model.HoursOf(minutes), LoggedAt: now}, nil
}

// Activities lists the activities a volunteer may still join or has joined
// that have not ended, in a region subtree (the volunteer's own region's
// county when regionCode is empty), newest first.
func (v *Volunteers) Activities(ctx context.Context, regionCode string, req model.PageRequest) (model.Page[ActivityView], error) {
	vol, err := v.volunteerOf(ctx)
	if err != nil {
		return model.Page[ActivityView]{}, err
	}
	if regionCode == "" {
		regionCode = vol.RegionCode
		if len(regionCode) > 6 {
			regionCode = regionCode[:6]
		}
	}
	rows, err := v.d.DB.Activities(ctx, storage.ActivityFilter{Prefix: model.RegionPrefix(regionCode), EndsAfter: v.d.Clock.Now(), Volunteer: vol.ID}, req)
	if err != nil {
		return model.Page[ActivityView]{}, err
	}
	return pageOf(rows, req), nil
}

// SignUp puts the volunteer on an activity that has not started and has a
// place left. Errors: 404 for no such activity, 409 activity_closed,
// activity_full or already_signed_up.
func (v *Volunteers) SignUp(ctx context.Context, activityID string) (ActivityView, error) {
	vol, err := v.volunteerOf(ctx)
	if err != nil {
		return ActivityView{}, err
	}
	now := v.d.Clock.Now()
	var out ActivityView
	err = v.d.DB.InTx(ctx, func(ctx context.Context) error {
		// The row lock serialises sign-ups of one activity, so the count
		// below cannot be overtaken.
		a, err := v.d.DB.Activity(ctx, activityID, "", true)
		if err != nil {
			return notFoundAs(err, "activity")
		}
		if !now.Before(a.StartsAt) {
			return errActivityOver
		}
		n, err := v.d.DB.CountSignups(ctx, activityID)
		if err != nil {
			return err
		}
		if mine, err := v.d.DB.SignedUp(ctx, activityID, vol.ID); err != nil {
			return err
		} else if mine {
			return errSignedUp
		}
		if n >= int64(a.Slots) {
			return errActivityFull
		}
		if err := v.d.DB.CreateSignup(ctx, &model.VolunteerSignup{ActivityID: activityID, VolunteerID: vol.ID, CreatedAt: now}); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return errSignedUp
			}
			return err
		}
		out = activityView(a, n+1, true)
		return v.audit.Record(ctx, Event{Action: "volunteer.signup", TargetType: "volunteer_activity", TargetID: activityID, RegionCode: a.RegionCode})
	})
	return out, err
}

// HoursLine is one activity on a volunteer's record.
type HoursLine struct {
	ActivityID string    `json:"activity_id"`
	Title      string    `json:"title"`
	KindName   string    `json:"kind_name"`
	RegionCode string    `json:"region_code"`
	Date       string    `json:"date"`
	StartsAt   time.Time `json:"starts_at"`
	Hours      float64   `json:"hours"`
}

// HoursRecord is a volunteer's logged hours: the total equals the sum of
// the lines' minutes.
type HoursRecord struct {
	NameMasked string      `json:"name_masked"`
	TotalHours float64     `json:"total_hours"`
	Items      []HoursLine `json:"items"`
}

// chinaDate is the date in China of t.
func chinaDate(t time.Time) string { return t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") }

// Hours returns the volunteer's logged hours by activity date.
func (v *Volunteers) Hours(ctx context.Context) (HoursRecord, error) {
	vol, err := v.volunteerOf(ctx)
	if err != nil {
		return HoursRecord{}, err
	}
	rec, _, err := v.hours(ctx, vol)
	return rec, err
}

func (v *Volunteers) hours(ctx context.Context, vol model.Volunteer) (HoursRecord, int64, error) {
	rows, err := v.d.DB.HoursOfVolunteer(ctx, vol.ID)
	if err != nil {
		return HoursRecord{}, 0, err
	}
	rec := HoursRecord{NameMasked: vol.NameMasked, Items: make([]HoursLine, 0, len(rows))}
	var total int64
	for _, r := range rows {
		total += r.Minutes
		rec.Items = append(rec.Items, HoursLine{ActivityID: r.ActivityID, Title: r.Title, KindName: model.ActivityKinds[r.Kind],
			RegionCode: r.RegionCode, Date: chinaDate(r.StartsAt), StartsAt: r.StartsAt, Hours: model.HoursOf(r.Minutes)})
	}
	rec.TotalHours = model.HoursOf(total)
	return rec, total, nil
}

// Certificate is what the printable certificate of hours shows: the
// volunteer's own name in full (it is their certificate), the hours by
// activity, the total and the issuing region.
type Certificate struct {
	Name       string
	RegionName string
	IssuedOn   string
	Record     HoursRecord
}

// Certificate builds the caller's certificate of hours.
func (v *Volunteers) Certificate(ctx context.Context) (Certificate, error) {
	vol, err := v.volunteerOf(ctx)
	if err != nil {
		return Certificate{}, err
	}
	name, err := v.d.Keys.Open(vol.NameSealed)
	if err != nil {
		return Certificate{}, fmt.Errorf("open volunteer name: %w", err)
	}
	rec, _, err := v.hours(ctx, vol)
	if err != nil {
		return Certificate{}, err
	}
	region, err := v.d.DB.Region(ctx, vol.RegionCode)
	if err != nil {
		return Certificate{}, err
	}
	return Certificate{Name: name, RegionName: region.Name, IssuedOn: chinaDate(v.d.Clock.Now()), Record: rec}, nil
}
