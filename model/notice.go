package model

import "time"

// Notice statuses: a notice is open while its application is publicized and
// closed once the case moves on (approved, rejected, withdrawn, or sent back
// to investigation by an upheld objection).
const (
	NoticeOpen   = "open"
	NoticeClosed = "closed"
)

// Notice is one 公示 entry: only the fields PRODUCT.md allows the public to
// see (masked name, household size, proposed amount, community, dates).
type Notice struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"-"`
	Program       string    `json:"program"`
	NameMasked    string    `json:"name_masked"`
	HouseholdSize int       `json:"household_size"`
	MonthlyAmount int64     `json:"monthly_amount"`
	RegionCode    string    `json:"region_code"`
	StartsAt      time.Time `json:"starts_at"`
	EndsAt        time.Time `json:"ends_at"`
	Status        string    `json:"-"`
}

// TableName is the notices table.
func (Notice) TableName() string { return "notices" }

// Objection statuses.
const (
	ObjectionOpen     = "open"
	ObjectionResolved = "resolved"
)

// MaxObjectionRunes caps the length of an objection's content.
const MaxObjectionRunes = 2000

// Objection is a member of the public's objection to a notice. The contact
// the objector leaves is sealed.
type Objection struct {
	ID            string
	NoticeID      string
	ApplicationID string
	RegionCode    string
	Content       string
	ContactSealed *string
	Status        string
	Resolution    *string
	Upheld        *bool
	ResolvedBy    *string
	ResolvedAt    *time.Time
	CreatedAt     time.Time
}

// TableName is the objections table.
func (Objection) TableName() string { return "objections" }
