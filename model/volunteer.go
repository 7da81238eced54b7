package model

import (
	"strings"
	"time"
)

// A volunteer is a resident (the same SMS login, the same session) who
// registered a volunteer profile. The profile carries the volunteer's own
// name, sealed and masked; the phone stays on the resident row (sealed,
// masked). Nothing of a volunteer's data links to a recipient's.

// Volunteer is a resident's volunteer profile.
type Volunteer struct {
	ID           string    `json:"id"`
	ResidentID   string    `json:"-"`
	NameSealed   string    `json:"-"`
	NameMasked   string    `json:"name_masked"`
	RegionCode   string    `json:"region_code"`
	Skills       string    `json:"-"` // comma-separated VolunteerSkills
	Availability string    `json:"availability"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TableName is the table of volunteer profiles.
func (Volunteer) TableName() string { return "volunteers" }

// SkillList returns the volunteer's skills.
func (v Volunteer) SkillList() []string {
	if v.Skills == "" {
		return []string{}
	}
	return strings.Split(v.Skills, ",")
}

// VolunteerSkills are the skills a volunteer may name, with their words.
var VolunteerSkills = map[string]string{
	"visiting":   "探访陪伴",
	"form_help":  "帮助填表办事",
	"medical":    "医疗护理",
	"legal":      "法律咨询",
	"tutoring":   "学业辅导",
	"repair":     "家电维修",
	"driving":    "驾车接送",
	"psychology": "心理疏导",
	"other":      "其他",
}

// Activity kinds.
const (
	ActivityVisitElderly = "visit_elderly" // 探访老人
	ActivityFormHelp     = "form_help"     // 帮助填表
	ActivityOther        = "other"
)

// ActivityKinds are the kinds of volunteer activity, with their words.
var ActivityKinds = map[string]string{
	ActivityVisitElderly: "探访老人",
	ActivityFormHelp:     "帮助填表办事",
	ActivityOther:        "其他服务",
}

// VolunteerActivity is an activity a community worker posts. It names a
// place in words and a region, never a recipient: the table has no column
// that could point to a household or a person.
type VolunteerActivity struct {
	ID          string
	RegionCode  string
	Kind        string
	Title       string
	Description string
	Place       string
	StartsAt    time.Time
	EndsAt      time.Time
	Slots       int
	CreatedBy   string
	CreatedAt   time.Time
}

// TableName is the table of volunteer activities.
func (VolunteerActivity) TableName() string { return "volunteer_activities" }

// Minutes is the activity's length in minutes.
func (a VolunteerActivity) Minutes() int64 { return int64(a.EndsAt.Sub(a.StartsAt) / time.Minute) }

// VolunteerSignup is a volunteer's place on an activity.
type VolunteerSignup struct {
	ActivityID  string `gorm:"primaryKey"`
	VolunteerID string `gorm:"primaryKey"`
	CreatedAt   time.Time
}

// TableName is the table of sign-ups.
func (VolunteerSignup) TableName() string { return "volunteer_signups" }

// VolunteerHours is the time a community worker logged for one volunteer on
// one activity: once per volunteer and activity, in minutes.
type VolunteerHours struct {
	ActivityID  string `gorm:"primaryKey"`
	VolunteerID string `gorm:"primaryKey"`
	Minutes     int64
	LoggedBy    string
	LoggedAt    time.Time
}

// TableName is the table of logged hours.
func (VolunteerHours) TableName() string { return "volunteer_hours" }

// HoursOf turns minutes into hours with two decimals at most (exact for
// the quarter hours that are logged).
func HoursOf(minutes int64) float64 { return float64(minutes*100/60) / 100 }
